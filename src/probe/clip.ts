/**
 * One clip, one question, in one call: the plumbing a probe needs (pixels, prompt, merged grid,
 * M-RoPE ids, probe context, compiled interventions, forward, softmax) done once, so a researcher
 * writes `probeClip(model, { video, question, answer }, [interFrame({ layers: [3] })])` and reads
 * P_C with both next-token distributions, or `inspectClip(...)` and reads hidden states and
 * attention probabilities of one run — the idea of nnsight's `trace` block and TransformerLens'
 * `run_with_cache`, with interventions given as data rather than hooks.
 */
import { TempolabError } from '../engine/errors.js';
import type { HostTensor } from '../engine/runtime.js';
import { temporalAttentionLayers } from '../models/config.js';
import { ropeIndex, temporalPositionScale } from '../models/positionIds.js';
import { encodeVideoQuestion } from '../models/prompt.js';
import { videoToPixelValues, type PixelValues } from '../models/processor.js';
import type { PromptSpans } from '../models/spans.js';
import type { OutputName, VideoLM } from '../models/videoLM.js';
import { compileInterventions } from './compile.js';
import type { ProbeContext } from './context.js';
import type { Intervention } from './interventions.js';
import { groundTruthProbabilityChange } from './pc.js';

/** Raw RGB frames, uint8 [count, height, width, 3] (what `decodeVideo` and `Dataset.frames` give). */
export interface ClipVideo {
  frames: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** Seconds per temporal group (Qwen2.5-VL's absolute-time M-RoPE); absent for Qwen2-VL. */
  secondPerGridT?: number;
}

export interface ClipQuestion {
  video: ClipVideo;
  /** The full prompt text, e.g. a benchmark question with its format's instruction line. */
  question: string;
}

/** A clip prepared for a model: prompt, spans and the probe context, with forward runs on demand. */
export class PreparedClip {
  readonly context: ProbeContext;
  readonly inputIds: number[];
  readonly spans: PromptSpans;
  private readonly plain: PixelValues;

  constructor(readonly model: VideoLM, readonly clip: ClipQuestion) {
    const tokenizer = model.tokenizer;
    if (!tokenizer) throw new TempolabError('the model has no tokenizer.json; probes need it to write prompts');
    const { video } = clip;
    const cfg = model.config;
    this.plain = videoToPixelValues(video.frames, video.count, video.height, video.width, cfg.vision_config);
    const grid = this.plain.grid;
    const prompt = encodeVideoQuestion(tokenizer, { question: clip.question, videoTokens: model.mergedTokens(grid), temporalGroups: grid.t });
    const merge = cfg.vision_config.spatial_merge_size;
    const mergedGrid = { t: grid.t, h: grid.h / merge, w: grid.w / merge };
    this.inputIds = prompt.inputIds;
    this.spans = prompt.spans;
    this.context = {
      spans: prompt.spans,
      numLayers: cfg.num_hidden_layers,
      positionIds: ropeIndex(prompt.inputIds, cfg.video_token_id, mergedGrid, temporalPositionScale(cfg.vision_config, video.secondPerGridT)),
      mergedGrid,
      rawFrames: video.count,
      vision: { depth: cfg.vision_config.depth, staBlocks: temporalAttentionLayers(cfg.vision_config) },
    };
  }

  /** One forward pass with the interventions applied; `outputs` as VideoLM.forward names them. */
  async run(interventions: readonly Intervention[], outputs: readonly OutputName[] = ['logits']): Promise<{ logits: Float32Array; extra: Record<string, HostTensor> }> {
    const inputs = compileInterventions(interventions, this.context);
    const { video } = this.clip;
    const identity = inputs.frameOrder.every((f, i) => f === i);
    const pixels = identity ? this.plain : videoToPixelValues(video.frames, video.count, video.height, video.width, this.model.config.vision_config, inputs.frameOrder);
    const grid = this.plain.grid;
    const out = await this.model.forward({
      inputIds: this.inputIds,
      pixelValuesVideos: pixels.data,
      videoGridThw: [grid.t, grid.h, grid.w],
      ...(video.secondPerGridT ? { secondPerGridT: video.secondPerGridT } : {}),
      positionIds: inputs.positionIds,
      layerPositionIds: inputs.layerPositionIds,
      decoderMask: inputs.decoderMask,
      decoderRope: inputs.decoderRope,
      ...(inputs.visionTemporalMask ? { visionTemporalMask: inputs.visionTemporalMask } : {}),
      ...(inputs.visionTemporalRope ? { visionTemporalRope: inputs.visionTemporalRope } : {}),
      ...(inputs.visionTemporalGate ? { visionTemporalGate: inputs.visionTemporalGate } : {}),
    }, outputs);
    return { logits: out.logits, extra: out.extra };
  }

