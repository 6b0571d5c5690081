/**
 * The VideoLM as one traced graph: vision encoder → merged video embeddings spliced into the token
 * embeddings → Qwen2 decoder with M-RoPE → logits. Every probe handle (masks, RoPE switches,
 * position ids) is an input, every inspectable quantity an output; a compiled session lowers only
 * the outputs it asks for.
 */
import { crossEntropy, matmul, stack } from '../engine/composite.js';
import { concat, gatherRows, reshape } from '../engine/ops.js';
import { Graph, type Tensor } from '../engine/graph.js';
import { Scope } from '../engine/scope.js';
import { headDim, mropeSection, type VideoLMConfig } from './config.js';
import { decoderLayer, languageModelHead, layerSlice } from './decoder.js';
import { loraAdapter } from './lora.js';
import { multimodalRotary } from './rotary.js';
import { visionEncoder, type VideoGrid, type VisionTrace } from './visionEncoder.js';

export interface ForwardShape {
  batch: number;
  /** Tokens per sequence (prompt + answer, padded). */
  seq: number;
  /** Patch grid before merging. */
  grid: VideoGrid;
  /** Add a `labels` input and a `loss` output (teacher-forced cross-entropy). */
  withLoss?: boolean;
  /** decoder_mask has a head axis, [L, heads, S, S] (per-head probes); default [L, S, S]. */
  headMasks?: boolean;
  /**
   * The video tokens are the clip's scene written as words — `scene_bags` [B, M, vocab], each video
   * token a bag of the words (colour, shape) of what it shows — instead of the vision encoder's
   * output: the decoder learns to read a video from perfect perception (scene reading, bench:binding).
   */
  sceneTokens?: boolean;
}

export const mergedTokens = (cfg: VideoLMConfig, grid: VideoGrid): number => (grid.t * grid.h * grid.w) / cfg.vision_config.spatial_merge_size ** 2;

/** A graph that applies the config's LoRA adapters to the parameters the model asks for. */
function newGraph(cfg: VideoLMConfig): Graph {
  const g = new Graph();
  if (cfg.tempolab_lora) g.adapter = loraAdapter(cfg.tempolab_lora);
  return g;
}

/** What the decoder starts from: token embeddings with the video's merged features spliced in. */
export interface VideoLMInputs {
  graph: Graph;
  root: Scope;
  /** [B, S, hidden] */
  embeddings: Tensor;
  /** The token embedding table (also the tied lm_head). */
  embedTokens: Tensor;
  videoEmbeds: Tensor;
  visionTrace: VisionTrace;
}

/** A scene written as words: each video token is the sum of its words' embeddings ([B, M, vocab] bags → [B, M, hidden]). */
export function sceneEmbeddings(bags: Tensor, embedTokens: Tensor): Tensor {
  return matmul(bags, embedTokens);
}

/** Declares the model's inputs and computes the decoder's input embeddings (vision encoder included). */
export function videoLMInputs(cfg: VideoLMConfig, shape: ForwardShape): VideoLMInputs {
  const g = newGraph(cfg);
  const root = new Scope(g);
  const v = cfg.vision_config;
  const { batch: b, seq: s, grid } = shape;
  const n = grid.h * grid.w;
  const patchDim = v.in_chans * v.temporal_patch_size * v.patch_size ** 2;

  const visionTrace: VisionTrace = { hiddenStates: [], spatialAttentions: [], temporalAttentions: [] };
  const encoded = shape.sceneTokens
    ? null
    : visionEncoder(root.sub('visual'), g.input('pixel_values_videos', [b, grid.t * n, patchDim]), grid, v, {
        spatialMask: g.input('vision_spatial_mask', [v.depth, n, n]),
        temporalMask: g.input('vision_temporal_mask', [v.depth, grid.t, grid.t]),
        spatialRope: g.input('vision_spatial_rope', [v.depth]),
        temporalRope: g.input('vision_temporal_rope', [v.depth]),
        temporalGate: g.input('vision_temporal_gate', [v.depth]),
      }, visionTrace);
  const embedTokens = root.sub('model').sub('embed_tokens').param('weight', [cfg.vocab_size, cfg.hidden_size], { kind: 'normal', std: 0.02 });
  const videoEmbeds = encoded ?? sceneEmbeddings(g.input('scene_bags', [b, mergedTokens(cfg, grid), cfg.vocab_size]), embedTokens);
  const m = videoEmbeds.shape[1]!;

  // Video pad tokens take the merger's outputs: gather from [token embeddings ; video embeddings]
  // with a host-computed index, so where the video sits in the prompt is data, not graph structure.
  const tokenEmbeds = gatherRows(embedTokens, g.input('input_ids', [b, s], 'int64'));
  const pool = concat([reshape(tokenEmbeds, [b * s, cfg.hidden_size]), reshape(videoEmbeds, [b * m, cfg.hidden_size])], 0);
  const embeddings = gatherRows(pool, g.input('embed_index', [b, s], 'int64'));
  return { graph: g, root, embeddings, embedTokens, videoEmbeds, visionTrace };
}

