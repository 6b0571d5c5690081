/** Training's public API: the recipes (base, STAVE, control), runs, checkpoints and resume. */
export {
  train, resolveModelDir, DEFAULT_COMMON, isVisionLayerNorm, isTemporalAttention,
  type CommonSettings, type BaseSettings, type FineTuneStages, type FineTuneSettings, type RunSettings, type TrainCallbacks,
} from './recipes.js';
export { loadCheckpoint, checkpointDir, type StepProgress, type RunResult, type TrainerState } from './trainer.js';
export { sceneBags, type FrameSize } from './sceneTokens.js';
export { SceneQuestions, SceneAlignment } from './objectives.js';
export { readPretrainedBase, pretrainedBaseFor, SHIPPED_BASE } from './pretrainedBase.js';
export { pretrainedRunsFor, SHIPPED_FINE_TUNES, FINE_TUNE_KINDS, CLASSIFIER_RUNS, classifierRun, type FineTuneKind, type ClassifierRun } from './pretrainedFineTunes.js';
export { evaluateClassifier, evaluateClassifierRun, loadClassifierRun, classifyClips, type ClassifierResult } from './classifier.js';
export { statesFirstOutcome } from './symmetryBreaking.js';
