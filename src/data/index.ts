export * from './types.js';
export { openDataset, readManifest, datasetIdentity, heldOutIdentity, DatasetWriter, isDataset, assertShardBuffersFit, type Dataset } from './dataset.js';
export { synthesizeDataset, heldOutCompositions, PairGenerator, DEFAULT_SYNTH, type SynthRequest, type SynthSettings, type Pair } from './synth.js';
export { benchmarkVocabulary } from './vocabulary.js';
export { splitWords, scoreCaption, isCorrect, captionOf, INSTRUCTIONS, CAPTIONING_PROMPTS } from './formats.js';
export { PHENOMENA, type Phenomenon } from './phenomena.js';
export { cellOf, frameObjects, outcomeClass, colourClass, shapeClass, OUTCOME_CLASSES, type SceneObject, type SceneTruth } from './groundTruth.js';
export { PerceptionDecks, PERCEPTION_TEMPLATES } from './perception.js';
export { SHAPES, COLOURS, COLOUR_NAMES } from './render.js';
export { computeStats, type DatasetStats } from './stats.js';
export { importVideos, decodeVideo, decodeImageSequence, uniformFrameIndices, ffmpegPath, reverseClip, REVERSED_SUFFIX, type ImportOptions, type DecodedClip } from './video.js';
export {
  importTempCompassQuestions,
  linkOpposingQuestions,
  parsePairsSpec,
  exportTempCompassQuestions,
  readTempCompassFile,
  toTempCompass,
  fromTempCompass,
  TEMPCOMPASS_FILES,
  type TempCompassFile,
  type TempCompassEntry,
} from './tempcompass.js';
export { encodeVideo, exportVideos, validateEncodeOptions, DEFAULT_ENCODE, PARTNERS_FILE, type EncodeOptions, type ExportVideosOptions } from './encode.js';
export { makeVideoSet, videoSetData, DEFAULT_VIDEO_SET, type VideoSetSettings } from './videoSet.js';
export { renderContactSheet, renderAnimation, writePreview, type PreviewOptions } from './preview.js';
export { bootstrapInterval, type Interval } from './statistics.js';
export { stratifiedSample } from './stratify.js';
export { fpsFrameSampling, QWEN_FPS, type FpsSampling } from './fpsSampling.js';
