/**
 * Generators of mutated inputs for the fuzz suite: each case says, by construction, whether the
 * input is valid (and then what must come out) or invalid (and then must be refused in one line).
 */
import { Random } from '../../src/engine/random.js';
import type { VideoLMConfig } from '../../src/models/config.js';

export interface SafetensorsCase {
  kind: string;
  bytes: Uint8Array;
  /** For a valid file: the tensors it must decode to (name → shape and values). */
  expect?: Map<string, { shape: number[]; values: number[] }>;
}

interface Spec {
  dtype: 'F32' | 'F16' | 'I64';
  shape: number[];
  values: number[];
}

/** Byte sizes all differ, so no two tensors can trade places and still tile the data. */
const BASE: Record<string, Spec> = {
  'a.weight': { dtype: 'F32', shape: [2, 3], values: [1, -2, 3.5, 0.25, -0, 6] },
  'b.bias': { dtype: 'F16', shape: [4], values: [1, -0.5, 2, 65504] },
  'c.ids': { dtype: 'I64', shape: [2], values: [7, -3] },
  'd.scale': { dtype: 'F32', shape: [5], values: [0.5, 1.5, 2.5, 3.5, 4.5] },
};

const WIDTH = { F32: 4, F16: 2, I64: 8 } as const;

function encodeValues(spec: Spec): Uint8Array {
  const out = new Uint8Array(spec.values.length * WIDTH[spec.dtype]);
  const view = new DataView(out.buffer);
  spec.values.forEach((v, i) => {
    if (spec.dtype === 'F32') view.setFloat32(i * 4, v, true);
    else if (spec.dtype === 'I64') view.setBigInt64(i * 8, BigInt(v), true);
    else view.setUint16(i * 2, halfBits(v), true);
  });
  return out;
}

/** Exact f16 bits for the few values used here (normal numbers with short mantissas). */
function halfBits(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  if (v === Infinity) return 0x7c00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === 0) return sign;
  if (a === Infinity) return sign | 0x7c00;
  const e = Math.floor(Math.log2(a));
  return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
}

/** A file from an explicit header object and data bytes; `headerText` overrides the JSON. */
export function assemble(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** The valid base layout, in a given tensor order; returns the header and data. */
function layout(order: string[], specs: Record<string, Spec> = BASE): { header: Record<string, unknown>; data: Uint8Array } {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const name of order) {
    const bytes = encodeValues(specs[name]!);
    header[name] = { dtype: specs[name]!.dtype, shape: specs[name]!.shape, data_offsets: [at, at + bytes.length] };
    chunks.push(bytes);
    at += bytes.length;
  }
  const data = new Uint8Array(at);
  let o = 0;
  for (const c of chunks) {
    data.set(c, o);
    o += c.length;
  }
  return { header, data };
}

const NAMES = Object.keys(BASE);
const expectOf = (specs: Record<string, Spec>) => new Map(Object.entries(specs).map(([n, s]) => [n, { shape: s.shape, values: s.values }]));
const entryOf = (header: Record<string, unknown>, name: string) => header[name] as { dtype: unknown; shape: unknown; data_offsets: unknown };

/** Values that are never a valid dim or offset. */
const NOT_AN_INDEX = [-1, -8, 0.5, 2.25, '4', null, true, [], {}, 2 ** 53 + 2, -0.0001];

