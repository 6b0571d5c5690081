/** Probes: interventions as data, compiled into graph inputs; the P_C measure; the paper's experiments. */
export { validateContext, resolveLayers, type ProbeContext, type LayerSpec } from './context.js';
export { TOKEN_SET_NAMES, resolveTokenSet, checkTokenSet, type TokenSet, type TokenSetName } from './tokenSets.js';
export * from './interventions.js';
export { causalMask, maskBlocks, type MaskBlock } from './masks.js';
export { reverseVideoGroupIds, shuffleIdColumns, reverseFrameOrder } from './positions.js';
export { compileInterventions, baselineInputs, type CompiledInputs } from './compile.js';
export { slidingWindows, defaultWindowSize, windowedKnockouts, overWindows, type Windowed } from './windows.js';
export {
  groundTruthProbabilityChange, summarizePC, pcSeries,
  type PCRecord, type PCSummary, type PCInterval, type ProbabilityRow, type PCSeries, type SummaryOptions,
} from './pc.js';
export {
  EXPERIMENT_NAMES, experiment, peAblationExperiment, positionShuffleExperiment, reverseExperiment, finalTokenKnockoutExperiment,
  stagewiseExperiment, singleFrameExperiment, reversedAttributionExperiment, spatiotemporalExperiment,
  type Experiment, type ExperimentCondition, type ExperimentName, type ExperimentOptions, type ExperimentShape,
} from './experiments.js';
export { runExperiment, experimentQuestions, type ProbeRow, type RunExperimentOptions } from './runner.js';
export { probeClip, inspectClip, PreparedClip, softmaxRow, type ClipVideo, type ClipQuestion, type ClipProbe, type ClipInspection, type InspectOptions } from './clip.js';
