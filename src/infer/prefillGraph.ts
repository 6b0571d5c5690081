/**
 * The prefill graph with pathway-guided strategies built into its structure, so skipped work is
 * really skipped (no masked full score matrices):
 *  - sparse-q layers: the rows after the video attend over a gathered key subset (text + last frame);
 *  - no-interframe layers: frame rows attend per frame block [prefix ; own frame], batched over frames;
 *  - temporal exit: frame rows are gathered out of the hidden state, and later layers run on the rest.
 * Outputs: logits at the last prompt token only, and each layer's keys/values for the tokens that
 * layer's cache keeps (`present_keys.{l}` [B, kvHeads, n_l, hd]).
 */
import { concat, constant, expand, reshape, slice } from '../engine/ops.js';
import { gather } from '../engine/composite.js';
import type { Graph, Tensor } from '../engine/graph.js';
import { headDim, mropeSection, type VideoLMConfig } from '../models/config.js';
import { decoderLayer, groupedQueryAttention, languageModelHead, layerSlice, type AttentionCore } from '../models/decoder.js';
import { videoLMInputs } from '../models/graph.js';
import { multimodalRotary } from '../models/rotary.js';
import type { VideoGrid } from '../models/visionEncoder.js';
import { cachedTokens, tokensInLayer, videoEnd, type PromptLayout } from './layout.js';
import { inRange, type Strategies } from './strategies.js';

/** Additive causal mask over given row and key positions: key j visible iff position(j) ≤ position(i). */
function causalOver(graph: Graph, rows: readonly number[], keys: readonly number[]): Tensor {
  return constant(graph, rows.flatMap((r) => keys.map((k) => (k <= r ? 0 : -Infinity))), [rows.length, keys.length]);
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

const indexConstant = (graph: Graph, indices: readonly number[]) => constant(graph, indices, [indices.length], 'int64');

/** Attention for a layer where every prompt token is present but some rows see fewer keys. */
function pathwayAttention(graph: Graph, layout: PromptLayout, sparseQuery: boolean, blockFrames: boolean): AttentionCore {
  const v0 = layout.videoStart;
  const v1 = videoEnd(layout);
  const s = layout.seq;
  const n = layout.tokensPerFrame;
  const t = layout.frames;
  return (q, keys, values) => {
    const [b, heads, , hd] = q.shape as [number, number, number, number];
    const kvHeads = keys.shape[1]!;
    const rowsOf = (x: Tensor, from: number, to: number) => slice(x, 2, from, to);
    const parts: Tensor[] = [];
    // Text before the video: ordinary causal attention over itself.
    parts.push(groupedQueryAttention(rowsOf(q, 0, v0), rowsOf(keys, 0, v0), rowsOf(values, 0, v0), causalOver(graph, range(0, v0), range(0, v0))).out);
    if (blockFrames) {
      // Each frame's rows see the prefix and their own frame: [B, H, T, n] rows against [B, kv, T, v0 + n] keys.
      const perFrame = (x: Tensor, h: number) => reshape(rowsOf(x, v0, v1), [b, h, t, n, hd]);
      const withPrefix = (x: Tensor) => concat([expand(reshape(rowsOf(x, 0, v0), [b, kvHeads, 1, v0, hd]), [b, kvHeads, t, v0, hd]), perFrame(x, kvHeads)], 3);
      const mask = constant(graph, range(0, n).flatMap((i) => [...new Array<number>(v0).fill(0), ...range(0, n).map((j) => (j <= i ? 0 : -Infinity))]), [n, v0 + n]);
      const out = groupedQueryAttention(perFrame(q, heads), withPrefix(keys), withPrefix(values), mask).out;
      parts.push(reshape(out, [b, heads, t * n, hd]));
    } else {
      parts.push(groupedQueryAttention(rowsOf(q, v0, v1), rowsOf(keys, 0, v1), rowsOf(values, 0, v1), causalOver(graph, range(v0, v1), range(0, v1))).out);
    }
    if (sparseQuery) {
      const visible = [...range(0, v0), ...range(v1 - n, s)];
      const pick = (x: Tensor) => gather(x, indexConstant(graph, visible), 2);
      parts.push(groupedQueryAttention(rowsOf(q, v1, s), pick(keys), pick(values), causalOver(graph, range(v1, s), visible)).out);
    } else {
      parts.push(groupedQueryAttention(rowsOf(q, v1, s), keys, values, causalOver(graph, range(v1, s), range(0, s))).out);
    }
    return { out: concat(parts, 2) };
  };
}

export function traceStrategicPrefill(cfg: VideoLMConfig, grid: VideoGrid, layout: PromptLayout, strategies: Strategies): Graph {
  const inputs = videoLMInputs(cfg, { batch: 1, seq: layout.seq, grid });
  const g = inputs.graph;
  const layers = cfg.num_hidden_layers;
  const positionIds = g.input('position_ids', [layers, 1, 3, layout.seq], 'int64');
  const ropeSwitches = g.input('decoder_rope', [layers]);
  let x = inputs.embeddings;
  let present = range(0, layout.seq);
  for (let l = 0; l < layers; l++) {
    const tokens = tokensInLayer(layout, strategies, l);
    if (tokens.length !== present.length) {
      x = gather(x, indexConstant(g, tokens.map((p) => present.indexOf(p))), 1);
      present = tokens;
    }
    const full = multimodalRotary(layerSlice(positionIds, l), headDim(cfg), cfg.rope_theta, mropeSection(cfg));
    const allPresent = present.length === layout.seq;
    const rotary = allPresent ? full : { cos: gather(full.cos, indexConstant(g, present), 2), sin: gather(full.sin, indexConstant(g, present), 2) };
    const sparse = allPresent && inRange(l, strategies.sparseQuery);
    const blocks = allPresent && inRange(l, strategies.noInterFrame);
    const attend = sparse || blocks ? pathwayAttention(g, layout, sparse, blocks) : undefined;
    const out = decoderLayer(inputs.root.sub('model').sub('layers').sub(l), x, cfg, {
      mask: causalOver(g, present, present),
      rope: layerSlice(ropeSwitches, l),
      ...rotary,
      ...(attend ? { attend } : {}),
    });
    x = out.x;
    const keep = cachedTokens(layout, strategies, l);
    const cached = (kv: Tensor) => (keep.length === present.length ? kv : gather(kv, indexConstant(g, keep.map((p) => present.indexOf(p))), 2));
    g.output(`present_keys.${l}`, cached(out.k));
    g.output(`present_values.${l}`, cached(out.v));
  }
  const last = slice(x, 1, x.shape[1]! - 1, x.shape[1]!);
  g.output('logits', languageModelHead(inputs.root, last, cfg, inputs.embedTokens));
  return g;
}