export function safetensorsCases(seed: number, perKind: number): SafetensorsCase[] {
  const rng = new Random(seed);
  const cases: SafetensorsCase[] = [];
  const base = () => layout(rng.shuffle(NAMES));
  const kinds: Record<string, () => SafetensorsCase> = {
    'valid: tensor order and key order shuffled': () => {
      const { header, data } = base();
      const keys = rng.shuffle(Object.keys(header));
      return { kind: 'valid', bytes: assemble(Object.fromEntries(keys.map((k) => [k, header[k]])), data), expect: expectOf(BASE) };
    },
    'valid: dims permuted, whitespace after the header': () => {
      const specs = structuredClone(BASE);
      specs['a.weight']!.shape = rng.shuffle([2, 3]);
      const { header, data } = layout(rng.shuffle(NAMES), specs);
      return { kind: 'valid', bytes: assemble(header, data, JSON.stringify(header) + ' '.repeat(rng.int(9))), expect: expectOf(specs) };
    },
    'offset not a non-negative integer': () => {
      const { header, data } = base();
      const e = entryOf(header, rng.pick(NAMES));
      const offsets = [...(e.data_offsets as number[])] as unknown[];
      offsets[rng.int(2)] = rng.pick(NOT_AN_INDEX);
      e.data_offsets = offsets;
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'offsets shifted (gap or overlap)': () => {
      const { header, data } = base();
      const e = entryOf(header, rng.pick(NAMES));
      const shift = rng.pick([-4, -2, -1, 1, 2, 3, 8]);
      const [b, en] = e.data_offsets as number[];
      e.data_offsets = rng.int(2) ? [b! + shift, en! + shift] : [b!, en! + shift];
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'offsets reversed or past the end': () => {
      const { header, data } = base();
      const e = entryOf(header, rng.pick(NAMES));
      const [b, en] = e.data_offsets as number[];
      e.data_offsets = rng.int(2) ? [en, b] : [b! + data.length, en! + data.length];
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'offsets malformed': () => {
      const { header, data } = base();
      entryOf(header, rng.pick(NAMES)).data_offsets = rng.pick([null, [0], [0, 8, 16], '0,8', {}, 8]);
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'two tensors overlap': () => {
      const { header, data } = base();
      const [x, y] = rng.shuffle(NAMES);
      entryOf(header, y!).data_offsets = entryOf(header, x!).data_offsets;
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'dim not a non-negative integer': () => {
      const { header, data } = base();
      const e = entryOf(header, rng.pick(NAMES));
      const shape = [...(e.shape as number[])] as unknown[];
      shape[rng.int(shape.length)] = rng.pick(NOT_AN_INDEX);
      e.shape = shape;
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'shape disagrees with the byte span': () => {
      const { header, data } = base();
      const e = entryOf(header, rng.pick(NAMES));
      const shape = [...(e.shape as number[])];
      const i = rng.int(shape.length);
      shape[i] = shape[i]! + rng.pick([1, 2, 5, 1000, 2 ** 40]);
      e.shape = rng.int(3) ? shape : [...shape, 2];
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'shape or dtype missing or null': () => {
      const { header, data } = base();
      const e = entryOf(header, rng.pick(NAMES)) as Record<string, unknown>;
      const key = rng.pick(['shape', 'dtype', 'data_offsets']);
      if (rng.int(2)) delete e[key];
      else e[key] = null;
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'unknown dtype': () => {
      const { header, data } = base();
      entryOf(header, rng.pick(NAMES)).dtype = rng.pick(['F128', 'f32', 'FLOAT', '', 4, null, ['F32']]);
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'entry not an object': () => {
      const { header, data } = base();
      header[rng.pick(NAMES)] = rng.pick([null, [], 'F32', 0, true]);
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'header not an object': () => ({ kind: 'invalid', bytes: assemble(null, new Uint8Array(8), rng.pick(['null', '[]', '1', '"x"', 'true', '{', '{"a":', '', '\u0000'])) }),
    'metadata not strings': () => {
      const { header, data } = base();
      header.__metadata__ = rng.pick([{ format: 1 }, { a: null }, [], 'pt', { nested: { x: 'y' } }]);
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
    'header length wrong': () => {
      const { header, data } = base();
      const bytes = assemble(header, data);
      const view = new DataView(bytes.buffer);
      const declared = Number(view.getBigUint64(0, true));
      const bad = rng.pick([BigInt(bytes.length), BigInt(declared + data.length + 1), 2n ** 63n, 2n ** 64n - 1n, BigInt(100_000_001)]);
      view.setBigUint64(0, bad, true);
      return { kind: 'invalid', bytes };
    },
    'file truncated or extended': () => {
      const { header, data } = base();
      const bytes = assemble(header, data);
      if (rng.int(2)) return { kind: 'invalid', bytes: bytes.subarray(0, rng.int(bytes.length)) };
      const longer = new Uint8Array(bytes.length + 1 + rng.int(16));
      longer.set(bytes);
      return { kind: 'invalid', bytes: longer };
    },
    'NaN or Inf in a float tensor': () => {
      const specs = structuredClone(BASE);
      const name = rng.pick(['a.weight', 'b.bias', 'd.scale']);
      const values = specs[name]!.values;
      values[rng.int(values.length)] = rng.pick([NaN, Infinity, -Infinity]);
      const { header, data } = layout(rng.shuffle(NAMES), specs);
      return { kind: 'invalid', bytes: assemble(header, data) };
    },
  };
  for (const [kind, make] of Object.entries(kinds)) {
    for (let i = 0; i < perKind; i++) cases.push({ ...make(), kind: `${kind}` });
  }
  return cases;
}

export interface ConfigCase {
  kind: string;
  config: unknown;
  valid: boolean;
}

type Path = readonly string[];

/** For each key the model reads: values outside its domain. */
const BAD_VALUES: [Path, unknown[]][] = [
  [['hidden_size'], [0, -32, 31.5, '32', null, []]],
  [['intermediate_size'], [0, -1, 1.5, '64', null]],
  [['num_hidden_layers'], [0, -2, 2.5, '2', null, true]],
  [['num_attention_heads'], [0, 3, -4, 4.5, null]],
  [['num_key_value_heads'], [0, 3, -2, 'two', null]],
  [['vocab_size'], [0, -5, 10.5, '100', null]],
  [['rms_norm_eps'], [0, -1e-6, 1, 2, '1e-6', null, [1e-6]]],
  [['rope_theta'], [0, -10000, '10000', null, {}, []]],
  [['tie_word_embeddings'], ['true', 1, null, 0]],
  [['hidden_act'], ['gelu', 'relu', 'SiLU', 'swish', 1, null]],
  [['vision_start_token_id'], [-1, 0.5, '3', null, 1e9]],
  [['vision_end_token_id'], [-1, 2.5, null, 1e9]],
  [['video_token_id'], [-3, 1.5, 'x', null, 1e9]],
  [['image_token_id'], [-1, 0.5, null, 1e9]],
  [['eos_token_id'], [[], [-1], [1.5], '2', null, 1e9]],
  [['bos_token_id'], [-1, 'a', 1e9]],
  [['max_position_embeddings'], [0, -1, 1.5, '32768']],
  [['rope_scaling'], ['mrope', 5, [2, 1, 1], true]],
  [['rope_scaling', 'mrope_section'], ['[2,1,1]', [2, 1], [2, 1, 1, 0], [2, 1, 1.5], [-1, 2, 3], [3, 1, 1], [1, 1, 1], null, {}]],
  [['vision_config'], [null, [], 'qwen2', 0]],
  [['vision_config', 'depth'], [0, -1, 1.5, null, '2']],
  [['vision_config', 'embed_dim'], [0, 33, 30, null]],
  [['vision_config', 'num_heads'], [0, 3, -4, null]],
  [['vision_config', 'patch_size'], [0, -4, 4.5, null]],
  [['vision_config', 'spatial_merge_size'], [0, 1.5, null]],
  [['vision_config', 'temporal_patch_size'], [0, -2, null]],
  [['vision_config', 'hidden_size'], [16, 0, null]],
  [['vision_config', 'mlp_ratio'], [0, -4, '4', null, 0.01]],
  [['vision_config', 'in_chans'], [1, 4, 0, null, '3']],
  [['vision_config', 'hidden_act'], ['silu', 'gelu', 'relu', 0]],
  [['vision_config', 'temporal_attention'], ['all', 1, []]],
  [['vision_config', 'temporal_attention', 'layers'], [[2], [-1], [0, 0], [0.5], 'some', null]],
  [['vision_config', 'temporal_attention', 'head_scale'], [0, -0.25, '0.25', null]],
  [['vision_config', 'temporal_attention', 'token_order'], ['frame', 1, null]],
  [['vision_config', 'temporal_attention', 'proj_init'], ['ones', 0, null]],
];

/** Required keys: deleting one must be refused (defaults are another module's job). */
const REQUIRED: Path[] = [
  ['hidden_size'], ['intermediate_size'], ['num_hidden_layers'], ['num_attention_heads'], ['num_key_value_heads'], ['vocab_size'], ['rms_norm_eps'],
  ['rope_theta'], ['tie_word_embeddings'], ['vision_start_token_id'], ['vision_end_token_id'], ['video_token_id'], ['eos_token_id'], ['vision_config'],
  ['vision_config', 'depth'], ['vision_config', 'embed_dim'], ['vision_config', 'num_heads'], ['vision_config', 'patch_size'], ['vision_config', 'in_chans'], ['vision_config', 'mlp_ratio'],
];

/** Changes that stay inside every domain: must be accepted. */
const GOOD_VALUES: [Path, unknown[]][] = [
  [['rope_theta'], [1_000_000, 500.5]],
  [['rms_norm_eps'], [1e-5, 1e-12]],
  [['hidden_act'], ['silu']],
  [['max_position_embeddings'], [128, 131072]],
  [['rope_scaling'], [null]],
  [['rope_scaling', 'mrope_section'], [[4, 0, 0], [1, 2, 1]]],
  [['vision_config', 'hidden_act'], ['quick_gelu']],
  [['vision_config', 'temporal_attention'], [{ layers: 'all', head_scale: 0.25 }, { layers: [1], head_scale: 0.5, token_order: 'staveq2', proj_init: 'normal' }]],
];

function setAt(target: Record<string, unknown>, p: Path, value: unknown, remove = false): void {
  let at = target;
  for (const key of p.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  if (remove) delete at[p.at(-1)!];
  else at[p.at(-1)!] = value;
}

export function configCases(base: VideoLMConfig, seed: number, perKey: number): ConfigCase[] {
  const rng = new Random(seed);
  const cases: ConfigCase[] = [];
  const withSTA = (): Record<string, unknown> => {
    const c = structuredClone(base) as Record<string, unknown>;
    (c.vision_config as Record<string, unknown>).temporal_attention = { layers: 'all', head_scale: 0.25 };
    return c;
  };
  for (const [p, values] of BAD_VALUES) {
    for (let i = 0; i < perKey; i++) {
      const c = p.includes('temporal_attention') && p.length > 2 ? withSTA() : (structuredClone(base) as Record<string, unknown>);
      setAt(c, p, rng.pick(values));
      cases.push({ kind: `bad ${p.join('.')}`, config: c, valid: false });
    }
  }
  for (const p of REQUIRED) {
    const c = structuredClone(base) as Record<string, unknown>;
    setAt(c, p, undefined, true);
    cases.push({ kind: `missing ${p.join('.')}`, config: c, valid: false });
  }
  for (const whole of [null, [], 'config', 42, true]) cases.push({ kind: 'config not an object', config: whole, valid: false });
  for (const [p, values] of GOOD_VALUES) {
    for (const value of values) {
      const c = structuredClone(base) as Record<string, unknown>;
      setAt(c, p, value);
      cases.push({ kind: `good ${p.join('.')}`, config: c, valid: true });
    }
  }
  return cases;
}
