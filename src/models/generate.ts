/**
 * Generation: one prefill pass over the prompt (which also returns every layer's keys and values),
 * then one decode step per new token against a fixed-capacity KV cache. Empty cache slots are masked,
 * so a single compiled decode graph serves the whole answer.
 */
import { TempolabError } from '../engine/errors.js';
import { Random } from '../engine/random.js';
import { compile, type CompiledGraph } from '../engine/runtime.js';
import { headDim } from './config.js';
import { traceDecodeStep } from './graph.js';
import type { ForwardRequest, VideoLM } from './videoLM.js';

export interface GenerateOptions {
  maxNewTokens?: number;
  /** 0 = greedy. */
  temperature?: number;
  seed?: number;
  /** Token ids that end generation (default: the config's eos ids). */
  stopTokens?: number[];
  /** Token ids never generated (default: the vision placeholders, which only the processor may place). */
  suppressTokens?: number[];
}

export interface Generation {
  tokens: number[];
  /** Logits [vocab] that produced each new token, for first-token probabilities and tests. */
  stepLogits: Float32Array[];
  stoppedBy: 'stop-token' | 'max-tokens';
}

const decodeSessions = new WeakMap<VideoLM, Map<string, Promise<CompiledGraph>>>();

function decodeSession(model: VideoLM, capacities: number[]): Promise<CompiledGraph> {
  let byCapacity = decodeSessions.get(model);
  if (!byCapacity) decodeSessions.set(model, (byCapacity = new Map()));
  const key = capacities.join(',');
  let s = byCapacity.get(key);
  if (!s) {
    s = compile(traceDecodeStep(model.config, 1, capacities));
    byCapacity.set(key, s);
  }
  return s;
}

function pick(logits: Float32Array, temperature: number, rng: Random, suppressed: Set<number>): number {
  let best = -1;
  for (let i = 0; i < logits.length; i++) if (!suppressed.has(i) && (best < 0 || logits[i]! > logits[best]!)) best = i;
  if (temperature <= 0) return best;
  let sum = 0;
  const weights = Array.from(logits, (l, i) => (suppressed.has(i) ? 0 : Math.exp((l - logits[best]!) / temperature)));
  for (const w of weights) sum += w;
  let r = rng.next() * sum;
  for (let i = 0; i < weights.length; i++) if ((r -= weights[i]!) <= 0) return i;
  return best;
}

/** A prompt after its prefill pass: what decoding needs to continue it. */
export interface Prefilled {
  /** Logits [vocab] at the last prompt token. */
  logits: Float32Array;
  /** Per layer, the cached keys and values [1, kvHeads, n_l, hd] (n_l = cachedLengths[l]). */
  keys: Float32Array[];
  values: Float32Array[];
  cachedLengths: number[];
  /** The position id the first generated token takes. */
  nextPosition: number;
  decoderRope: Float32Array;
}

/**
 * Prefills several prompts in one batch, right-padded to a common length (a multiple of 8): causal
 * attention keeps padding from touching the real tokens, whose keys, values and last logits are
 * sliced out per prompt. Per-prompt masks and switches must be equal across the batch.
 */
export async function prefillBatch(model: VideoLM, prompts: ForwardRequest[]): Promise<Prefilled[]> {
  const cfg = model.config;
  const layers = cfg.num_hidden_layers;
  const kvHeads = cfg.num_key_value_heads;
  const hd = headDim(cfg);
  const vocab = cfg.vocab_size;
  const lengths = prompts.map((p) => p.inputIds.length);
  const padded = prompts.length === 1 ? lengths[0]! : Math.ceil(Math.max(...lengths) / 8) * 8;
  const pad = [cfg.eos_token_id].flat()[0]!;
  const requests = prompts.map((p) => {
    const extra = padded - p.inputIds.length;
    if (extra === 0) return p;
    if (p.decoderMask || p.layerPositionIds) throw new TempolabError('prompts with custom decoder masks or per-layer position ids must be prefilled one at a time (their length fixes them)');
    const positionIds = p.positionIds?.map((row) => [...row, ...Array.from({ length: extra }, (_, k) => Math.max(...row) + 1 + k)]);
    return { ...p, inputIds: [...Array.from(p.inputIds), ...new Array<number>(extra).fill(pad)], positionIds };
  });
  const feeds = model.feeds(requests);
  const out = await model.run(feeds, ['logits', 'present_keys', 'present_values']);
  const allKeys = out.extra.present_keys!.data as Float32Array;
  const allValues = out.extra.present_values!.data as Float32Array;
  const b = prompts.length;
  const positions = feeds.inputs.position_ids as BigInt64Array;
  return prompts.map((p, i) => {
    const len = lengths[i]!;
    // all: [L, B, kvHeads, padded, hd] → per layer [1, kvHeads, len, hd]
    const slice = (all: Float32Array, l: number) => {
      const part = new Float32Array(kvHeads * len * hd);
      for (let h = 0; h < kvHeads; h++) {
        const src = (((l * b + i) * kvHeads + h) * padded) * hd;
        part.set(all.subarray(src, src + len * hd), h * len * hd);
      }
      return part;
    };
    return {
      logits: out.logits.slice((i * padded + len - 1) * vocab, (i * padded + len) * vocab),
      keys: Array.from({ length: layers }, (_, l) => slice(allKeys, l)),
      values: Array.from({ length: layers }, (_, l) => slice(allValues, l)),
      cachedLengths: new Array<number>(layers).fill(len),
      nextPosition: nextPositionId(positions, i, padded, len),
      decoderRope: p.decoderRope ?? new Float32Array(layers).fill(1),
    };
  });
}

