/** The models layer's public API. */
export * from './config.js';
export * from './tokenizer/index.js';
export { VideoLM, causalDecoderMask, type ForwardRequest, type ForwardResult, type OutputName } from './videoLM.js';
export { loadVideoLM, saveVideoLM, createVideoLM, parameterSpecs } from './checkpoint.js';
export { addTemporalAttention, type AddTemporalAttentionOptions } from './addTemporalAttention.js';
export { withLora, mergeAdapters } from './adapters.js';
export { DEFAULT_LORA_TARGETS, mergeLora, isLoraParameter, type LoraConfig } from './lora.js';
export { videoToPixelValues, clipPixelValues, secondPerGrid, CLIP_MEAN, CLIP_STD, type PixelValues } from './processor.js';
export { ropeIndex } from './positionIds.js';
export { encodeVideoQuestion, padQuestion, questionText, IGNORE, type EncodedQuestion } from './prompt.js';
export { generate, decode, prefillBatch, type GenerateOptions, type Generation, type Prefilled } from './generate.js';
export { traceVideoLM, traceDecodeStep, videoLMInputs, mergedTokens, type ForwardShape, type VideoLMInputs } from './graph.js';
export type { PromptSpans, Range } from './spans.js';
export type { VideoGrid } from './visionEncoder.js';
export { fromHfConfig, toHfConfig, HF_TEXT_DEFAULTS, HF_TOKEN_DEFAULTS, HF_QWEN2_VL_VISION_DEFAULTS, HF_QWEN2_5_VL_VISION_DEFAULTS } from './hfConfig.js';
export { patchWindows, windowMask, windowedBlocks, mergerWindowSize } from './visionWindows.js';
export { temporalPositionScale } from './positionIds.js';
export { continuationLogLikelihoods, mostLikely, type VideoInput } from './likelihood.js';
