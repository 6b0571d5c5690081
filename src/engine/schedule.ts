/** Learning-rate schedules, computed outside the graph and fed as the `train.lr` input. */
export interface CosineSchedule {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  /** Final learning rate as a fraction of the peak. */
  minRatio?: number;
}

/** Linear warmup to `peak`, then cosine decay to `peak·minRatio` at `totalSteps`. `step` is 0-based. */
export function warmupCosine(s: CosineSchedule, step: number): number {
  const minLr = s.peak * (s.minRatio ?? 0.1);
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return minLr + 0.5 * (s.peak - minLr) * (1 + Math.cos(Math.PI * progress));
}
