import type { PretrainingStageSettings } from '../../src/train/recipes.js';

/** The run the fault tests kill and resume (one stage of the base pipeline): 6 steps, a checkpoint every 2. */
export const faultRun = (data: string, out: string): PretrainingStageSettings => ({
  kind: 'vision', preset: 'tiny', data, out, steps: 6, lr: 3e-3, warmupSteps: 2, seed: 5, batchSize: 8, checkpointEvery: 2, weightDecay: 0.01, maxGradNorm: 1,
});
