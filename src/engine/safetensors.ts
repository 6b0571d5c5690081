/**
 * safetensors read and write (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw bytes. f16 and
 * bf16 tensors are widened to f32 on read; files are written to a temp path and renamed.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from './atomicWrite.js';
import { TempolabError } from './errors.js';
import type { ParameterStore } from './parameters.js';
import { fmt, sameShape, sizeOf, type Shape } from './shape.js';

export type SafetensorsDType = 'F32' | 'F16' | 'BF16' | 'I64';

export interface LoadedTensor {
  /** The dtype stored in the file (before widening). */
  dtype: SafetensorsDType;
  shape: number[];
  data: Float32Array | BigInt64Array;
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, F64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function decode(file: string, name: string, dtype: string, bytes: Uint8Array, count: number): Float32Array | BigInt64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'I64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(i * 8, true);
      return out;
    }
    default:
      throw new TempolabError(`${file}: tensor ${name} has dtype ${dtype}; tempolab reads F32, F16, BF16 and I64`);
  }
}

/** Parses safetensors bytes; `file` names the source in errors. */
export function parseSafetensors(bytes: Uint8Array, file = 'safetensors'): { tensors: Map<string, LoadedTensor>; metadata: Record<string, string> } {
  const bad = (why: string) => new TempolabError(`${file} is not a valid safetensors file (${why}); re-save it with safetensors or tempolab`);
  if (bytes.byteLength < 8) throw bad('shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.byteLength - 8) throw bad(`header length ${headerLength} exceeds the file size ${bytes.byteLength}`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw bad('its header is not JSON');
  }
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, LoadedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (!Array.isArray(shape) || !Array.isArray(data_offsets) || typeof dtype !== 'string') throw bad(`entry ${name} lacks dtype/shape/data_offsets`);
    const [begin, end] = data_offsets;
    const count = sizeOf(shape);
    const width = BYTES[dtype];
    if (width === undefined) throw bad(`tensor ${name} has unknown dtype ${dtype}`);
    if (end - begin !== count * width || dataStart + end > bytes.byteLength) {
      throw bad(`tensor ${name} ${dtype}${fmt(shape)} needs ${count * width} bytes at [${begin}, ${end}) but the file has ${bytes.byteLength - dataStart} data bytes`);
    }
    tensors.set(name, { dtype: dtype as SafetensorsDType, shape, data: decode(file, name, dtype, bytes.subarray(dataStart + begin, dataStart + end), count) });
  }
  return { tensors, metadata };
}

export async function readSafetensors(file: string): Promise<{ tensors: Map<string, LoadedTensor>; metadata: Record<string, string> }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new TempolabError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseSafetensors(bytes, file);
}

export interface WritableTensor {
  shape: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** Serialises tensors (f32 or i64) in name order, with 8-byte aligned data. */
export function serializeSafetensors(tensors: Map<string, WritableTensor> | ParameterStore, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    if (t.data.length !== sizeOf(t.shape)) throw new TempolabError(`tensor ${name}: ${t.data.length} values for shape ${fmt(t.shape)}`);
    const size = t.data.byteLength;
    header[name] = { dtype: t.data instanceof Float32Array ? 'F32' : 'I64', shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

export async function writeSafetensors(file: string, tensors: Map<string, WritableTensor> | ParameterStore, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(file, serializeSafetensors(tensors, metadata));
}

/**
 * Reads a parameter store from a safetensors file, checking every expected tensor's presence and
 * shape. Integer tensors are rejected: parameters are float.
 */
export async function loadParameters(file: string, expected?: { name: string; shape: Shape }[]): Promise<ParameterStore> {
  const { tensors } = await readSafetensors(file);
  const store: ParameterStore = new Map();
  for (const [name, t] of tensors) {
    if (t.data instanceof Float32Array) store.set(name, { shape: t.shape, data: t.data });
  }
  for (const spec of expected ?? []) {
    const t = tensors.get(spec.name);
    if (!t) throw new TempolabError(`${file} lacks tensor ${spec.name} (expected ${fmt(spec.shape)})`);
    if (!sameShape(t.shape, spec.shape)) throw new TempolabError(`${file} has ${spec.name} ${fmt(t.shape)} but the model expects ${fmt(spec.shape)}`);
    if (!(t.data instanceof Float32Array)) throw new TempolabError(`${file}: tensor ${spec.name} is ${t.dtype}, a parameter must be a float tensor`);
  }
  return store;
}

export async function saveParameters(file: string, store: ParameterStore, metadata?: Record<string, string>): Promise<void> {
  await writeSafetensors(file, store, metadata);
}
