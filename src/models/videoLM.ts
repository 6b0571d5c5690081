/**
 * VideoLM: a Qwen2-VL-style Video-LLM (optionally with STA) bound to its parameters. It builds the
 * run-time inputs (embedding index, default masks, switches, position ids), runs the traced graph on
 * onnxruntime, and caches compiled graphs by input shape.
 */
import { TempolabError } from '../engine/errors.js';
import type { Graph } from '../engine/graph.js';
import type { ParameterStore } from '../engine/parameters.js';
import { compile, type CompiledGraph, type Feed, type HostTensor } from '../engine/runtime.js';
import type { VideoLMConfig } from './config.js';
import { mergedTokens, traceVideoLM, type ForwardShape } from './graph.js';
import { ropeIndex, temporalPositionScale } from './positionIds.js';
import type { TextTokenizer } from './tokenizer/index.js';
import type { VideoGrid } from './visionEncoder.js';

/** One sequence's inputs. Optional fields default to the unmodified model. */
export interface ForwardRequest {
  inputIds: ArrayLike<number>;
  /** HF processor layout [T·H·W, 3·2·p·p]. */
  pixelValuesVideos: Float32Array;
  /** Patch grid before merging: [t, h, w]. */
  videoGridThw: readonly [number, number, number];
  /** M-RoPE ids [3][S]; default: Qwen2-VL / Qwen2.5-VL get_rope_index. */
  positionIds?: number[][];
  /** Qwen2.5-VL: seconds one temporal group spans (temporal_patch_size / sampling fps); default 1. */
  secondPerGridT?: number;
  /** Per decoder layer, ids [3][S] that replace `positionIds` in that layer only (null = no change). */
  layerPositionIds?: readonly (number[][] | null)[];
  /** Additive decoder masks [L·S·S], causal structure included; default causal. */
  decoderMask?: Float32Array;
  /** 0/1 per decoder layer; default all 1. */
  decoderRope?: Float32Array;
  visionSpatialMask?: Float32Array;
  visionTemporalMask?: Float32Array;
  visionSpatialRope?: Float32Array;
  visionTemporalRope?: Float32Array;
  /** Per vision block, the weight of STA's update (0 = STA off in that block); default all 1. */
  visionTemporalGate?: Float32Array;
  /** Teacher-forcing targets [S] (−100 = ignored), needed for the `loss` output. */
  labels?: ArrayLike<number>;
}

export type OutputName =
  | 'logits' | 'video_embeds' | 'hidden_states' | 'attentions' | 'present_keys' | 'present_values'
  | 'vision_hidden_states' | 'vision_spatial_attentions' | 'vision_temporal_attentions' | 'loss';

export interface ForwardResult {
  /** [B·S·vocab] */
  logits: Float32Array;
  /** [B·M·hidden] */
  videoEmbeds: Float32Array;
  /** Any other requested outputs, by name. */
  extra: Record<string, HostTensor>;
}

export function causalDecoderMask(layers: number, seq: number): Float32Array {
  const mask = new Float32Array(layers * seq * seq);
  for (let l = 0; l < layers; l++)
    for (let i = 0; i < seq; i++) for (let j = i + 1; j < seq; j++) mask[(l * seq + i) * seq + j] = -Infinity;
  return mask;
}

export class VideoLM {
  private readonly graphs = new Map<string, Graph>();
  private readonly sessions = new Map<string, Promise<CompiledGraph>>();

  constructor(
    readonly config: VideoLMConfig,
    public params: ParameterStore,
    readonly tokenizer?: TextTokenizer,
    /** What loading decided (inferred STA, renamed tensors…), for the user to read. */
    readonly loadLog: string[] = [],
  ) {}

  /** The traced graph for one input shape (cached). */
  graph(shape: ForwardShape): Graph {
    const key = JSON.stringify(shape);
    let g = this.graphs.get(key);
    if (!g) {
      g = traceVideoLM(this.config, shape);
      this.graphs.set(key, g);
    }
    return g;
  }

