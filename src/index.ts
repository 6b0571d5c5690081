/** tempolab's library API: every layer, from the tensor engine up. */
export * from './engine/index.js';
export * from './data/index.js';
export * from './models/index.js';
export * from './train/index.js';
export * from './eval/index.js';
export * from './probe/index.js';
export * from './infer/index.js';
export { latestCheckpoint, writeCheckpoint, readSavedState, truncateLog, checkpointDir, CHECKPOINT_PHASES, type CheckpointPhase, type SavedState } from './train/checkpointSwap.js';
export { assertNewRunDir, abandonFailedStart } from './train/runDir.js';