  /** The next-token distribution at the last prompt token (softmax of its logits, in float64). */
  async distribution(interventions: readonly Intervention[]): Promise<Float64Array> {
    const { logits } = await this.run(interventions, ['logits']);
    return softmaxRow(logits, this.spans.lastToken, this.model.config.vocab_size);
  }

  /** The token whose probability P_C reads: the answer's first token. */
  answerToken(answer: string): number {
    const token = this.model.tokenizer!.encode(answer)[0];
    if (token === undefined) throw new TempolabError(`the answer '${answer}' has no tokens; pass the ground-truth answer text`);
    return token;
  }
}

export function softmaxRow(logits: Float32Array, row: number, vocab: number): Float64Array {
  const out = new Float64Array(vocab);
  const offset = row * vocab;
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += out[i] = Math.exp(logits[offset + i]! - max);
  for (let i = 0; i < vocab; i++) out[i]! /= sum;
  return out;
}

export interface ClipProbe {
  /** P̃ − P of the answer's first token. */
  pc: number;
  answerToken: number;
  /** P: without interventions (or with `options.baseline`). */
  baseline: { probability: number; distribution: Float64Array };
  /** P̃: with the interventions. */
  intervened: { probability: number; distribution: Float64Array };
}

/**
 * P_C of one clip and question under `interventions`, with both next-token distributions.
 * `options.baseline` sets what P is measured with (default: the unmodified model), as the paper's
 * Fig. 8 and Fig. 9 measure P on an already-modified input.
 */
export async function probeClip(model: VideoLM, clip: ClipQuestion & { answer: string }, interventions: readonly Intervention[], options: { baseline?: readonly Intervention[] } = {}): Promise<ClipProbe> {
  if (typeof clip.answer !== 'string' || clip.answer.trim() === '') throw new TempolabError('probeClip needs the ground-truth answer text ({ video, question, answer })');
  const prepared = new PreparedClip(model, clip);
  const token = prepared.answerToken(clip.answer);
  const before = await prepared.distribution(options.baseline ?? []);
  const after = await prepared.distribution(interventions);
  return {
    pc: groundTruthProbabilityChange(before[token]!, after[token]!),
    answerToken: token,
    baseline: { probability: before[token]!, distribution: before },
    intervened: { probability: after[token]!, distribution: after },
  };
}

export interface InspectOptions {
  interventions?: readonly Intervention[];
  /** Default: logits, hidden_states and attentions. */
  outputs?: readonly OutputName[];
}

export interface ClipInspection {
  inputIds: number[];
  spans: PromptSpans;
  /** [S·vocab] */
  logits: Float32Array;
  /** Every other requested output by name, e.g. hidden_states [L+1, S, hidden] and attentions [L, heads, S, S]. */
  outputs: Record<string, HostTensor>;
  /**
   * The tensor `name` at index `i` of its first axis — the layer axis of the stacked outputs
   * (hidden_states [L+1, B, S, hidden], attentions [L, B, heads, S, S]) — as a view with its shape.
   */
  layer(name: string, i: number): { data: Float32Array; dims: number[] };
}

/** One run of a clip with the interventions applied, keeping the internals asked for. */
export async function inspectClip(model: VideoLM, clip: ClipQuestion, options: InspectOptions = {}): Promise<ClipInspection> {
  const prepared = new PreparedClip(model, clip);
  const outputs = options.outputs ?? ['logits', 'hidden_states', 'attentions'];
  const wanted = outputs.includes('logits') ? outputs : (['logits', ...outputs] as OutputName[]);
  const { logits, extra } = await prepared.run(options.interventions ?? [], wanted);
  return {
    inputIds: prepared.inputIds,
    spans: prepared.spans,
    logits,
    outputs: extra,
    layer(name, i) {
      const t = extra[name];
      if (!t) throw new TempolabError(`output '${name}' was not requested; pass it in options.outputs (got ${Object.keys(extra).join(', ') || 'none'})`);
      const [first, ...rest] = t.shape;
      if (!Number.isInteger(i) || i < 0 || i >= first!) throw new TempolabError(`${name} has ${first} entries on its first axis; index ${i} is outside`);
      const size = rest.reduce((a, b) => a * b, 1);
      return { data: (t.data as Float32Array).subarray(i * size, (i + 1) * size), dims: rest };
    },
  };
}
