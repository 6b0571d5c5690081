/**
 * Ops derived from the primitives (the tinygrad way): they need no interpreter, lowering or gradient
 * rule of their own, so adding one cannot break the engine's consistency.
 */
import { TempolabError } from './errors.js';
import type { Tensor } from './graph.js';
import {
  add, cast, concat, constant, div, equal, erf, gatherRows, less, logSoftmax, matmulPrimitive, mul, neg,
  reduceSum, reshape, sigmoid, slice, softmax, sqrt, sub, tanh, transpose, where,
} from './ops.js';
import { fmt, normAxis, sizeOf } from './shape.js';

/** Swaps the last two axes. */
export function transposeLast2(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1]!, perm[x.rank - 2]!];
  return transpose(x, perm);
}

/** Batched matmul with optional transposes of either operand's last two axes. */
export function matmul(a: Tensor, b: Tensor, options: { transA?: boolean; transB?: boolean } = {}): Tensor {
  return matmulPrimitive(options.transA ? transposeLast2(a) : a, options.transB ? transposeLast2(b) : b);
}

export const rsqrt = (x: Tensor): Tensor => div(1, sqrt(x));

export function reduceMean(x: Tensor, axes?: number | number[], keepDims = false): Tensor {
  const summed = reduceSum(x, axes, keepDims);
  return mul(summed, sizeOf(summed.shape) / sizeOf(x.shape));
}

/** GELU, exact (erf) form: x·Φ(x). */
export const gelu = (x: Tensor): Tensor => mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));

/** GELU, tanh approximation (GPT-2's "gelu_new"). */
export function geluTanh(x: Tensor): Tensor {
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/** QuickGELU, as in CLIP and the Qwen2-VL vision encoder: x·σ(1.702x). */
export const quickGelu = (x: Tensor): Tensor => mul(x, sigmoid(mul(x, 1.702)));

/** SiLU (swish): x·σ(x), the gate of Qwen2's SwiGLU. */
export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x));

export const square = (x: Tensor): Tensor => mul(x, x);

/** LayerNorm over the last axis: (x − μ)/√(σ² + eps)·γ + β. */
export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-6): Tensor {
  const centered = sub(x, reduceMean(x, -1, true));
  const variance = reduceMean(square(centered), -1, true);
  return add(mul(mul(centered, rsqrt(add(variance, eps))), weight), bias);
}

/** RMSNorm over the last axis: x/√(mean(x²) + eps)·γ. */
export function rmsNorm(x: Tensor, weight: Tensor, eps = 1e-6): Tensor {
  return mul(mul(x, rsqrt(add(reduceMean(square(x), -1, true), eps))), weight);
}

/** Splits `x` along `axis` into pieces of the given sizes. */
export function split(x: Tensor, axis: number, sizes: number[]): Tensor[] {
  const a = normAxis('split', axis, x.rank);
  if (sizes.reduce((s, v) => s + v, 0) !== x.shape[a]) {
    throw new TempolabError(`split: sizes ${fmt(sizes)} do not add up to axis ${a} of ${fmt(x.shape)}`);
  }
  let start = 0;
  return sizes.map((size) => slice(x, a, start, (start += size)));
}

/** Gather along any axis: out = data.take(indices, axis). */
export function gather(data: Tensor, indices: Tensor, axis = 0): Tensor {
  const a = normAxis('gather', axis, data.rank);
  if (a === 0) return gatherRows(data, indices);
  const toFront = [a, ...data.shape.map((_, i) => i).filter((i) => i !== a)];
  const picked = gatherRows(transpose(data, toFront), indices);
  const r = indices.rank;
  // picked is [...indices, ...data dims without axis a]; move the index dims back to position a.
  const rest = picked.rank - r;
  const perm = [
    ...Array.from({ length: a }, (_, i) => r + i),
    ...Array.from({ length: r }, (_, i) => i),
    ...Array.from({ length: rest - a }, (_, i) => r + a + i),
  ];
  return transpose(picked, perm);
}

/** softmax(q·kᵀ·scale + mask): the attention probabilities. `mask` is additive (0 or −∞-like). */
export function attentionWeights(q: Tensor, k: Tensor, mask?: Tensor, scale = 1 / Math.sqrt(q.shape[q.rank - 1]!)): Tensor {
  const scores = mul(matmul(q, k, { transB: true }), scale);
  return softmax(mask ? add(scores, mask) : scores, -1);
}

/** Scaled dot-product attention with an ordinary additive mask tensor (causal, block, knockout…). */
export function attention(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor, scale?: number): Tensor {
  return matmulPrimitive(attentionWeights(q, k, mask, scale), v);
}

/** 0, 1, …, n−1 as a constant of the given dtype. */
export function arange(graph: Tensor['graph'], n: number, dtype: 'float32' | 'int64' = 'int64'): Tensor {
  return constant(graph, Array.from({ length: n }, (_, i) => i), [n], dtype);
}

/**
 * Mean cross-entropy of integer `labels` under `logits` [..., V]; labels equal to `ignoreIndex`
 * contribute nothing and are not counted. The one-hot is built with equal() so the loss needs no
 * gather-along-axis gradient.
 */
export function crossEntropy(logits: Tensor, labels: Tensor, ignoreIndex = -100): Tensor {
  if (labels.dtype !== 'int64') throw new TempolabError(`crossEntropy: labels must be int64, got ${labels.dtype}`);
  const vocab = logits.shape[logits.rank - 1]!;
  const lead = logits.shape.slice(0, -1);
  if (lead.length !== labels.rank || lead.some((d, i) => d !== labels.shape[i])) {
    throw new TempolabError(`crossEntropy: logits ${fmt(logits.shape)} do not match labels ${fmt(labels.shape)}`);
  }
  const flatLabels = reshape(labels, [sizeOf(labels.shape), 1]);
  const logp = reshape(logSoftmax(logits, -1), [sizeOf(labels.shape), vocab]);
  const oneHot = cast(equal(flatLabels, reshape(arange(logits.graph, vocab), [1, vocab])), 'float32');
  const nll = reduceSum(mul(oneHot, logp), -1);
  const valid = sub(1, cast(equal(reshape(flatLabels, [sizeOf(labels.shape)]), constant(logits.graph, ignoreIndex, [], 'int64')), 'float32'));
  const count = reduceSum(valid);
  return div(neg(reduceSum(mul(nll, valid))), where(less(count, 1), 1, count));
}

/** Concatenates along a new leading axis. */
export function stack(xs: Tensor[], axis = 0): Tensor {
  return concat(xs.map((x) => reshape(x, [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)])), axis);
}
