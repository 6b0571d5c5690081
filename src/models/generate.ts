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

const decodeSessions = new WeakMap<VideoLM, Map<number, Promise<CompiledGraph>>>();

function decodeSession(model: VideoLM, capacity: number): Promise<CompiledGraph> {
  let byCapacity = decodeSessions.get(model);
  if (!byCapacity) decodeSessions.set(model, (byCapacity = new Map()));
  let s = byCapacity.get(capacity);
  if (!s) {
    s = compile(traceDecodeStep(model.config, 1, capacity));
    byCapacity.set(capacity, s);
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

/** Generates a continuation of one prompt (with its video). */
export async function generate(model: VideoLM, prompt: ForwardRequest, options: GenerateOptions = {}): Promise<Generation> {
  const cfg = model.config;
  const maxNew = options.maxNewTokens ?? 32;
  if (!(Number.isInteger(maxNew) && maxNew >= 1)) throw new TempolabError(`maxNewTokens must be a positive integer, got ${maxNew}`);
  const stop = new Set(options.stopTokens ?? [cfg.eos_token_id].flat());
  const rng = new Random(options.seed ?? 0);
  const suppressed = new Set(options.suppressTokens ?? [cfg.video_token_id, cfg.image_token_id, cfg.vision_start_token_id, cfg.vision_end_token_id].filter((t): t is number => t !== undefined));
  const seq = prompt.inputIds.length;
  const layers = cfg.num_hidden_layers;
  const kvHeads = cfg.num_key_value_heads;
  const hd = headDim(cfg);
  const vocab = cfg.vocab_size;

  const prefill = await model.forward(prompt, ['logits', 'present_keys', 'present_values']);
  const capacity = Math.ceil((seq + maxNew) / 32) * 32;
  const keys = new Float32Array(layers * kvHeads * capacity * hd);
  const values = new Float32Array(layers * kvHeads * capacity * hd);
  const store = (src: Float32Array, dst: Float32Array, rows: number, at: number) => {
    // src [L, 1, kvHeads, rows, hd] → dst [L, 1, kvHeads, capacity, hd] at slot `at`.
    for (let l = 0; l < layers; l++)
      for (let h = 0; h < kvHeads; h++)
        dst.set(src.subarray(((l * kvHeads + h) * rows) * hd, ((l * kvHeads + h) * rows + rows) * hd), ((l * kvHeads + h) * capacity + at) * hd);
  };
  store(prefill.extra.present_keys!.data as Float32Array, keys, seq, 0);
  store(prefill.extra.present_values!.data as Float32Array, values, seq, 0);

  // Decoding continues past the prompt's largest position id, as text after the video does.
  const promptIds = prompt.positionIds ?? null;
  let nextPosition = promptIds ? Math.max(...promptIds.flat()) + 1 : positionAfter(model, prompt);
  const rope = prompt.decoderRope ?? new Float32Array(layers).fill(1);
  const session = await decodeSession(model, capacity);

  const tokens: number[] = [];
  const stepLogits: Float32Array[] = [];
  let logits: Float32Array = (prefill.logits as Float32Array).slice((seq - 1) * vocab, seq * vocab);
  let filled = seq;
  for (let step = 0; step < maxNew; step++) {
    stepLogits.push(logits);
    const token = pick(logits, options.temperature ?? 0, rng, suppressed);
    tokens.push(token);
    if (stop.has(token)) return { tokens, stepLogits, stoppedBy: 'stop-token' };
    if (step === maxNew - 1) break;
    const mask = new Float32Array(layers * (capacity + 1));
    for (let l = 0; l < layers; l++) mask.fill(-Infinity, l * (capacity + 1) + filled, l * (capacity + 1) + capacity);
    const out = await session.run(new Map<string, Float32Array | BigInt64Array>([
      ...[...model.params].map(([k, p]) => [k, p.data] as [string, Float32Array]),
      ['input_ids', BigInt64Array.of(BigInt(token))],
      ['position_ids', BigInt64Array.of(BigInt(nextPosition), BigInt(nextPosition), BigInt(nextPosition))],
      ['decoder_mask', mask],
      ['decoder_rope', rope],
      ['past_keys', keys],
      ['past_values', values],
    ]));
    store(out.present_keys!.data as Float32Array, keys, 1, filled);
    store(out.present_values!.data as Float32Array, values, 1, filled);
    filled++;
    nextPosition++;
    logits = out.logits!.data as Float32Array;
  }
  return { tokens, stepLogits, stoppedBy: 'max-tokens' };
}

function positionAfter(model: VideoLM, prompt: ForwardRequest): number {
  const feeds = model.feeds([prompt]);
  const ids = feeds.inputs.position_ids as BigInt64Array;
  let max = 0n;
  for (const v of ids) if (v > max) max = v;
  return Number(max) + 1;
}
