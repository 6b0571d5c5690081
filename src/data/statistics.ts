/**
 * Uncertainty of benchmark figures: percentile-bootstrap 95% intervals over questions (accuracy,
 * P_C), seeded so a report is reproducible.
 */
import { Random } from '../engine/random.js';

export interface Interval {
  mean: number;
  low: number;
  high: number;
  n: number;
}

/** Mean of `values` with a percentile-bootstrap interval (default 95%, 1000 resamples). */
export function bootstrapInterval(values: readonly number[], options: { seed?: number; resamples?: number; level?: number } = {}): Interval {
  const n = values.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const resamples = options.resamples ?? 1000;
  const rng = new Random(options.seed ?? 0);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[rng.int(n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const tail = (1 - (options.level ?? 0.95)) / 2;
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { mean, low: at(tail), high: at(1 - tail), n };
}
