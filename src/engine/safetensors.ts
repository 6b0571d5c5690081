/**
 * safetensors read and write (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header {name: {dtype, shape, data_offsets}}, then the raw bytes. f16 and
 * bf16 tensors are widened to f32 on read; files are written to a temp path and renamed.
 */
import buffer from 'node:buffer';
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

/** The reference implementation's cap on the JSON header (safetensors' MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;
/** The largest file read into memory at once (Node's Buffer limit). */
export const MAX_FILE_BYTES = Math.min(buffer.constants.MAX_LENGTH, 2 ** 53 - 1);

export interface ParseOptions {
  /** Accept NaN and ±Inf in float tensors (default: an error naming the tensor). */
  allowNonFinite?: boolean;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isIndex = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * Parses safetensors bytes, validating the header as the reference implementation does: every
 * entry is {dtype, shape, data_offsets}, dims and offsets are non-negative integers, the tensors
 * tile the data section exactly (contiguous from 0, no overlap, no gap, nothing past the end) and
 * each spans dtype width × element count bytes. `file` names the source in errors.
 */
export function parseSafetensors(bytes: Uint8Array, file = 'safetensors', options: ParseOptions = {}): { tensors: Map<string, LoadedTensor>; metadata: Record<string, string> } {
  const bad = (why: string) => new TempolabError(`${file} is not a valid safetensors file (${why}); re-save it with safetensors or tempolab`);
  if (bytes.byteLength < 8) throw bad('shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) throw bad(`header length ${declared} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLength = Number(declared);
  if (headerLength > bytes.byteLength - 8) throw bad(`header length ${headerLength} exceeds the file size ${bytes.byteLength}`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw bad('its header is not UTF-8 JSON');
  }
  if (!isObject(header)) throw bad(`its header is ${header === null ? 'null' : Array.isArray(header) ? 'a list' : typeof header}, not an object`);
  const dataStart = 8 + headerLength;
  const dataBytes = bytes.byteLength - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (entry !== null && (!isObject(entry) || Object.values(entry).some((v) => typeof v !== 'string'))) throw bad('__metadata__ must map names to strings');
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    if (!isObject(entry)) throw bad(`entry ${name} is ${show(entry)}, not {dtype, shape, data_offsets}`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string' || BYTES[dtype] === undefined) throw bad(`tensor ${name} has unknown dtype ${show(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isIndex)) throw bad(`tensor ${name} has shape ${show(shape)}; dims must be non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) throw bad(`tensor ${name} has data_offsets ${show(offsets)}; they must be two non-negative integers [begin, end]`);
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw bad(`tensor ${name} has data_offsets [${begin}, ${end}) that end before they begin`);
    // The product is bounded by the span it must equal, so a huge shape never reaches an allocation.
    let count = 1;
    for (const d of shape as number[]) count = count * d > Math.max(dataBytes, end - begin) ? Infinity : count * d;
    if (count * BYTES[dtype]! !== end - begin) throw bad(`tensor ${name} ${dtype}${fmt(shape as number[])} needs ${count === Infinity ? 'more' : count * BYTES[dtype]!} bytes but data_offsets [${begin}, ${end}) hold ${end - begin}`);
    if (end > dataBytes) throw bad(`tensor ${name} ${dtype}${fmt(shape as number[])} needs ${end - begin} bytes at [${begin}, ${end}) but the file has ${dataBytes} data bytes`);
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  let at = 0;
  for (const e of [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (e.begin < at) throw bad(`tensor ${e.name} at [${e.begin}, ${e.end}) overlaps the tensor before it (which ends at ${at})`);
    if (e.begin > at) throw bad(`the data has a gap: nothing covers bytes [${at}, ${e.begin}) before tensor ${e.name}`);
    at = e.end;
  }
  if (at !== dataBytes) throw bad(`its tensors cover ${at} data bytes but the file has ${dataBytes}`);
  const tensors = new Map<string, LoadedTensor>();
  for (const e of entries) {
    const data = decode(file, e.name, e.dtype, bytes.subarray(dataStart + e.begin, dataStart + e.end), sizeOf(e.shape));
    if (!options.allowNonFinite && data instanceof Float32Array) {
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i]!)) throw new TempolabError(`${file}: tensor ${e.name} holds ${data[i]} at element ${i}; the weights are corrupt or came from a diverged run — restore the file or use an earlier checkpoint`);
      }
    }
    tensors.set(e.name, { dtype: e.dtype as SafetensorsDType, shape: e.shape, data });
  }
  return { tensors, metadata };
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
};

/** Reads a safetensors file: a regular file (links are followed) no larger than MAX_FILE_BYTES. */
export async function readSafetensors(file: string, options: ParseOptions = {}): Promise<{ tensors: Map<string, LoadedTensor>; metadata: Record<string, string> }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw new TempolabError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new TempolabError(`${file} is not a regular file (a directory, device or pipe); a safetensors file must be a plain file`);
    if (stat.size > MAX_FILE_BYTES) throw new TempolabError(`${file} is ${stat.size} bytes, more than the ${MAX_FILE_BYTES} bytes tempolab can read at once; split it into shards`);
    const bytes = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < stat.size) {
      const { bytesRead } = await handle.read(bytes, read, stat.size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return parseSafetensors(bytes.subarray(0, read), file, options);
  } finally {
    await handle.close();
  }
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
