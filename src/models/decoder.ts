/**
 * The Qwen2 language decoder.
 *
 *   per layer:  x += o_proj(attention(RoPE(q), RoPE(k), v, mask))   q/k/v with bias, GQA, M-RoPE
 *               x += down(silu(gate(x')) · up(x'))                  x' = RMSNorm(x)
 *   then RMSNorm → lm_head (tied to embed_tokens or not)
 *
 * Each layer's additive mask [S, P+S] and 0/1 RoPE switch are graph inputs: probes and sparse
 * attention strategies change them at run time. `past` keys/values (already rotated) prefix the
 * sequence for KV-cache decoding.
 */
import type { Tensor } from '../engine/graph.js';
import { attentionWeights, matmul, silu } from '../engine/composite.js';
import { add, concat, matmulPrimitive, mul, reshape, slice, transpose } from '../engine/ops.js';
import { linear, rmsNormLayer, type Scope } from '../engine/scope.js';
import { headDim, type VideoLMConfig } from './config.js';
import { applyRotary } from './rotary.js';

/**
 * The attention core of a layer: rotated queries [B, H, S, hd] against keys and values [B, kvHeads,
 * P+S, hd] → attended values [B, H, S, hd] and probabilities. Replaceable so sparse strategies can
 * compute on gathered key subsets instead of masking a full score matrix.
 */
export type AttentionCore = (q: Tensor, keys: Tensor, values: Tensor, mask: Tensor) => { out: Tensor; probs?: Tensor };

/**
 * Full masked grouped-query attention: each group of heads/kvHeads query heads shares one KV head.
 * q [B, H, …, S, hd] against keys/values [B, kvHeads, …, P, hd]; the "…" dims (e.g. frames, for
 * per-frame blocks) batch independent attentions.
 */
export function groupedQueryAttention(q: Tensor, keys: Tensor, values: Tensor, mask: Tensor): { out: Tensor; probs: Tensor } {
  const [b, heads] = q.shape as [number, number];
  const kvHeads = keys.shape[1]!;
  const rest = q.shape.slice(2);
  const keyRest = keys.shape.slice(2);
  const grouped = reshape(q, [b, kvHeads, heads / kvHeads, ...rest]);
  // A per-head mask [heads, S, K] follows the query heads' grouping under their shared KV heads.
  const headMask = mask.rank === 3 ? reshape(mask, [kvHeads, heads / kvHeads, ...mask.shape.slice(1)]) : mask;
  const probs = attentionWeights(grouped, reshape(keys, [b, kvHeads, 1, ...keyRest]), headMask);
  const out = matmulPrimitive(probs, reshape(values, [b, kvHeads, 1, ...values.shape.slice(2)]));
  return { out: reshape(out, [b, heads, ...rest]), probs: reshape(probs, [b, heads, ...rest.slice(0, -1), keyRest[keyRest.length - 2]!]) };
}

export interface LayerInputs {
  /** Additive mask [S, P+S] (causal structure included), broadcast over batch and heads; or [heads, S, P+S], one per head. */
  mask: Tensor;
  /** The attention core; default full masked attention. */
  attend?: AttentionCore;
  /** 0/1 scalar: apply RoPE in this layer. */
  rope: Tensor;
  cos: Tensor;
  sin: Tensor;
  /** Cached keys and values [B, kvHeads, P, head_dim], keys already rotated. */
  past?: { k: Tensor; v: Tensor };
}

export interface LayerOutputs {
  x: Tensor;
  /** This call's keys (rotated) and values [B, kvHeads, S, head_dim], for the KV cache. */
  k: Tensor;
  v: Tensor;
  /** Attention probabilities [B, H, S, P+S], when the core exposes them. */
  attention?: Tensor;
}

export function decoderLayer(scope: Scope, x: Tensor, cfg: VideoLMConfig, io: LayerInputs): LayerOutputs {
  const [b, s, d] = x.shape as [number, number, number];
  const hd = headDim(cfg);
  const heads = cfg.num_attention_heads;
  const kvHeads = cfg.num_key_value_heads;
  const attn = scope.sub('self_attn');
  const h = rmsNormLayer(scope.sub('input_layernorm'), x, cfg.rms_norm_eps);
  const toHeads = (t: Tensor, n: number) => transpose(reshape(t, [b, s, n, hd]), [0, 2, 1, 3]);
  const q = applyRotary(toHeads(linear(attn.sub('q_proj'), h, heads * hd), heads), io.cos, io.sin, io.rope);
  const k = applyRotary(toHeads(linear(attn.sub('k_proj'), h, kvHeads * hd), kvHeads), io.cos, io.sin, io.rope);
  const v = toHeads(linear(attn.sub('v_proj'), h, kvHeads * hd), kvHeads);
  const keys = io.past ? concat([io.past.k, k], 2) : k;
  const values = io.past ? concat([io.past.v, v], 2) : v;
  const { out, probs } = (io.attend ?? groupedQueryAttention)(q, keys, values, io.mask);
  const merged = reshape(transpose(out, [0, 2, 1, 3]), [b, s, heads * hd]);
  const x1 = add(x, linear(attn.sub('o_proj'), merged, d, { bias: false }));
  const mlp = scope.sub('mlp');
  const h2 = rmsNormLayer(scope.sub('post_attention_layernorm'), x1, cfg.rms_norm_eps);
  const gated = mul(silu(linear(mlp.sub('gate_proj'), h2, cfg.intermediate_size, { bias: false })), linear(mlp.sub('up_proj'), h2, cfg.intermediate_size, { bias: false }));
  const x2 = add(x1, linear(mlp.sub('down_proj'), gated, d, { bias: false }));
  return { x: x2, k, v, attention: probs };
}

/** Final RMSNorm and the language-model head (tied to the token embedding when the config says so). */
export function languageModelHead(root: Scope, x: Tensor, cfg: VideoLMConfig, embedding: Tensor): Tensor {
  const h = rmsNormLayer(root.sub('model').sub('norm'), x, cfg.rms_norm_eps);
  if (cfg.tie_word_embeddings) return matmul(h, embedding, { transB: true });
  return linear(root.sub('lm_head'), h, cfg.vocab_size, { bias: false });
}

/** Slices layer i of a stacked per-layer input ([L, ...] → [...]). */
export function layerSlice(stacked: Tensor, i: number): Tensor {
  return reshape(slice(stacked, 0, i, i + 1), stacked.shape.slice(1));
}

