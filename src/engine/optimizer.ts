/**
 * AdamW and global-norm gradient clipping written as graph ops, so the whole update runs inside the
 * train-step graph. `step` and `lr` are graph inputs: the schedule is computed outside and changing
 * it never recompiles.
 */
import type { Tensor } from './graph.js';
import { add, div, exp, greater, mul, reduceSum, sqrt, sub, where } from './ops.js';
import { square } from './composite.js';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Clip the global gradient norm to this value; 0 disables clipping. */
  maxGradNorm: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1.0 };

/** √(Σ‖g‖²) over all gradients, and the gradients scaled so that norm is at most `maxNorm`. */
export function clipByGlobalNorm(grads: Tensor[], maxNorm: number): { norm: Tensor; clipped: Tensor[] } {
  const sumSquares = grads.map((g) => reduceSum(square(g))).reduce((a, b) => add(a, b));
  const norm = sqrt(sumSquares);
  if (maxNorm <= 0) return { norm, clipped: grads };
  const scale = where(greater(norm, maxNorm), div(maxNorm, add(norm, 1e-6)), 1);
  return { norm, clipped: grads.map((g) => mul(g, scale)) };
}

/**
 * One AdamW step (Loshchilov & Hutter; PyTorch's AdamW): decoupled decay p ← p − lr·wd·p, then
 * p ← p − lr·m̂/(√v̂ + eps). `step` is 1-based.
 */
export function adamwUpdate(
  param: Tensor,
  gradient: Tensor,
  m: Tensor,
  v: Tensor,
  step: Tensor,
  lr: Tensor,
  decay: boolean,
  config: AdamWConfig,
): { param: Tensor; m: Tensor; v: Tensor } {
  const { beta1, beta2, eps, weightDecay } = config;
  const nextM = add(mul(m, beta1), mul(gradient, 1 - beta1));
  const nextV = add(mul(v, beta2), mul(square(gradient), 1 - beta2));
  const correction1 = sub(1, exp(mul(step, Math.log(beta1))));
  const correction2 = sub(1, exp(mul(step, Math.log(beta2))));
  const update = div(div(nextM, correction1), add(sqrt(div(nextV, correction2)), eps));
  const decayed = decay && weightDecay > 0 ? mul(param, sub(1, mul(lr, weightDecay))) : param;
  return { param: sub(decayed, mul(lr, update)), m: nextM, v: nextV };
}