/** Traces the whole VideoLM for one input shape. */
export function traceVideoLM(cfg: VideoLMConfig, shape: ForwardShape): Graph {
  const { graph: g, root, embeddings, embedTokens, videoEmbeds, visionTrace } = videoLMInputs(cfg, shape);
  const { batch: b, seq: s } = shape;
  const layers = cfg.num_hidden_layers;
  let x = embeddings;

  // Position ids per layer, so a probe can change them in one layer only (Fig. 3 of Causality Matters).
  const positionIds = g.input('position_ids', [layers, b, 3, s], 'int64');
  const masks = g.input('decoder_mask', shape.headMasks ? [layers, cfg.num_attention_heads, s, s] : [layers, s, s]);
  const ropeSwitches = g.input('decoder_rope', [layers]);
  const hidden: Tensor[] = [x];
  const attentions: Tensor[] = [];
  const keys: Tensor[] = [];
  const values: Tensor[] = [];
  for (let i = 0; i < layers; i++) {
    const rotary = multimodalRotary(layerSlice(positionIds, i), headDim(cfg), cfg.rope_theta, mropeSection(cfg));
    const out = decoderLayer(root.sub('model').sub('layers').sub(i), x, cfg, { mask: layerSlice(masks, i), rope: layerSlice(ropeSwitches, i), ...rotary });
    x = out.x;
    hidden.push(x);
    attentions.push(out.attention!);
    keys.push(out.k);
    values.push(out.v);
  }
  const logits = languageModelHead(root, x, cfg, embedTokens);

  g.output('logits', logits);
  g.output('video_embeds', videoEmbeds);
  g.output('hidden_states', stack(hidden));
  g.output('attentions', stack(attentions));
  g.output('present_keys', stack(keys));
  g.output('present_values', stack(values));
  if (visionTrace.hiddenStates.length) {
    g.output('vision_hidden_states', stack(visionTrace.hiddenStates));
    g.output('vision_spatial_attentions', stack(visionTrace.spatialAttentions));
  }
  if (visionTrace.temporalAttentions.length) g.output('vision_temporal_attentions', stack(visionTrace.temporalAttentions));
  if (shape.withLoss) g.output('loss', crossEntropy(logits, g.input('labels', [b, s], 'int64')));
  return g;
}

/**
 * One KV-cache decoding step: the new token [B, 1] attends to each layer's fixed-capacity cache
 * (`past_keys.{l}` [B, kvHeads, C_l, hd]) plus itself. Empty slots are masked by `decoder_mask.{l}`
 * [1, C_l + 1], so one compiled graph serves every step until a cache is full. Capacities may differ
 * by layer (strategies that drop frame tokens from some layers' caches).
 */
export function traceDecodeStep(cfg: VideoLMConfig, batch: number, capacities: readonly number[]): Graph {
  const g = newGraph(cfg);
  const root = new Scope(g);
  const hd = headDim(cfg);
  const kvHeads = cfg.num_key_value_heads;
  const embedTokens = root.sub('model').sub('embed_tokens').param('weight', [cfg.vocab_size, cfg.hidden_size], { kind: 'normal', std: 0.02 });
  let x = gatherRows(embedTokens, g.input('input_ids', [batch, 1], 'int64'));
  const rotary = multimodalRotary(g.input('position_ids', [batch, 3, 1], 'int64'), hd, cfg.rope_theta, mropeSection(cfg));
  const ropeSwitches = g.input('decoder_rope', [cfg.num_hidden_layers]);
  capacities.forEach((capacity, i) => {
    const out = decoderLayer(root.sub('model').sub('layers').sub(i), x, cfg, {
      mask: g.input(`decoder_mask.${i}`, [1, capacity + 1]),
      rope: layerSlice(ropeSwitches, i),
      ...rotary,
      past: { k: g.input(`past_keys.${i}`, [batch, kvHeads, capacity, hd]), v: g.input(`past_values.${i}`, [batch, kvHeads, capacity, hd]) },
    });
    x = out.x;
    g.output(`present_keys.${i}`, out.k);
    g.output(`present_values.${i}`, out.v);
  });
  g.output('logits', languageModelHead(root, x, cfg, embedTokens));
  return g;
}
