/** The engine's public API: trace a model, differentiate it, run it on onnxruntime, train it. */
export { TempolabError, check } from './errors.js';
export { Graph, Tensor, type DType, type Node, type ParamSpec, type ParamInit, type ParamAdapter } from './graph.js';
export * from './ops.js';
export * from './composite.js';
export { Scope, linear, layerNormLayer, rmsNormLayer, embedding, type LinearOptions } from './scope.js';
export { trace } from './trace.js';
export { grad, sumToShape } from './autodiff.js';
export { interpret, type Value, type InputData } from './interpreter.js';
export { lowerToOnnx, OPSET, type LoweredModel, type LowerOptions } from './onnx.js';
export { provenance, settingsHash, canonicalJson, type Provenance } from './provenance.js';
export { compile, configureRuntime, CompiledGraph, runtimeInfo, defaultThreads, type Feed, type HostData, type HostTensor, type RuntimeOptions } from './runtime.js';
export { initParameters, checkParameters, cloneParameters, type ParameterStore, type ParameterTensor } from './parameters.js';
export {
  readSafetensors, parseSafetensors, writeSafetensors, serializeSafetensors, loadParameters, saveParameters, halfToFloat,
  MAX_HEADER_BYTES, MAX_FILE_BYTES, type LoadedTensor, type SafetensorsDType, type ParseOptions,
} from './safetensors.js';
export { adamwUpdate, clipByGlobalNorm, DEFAULT_ADAMW, type AdamWConfig } from './optimizer.js';
export { compileTrainStep, TrainStep, type TrainStepOptions, type OptimizerState, type StepResult } from './trainStep.js';
export { warmupCosine, type CosineSchedule } from './schedule.js';
export { Random } from './random.js';
export { writeFileAtomic, writeDirAtomic, swapDirectory, type SwapPhase } from './atomicWrite.js';
export { guardOutputDir, assertWritableDir, assertOutsideInputs, removeStaleTemps, type OutputDirPolicy } from './outputDir.js';
export { fmt as formatShape, sizeOf, type Shape } from './shape.js';
export { countFlops, nodeFlops } from './flops.js';
