/**
 * Rotary position embeddings in the rotate-half convention (Qwen2-VL): x·cos + rotate_half(x)·sin,
 * where the angle table is cat(freqs, freqs). Three variants share this: 2D RoPE in spatial
 * attention (rows on the first quarter of frequencies… see visionRotaryTable), 1D RoPE over frames
 * in STA, and M-RoPE (t, h, w sections) in the decoder.
 */
import type { Tensor } from '../engine/graph.js';
import { add, cast, concat, constant, cos, mul, neg, reduceSum, reshape, sin, slice, sub } from '../engine/ops.js';

/** θ^(−2j/dim) for j < dim/2. */
export function inverseFrequencies(dim: number, theta: number): number[] {
  return Array.from({ length: dim / 2 }, (_, j) => 1 / theta ** ((2 * j) / dim));
}

/** cat(−x₂, x₁) over the last axis. */
export function rotateHalf(x: Tensor): Tensor {
  const d = x.shape[x.rank - 1]!;
  return concat([neg(slice(x, -1, d / 2, d)), slice(x, -1, 0, d / 2)], -1);
}

/**
 * Applies RoPE with broadcastable cos/sin tables. `enabled` (a 0/1 scalar input) switches it off
 * at run time without recompiling — the positional-encoding ablation of the probes.
 */
export function applyRotary(x: Tensor, cosTable: Tensor, sinTable: Tensor, enabled?: Tensor): Tensor {
  const rotated = add(mul(x, cosTable), mul(rotateHalf(x), sinTable));
  return enabled ? add(x, mul(enabled, sub(rotated, x))) : rotated;
}

/**
 * The order Qwen2-VL gives the patches of one frame: 2×2 (merge × merge) windows in row-major
 * order, and inside each window its patches row-major, so the merger can concatenate each window's
 * consecutive patches. Returns [row, col] per patch.
 */
export function mergeWindowOrder(gridH: number, gridW: number, merge: number): [number, number][] {
  const order: [number, number][] = [];
  for (let hb = 0; hb < gridH / merge; hb++)
    for (let wb = 0; wb < gridW / merge; wb++)
      for (let i = 0; i < merge; i++) for (let j = 0; j < merge; j++) order.push([hb * merge + i, wb * merge + j]);
  return order;
}

/** A constant [rows, dim] angle table cat(freqs, freqs) as cos and sin tensors. */
function tables(graph: Tensor['graph'], angles: number[][]): { cos: Tensor; sin: Tensor } {
  const full = angles.map((a) => [...a, ...a]);
  const shape = [full.length, full[0]!.length];
  return {
    cos: constant(graph, full.flatMap((r) => r.map(Math.cos)), shape),
    sin: constant(graph, full.flatMap((r) => r.map(Math.sin)), shape),
  };
}

/**
 * 2D RoPE of the vision encoder for one frame's patches in merge-window order: with head_dim/4
 * frequencies, the first quarter of the table rotates by the row index and the second by the column
 * (then both repeat), as Qwen2-VL's rot_pos_emb builds it. Tables are [patches, head_dim].
 */
export function visionRotaryTable(graph: Tensor['graph'], gridH: number, gridW: number, merge: number, headDim: number, theta = 10000) {
  const freqs = inverseFrequencies(headDim / 2, theta);
  return tables(graph, mergeWindowOrder(gridH, gridW, merge).map(([r, c]) => [...freqs.map((f) => r * f), ...freqs.map((f) => c * f)]));
}

/** 1D RoPE over the temporal index using all head_dim dimensions (STA). Tables are [frames, head_dim]. */
export function temporalRotaryTable(graph: Tensor['graph'], frames: number, headDim: number, theta = 10000) {
  const freqs = inverseFrequencies(headDim, theta);
  return tables(graph, Array.from({ length: frames }, (_, t) => freqs.map((f) => t * f)));
}

/**
 * M-RoPE tables from int64 position ids [B, 3, S]: rotary frequency j takes its angle from the t, h
 * or w position according to `section` (e.g. [16, 24, 24]). Returns cos/sin [B, 1, S, head_dim].
 */
export function multimodalRotary(positionIds: Tensor, headDim: number, theta: number, section: number[]): { cos: Tensor; sin: Tensor } {
  const [batch, , seq] = positionIds.shape as [number, number, number];
  const g = positionIds.graph;
  const half = headDim / 2;
  const invFreq = constant(g, inverseFrequencies(headDim, theta), [1, 1, 1, half]);
  const angles = mul(reshape(cast(positionIds, 'float32'), [batch, 3, seq, 1]), invFreq);
  const owner = Array.from({ length: half }, (_, j) => (j < section[0]! ? 0 : j < section[0]! + section[1]! ? 1 : 2));
  const selector = constant(g, [0, 1, 2].flatMap((axis) => owner.map((o) => (o === axis ? 1 : 0))), [1, 3, 1, half]);
  const picked = reduceSum(mul(angles, selector), 1);
  const full = reshape(concat([picked, picked], -1), [batch, 1, seq, headDim]);
  return { cos: cos(full), sin: sin(full) };
}