  /** A compiled session producing `outputs` for `shape` (cached). */
  session(shape: ForwardShape, outputs: readonly OutputName[]): Promise<CompiledGraph> {
    const key = `${JSON.stringify(shape)}|${outputs.join(',')}`;
    let s = this.sessions.get(key);
    if (!s) {
      const g = this.graph(shape);
      const wanted = Object.fromEntries(outputs.map((o) => {
        const t = g.outputs.get(o);
        if (!t) throw new TempolabError(`output '${o}' does not exist for this model (vision_temporal_attentions needs STA; loss needs labels)`);
        return [o, t];
      }));
      s = compile(g, wanted);
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  mergedTokens(grid: VideoGrid): number {
    return mergedTokens(this.config, grid);
  }

  /** Runs one sequence. */
  async forward(request: ForwardRequest, outputs: readonly OutputName[] = ['logits', 'video_embeds']): Promise<ForwardResult> {
    return this.forwardBatch([request], outputs);
  }

  /**
   * Runs several sequences of the same length and grid as one batch. Masks and RoPE switches are
   * shared by the batch: they are taken from the first request.
   */
  async forwardBatch(requests: ForwardRequest[], outputs: readonly OutputName[] = ['logits', 'video_embeds']): Promise<ForwardResult> {
    return this.run(this.feeds(requests, outputs.includes('loss')), outputs);
  }

  /** Runs inputs already built by `feeds`. */
  async run(feeds: { shape: ForwardShape; inputs: Record<string, Feed> }, outputs: readonly OutputName[]): Promise<ForwardResult> {
    const session = await this.session(feeds.shape, outputs);
    const out = await session.run(new Map<string, Feed>([...Object.entries(feeds.inputs), ...[...this.params].map(([k, p]) => [k, p.data] as [string, Feed])]));
    const extra = Object.fromEntries(Object.entries(out).filter(([k]) => k !== 'logits' && k !== 'video_embeds'));
    return { logits: out.logits?.data as Float32Array, videoEmbeds: out.video_embeds?.data as Float32Array, extra };
  }

  /** Builds every graph input for a batch of requests; validates lengths and the video token count. */
  feeds(requests: ForwardRequest[], withLoss = false): { shape: ForwardShape; inputs: Record<string, Feed> } {
    const cfg = this.config;
    const v = cfg.vision_config;
    if (requests.length === 0) throw new TempolabError('forward: no sequences given');
    const first = requests[0]!;
    const [t, h, w] = first.videoGridThw;
    const grid = { t, h, w };
    const seq = first.inputIds.length;
    const b = requests.length;
    const merged = this.mergedTokens(grid);
    const patchDim = v.in_chans * v.temporal_patch_size * v.patch_size ** 2;
    const layers = cfg.num_hidden_layers;
    const n = h * w;
    const cat = (pick: (r: ForwardRequest) => Float32Array | undefined, size: number, fallback: () => Float32Array, name: string) => {
      const out = new Float32Array(b * size);
      requests.forEach((r, i) => {
        const d = pick(r) ?? fallback();
        if (d.length !== size) throw new TempolabError(`${name} has ${d.length} values, expected ${size}`);
        out.set(d, i * size);
      });
      return out;
    };
    const inputIds = new BigInt64Array(b * seq);
    const embedIndex = new BigInt64Array(b * seq);
    const positionIds = new BigInt64Array(layers * b * 3 * seq);
    const labels = new BigInt64Array(b * seq);
    requests.forEach((r, bi) => {
      if (r.inputIds.length !== seq) throw new TempolabError(`batched sequences must have one length: ${r.inputIds.length} vs ${seq} (pad them)`);
      if (r.videoGridThw.some((d, k) => d !== first.videoGridThw[k])) throw new TempolabError('batched videos must share one grid');
      let video = 0;
      for (let s = 0; s < seq; s++) {
        const id = r.inputIds[s]!;
        if (!(Number.isInteger(id) && id >= 0 && id < cfg.vocab_size)) throw new TempolabError(`token id ${id} at position ${s} is outside the vocabulary [0, ${cfg.vocab_size})`);
        inputIds[bi * seq + s] = BigInt(id);
        embedIndex[bi * seq + s] = BigInt(id === cfg.video_token_id ? b * seq + bi * merged + video++ : bi * seq + s);
      }
      if (video !== merged) throw new TempolabError(`the prompt has ${video} video tokens but a ${t}×${h}×${w} grid merges into ${merged}; build it with videoChatPrompt(…, { videoTokens: ${merged} })`);
      const ids = r.positionIds ?? ropeIndex(r.inputIds, cfg.video_token_id, { t, h: h / v.spatial_merge_size, w: w / v.spatial_merge_size }, temporalPositionScale(v, r.secondPerGridT));
      if (r.layerPositionIds && r.layerPositionIds.length !== layers) throw new TempolabError(`layerPositionIds must have one entry per decoder layer (${layers})`);
      for (let l = 0; l < layers; l++) {
        const layerIds = r.layerPositionIds?.[l] ?? ids;
        if (layerIds.length !== 3 || layerIds.some((row) => row.length !== seq)) throw new TempolabError(`position ids must be [3][${seq}]`);
        layerIds.forEach((row, k) => row.forEach((p, s) => (positionIds[((l * b + bi) * 3 + k) * seq + s] = BigInt(p))));
      }
      if (withLoss) {
        if (!r.labels || r.labels.length !== seq) throw new TempolabError(`labels must have ${seq} entries for the loss`);
        for (let s = 0; s < seq; s++) labels[bi * seq + s] = BigInt(r.labels[s]!);
      }
    });
    const shared = (value: Float32Array | undefined, fallback: () => Float32Array, size: number, name: string) => {
      const d = value ?? fallback();
      if (d.length !== size) throw new TempolabError(`${name} has ${d.length} values, expected ${size}`);
      return d;
    };
    const inputs: Record<string, Feed> = {
      input_ids: inputIds,
      embed_index: embedIndex,
      position_ids: positionIds,
      pixel_values_videos: cat((r) => r.pixelValuesVideos, t * n * patchDim, () => new Float32Array(0), 'pixelValuesVideos'),
      decoder_mask: shared(first.decoderMask, () => causalDecoderMask(layers, seq), layers * seq * seq, 'decoderMask'),
      decoder_rope: shared(first.decoderRope, () => new Float32Array(layers).fill(1), layers, 'decoderRope'),
      vision_spatial_mask: shared(first.visionSpatialMask, () => new Float32Array(v.depth * n * n), v.depth * n * n, 'visionSpatialMask'),
      vision_temporal_mask: shared(first.visionTemporalMask, () => new Float32Array(v.depth * t * t), v.depth * t * t, 'visionTemporalMask'),
      vision_spatial_rope: shared(first.visionSpatialRope, () => new Float32Array(v.depth).fill(1), v.depth, 'visionSpatialRope'),
      vision_temporal_rope: shared(first.visionTemporalRope, () => new Float32Array(v.depth).fill(1), v.depth, 'visionTemporalRope'),
      vision_temporal_gate: shared(first.visionTemporalGate, () => new Float32Array(v.depth).fill(1), v.depth, 'visionTemporalGate'),
    };
    if (withLoss) inputs.labels = labels;
    return { shape: { batch: b, seq, grid, ...(withLoss ? { withLoss: true } : {}) }, inputs };
  }
}