/**
 * The position id the first generated token takes: one past the largest id of sequence `index`'s
 * first `length` tokens, read from the layer-0 rows of a `position_ids` feed [L, B, 3, seqPadded]
 * (per-layer overrides permute ids, they never raise the largest one).
 */
export function nextPositionId(positionIds: BigInt64Array, index: number, seqPadded: number, length: number): number {
  let max = 0n;
  for (let k = 0; k < 3; k++)
    for (let s = 0; s < length; s++) {
      const id = positionIds[(index * 3 + k) * seqPadded + s]!;
      if (id > max) max = id;
    }
  return Number(max) + 1;
}

/** Generates a continuation of one prompt (with its video). */
export async function generate(model: VideoLM, prompt: ForwardRequest, options: GenerateOptions = {}): Promise<Generation> {
  return decode(model, (await prefillBatch(model, [prompt]))[0]!, options);
}

/** Greedy or sampled decoding from a prefilled prompt, one cached step per token. */
export async function decode(model: VideoLM, prefilled: Prefilled, options: GenerateOptions = {}): Promise<Generation> {
  const cfg = model.config;
  const maxNew = options.maxNewTokens ?? 32;
  if (!(Number.isInteger(maxNew) && maxNew >= 1)) throw new TempolabError(`maxNewTokens must be a positive integer, got ${maxNew}`);
  const stop = new Set(options.stopTokens ?? [cfg.eos_token_id].flat());
  const rng = new Random(options.seed ?? 0);
  const suppressed = new Set(options.suppressTokens ?? [cfg.video_token_id, cfg.image_token_id, cfg.vision_start_token_id, cfg.vision_end_token_id].filter((t): t is number => t !== undefined));
  const layers = cfg.num_hidden_layers;
  const kvHeads = cfg.num_key_value_heads;
  const hd = headDim(cfg);
  // Each layer's cache: its prompt entries, then room for the generated tokens.
  const capacities = prefilled.cachedLengths.map((n) => Math.ceil((n + maxNew) / 32) * 32);
  const keys = capacities.map((c) => new Float32Array(kvHeads * c * hd));
  const values = capacities.map((c) => new Float32Array(kvHeads * c * hd));
  const store = (src: Float32Array, dst: Float32Array, rows: number, capacity: number, at: number) => {
    // src [1, kvHeads, rows, hd] → dst [1, kvHeads, capacity, hd] at slot `at`.
    for (let h = 0; h < kvHeads; h++) dst.set(src.subarray(h * rows * hd, (h + 1) * rows * hd), (h * capacity + at) * hd);
  };
  for (let l = 0; l < layers; l++) {
    store(prefilled.keys[l]!, keys[l]!, prefilled.cachedLengths[l]!, capacities[l]!, 0);
    store(prefilled.values[l]!, values[l]!, prefilled.cachedLengths[l]!, capacities[l]!, 0);
  }
  const session = await decodeSession(model, capacities);

  const tokens: number[] = [];
  const stepLogits: Float32Array[] = [];
  let logits = prefilled.logits;
  const filled = [...prefilled.cachedLengths];
  let nextPosition = prefilled.nextPosition;
  for (let step = 0; step < maxNew; step++) {
    stepLogits.push(logits);
    const token = pick(logits, options.temperature ?? 0, rng, suppressed);
    tokens.push(token);
    if (stop.has(token)) return { tokens, stepLogits, stoppedBy: 'stop-token' };
    if (step === maxNew - 1) break;
    const feeds = new Map<string, Float32Array | BigInt64Array>([
      ...[...model.params].map(([k, p]) => [k, p.data] as [string, Float32Array]),
      ['input_ids', BigInt64Array.of(BigInt(token))],
      ['position_ids', BigInt64Array.of(BigInt(nextPosition), BigInt(nextPosition), BigInt(nextPosition))],
      ['decoder_rope', prefilled.decoderRope],
    ]);
    for (let l = 0; l < layers; l++) {
      const mask = new Float32Array(capacities[l]! + 1);
      mask.fill(-Infinity, filled[l]!, capacities[l]!);
      feeds.set(`decoder_mask.${l}`, mask);
      feeds.set(`past_keys.${l}`, keys[l]!);
      feeds.set(`past_values.${l}`, values[l]!);
    }
    const out = await session.run(feeds);
    for (let l = 0; l < layers; l++) {
      store(out[`present_keys.${l}`]!.data as Float32Array, keys[l]!, 1, capacities[l]!, filled[l]!);
      store(out[`present_values.${l}`]!.data as Float32Array, values[l]!, 1, capacities[l]!, filled[l]!);
      filled[l]!++;
    }
    nextPosition++;
    logits = out.logits!.data as Float32Array;
  }
  return { tokens, stepLogits, stoppedBy: 'max-tokens' };
}
