/**
 * The graphs of the stages before a VideoLM exists, traced from the same model code:
 *  - vision pretraining: the ViT on images (each frame a repeated pair, as Qwen2-VL feeds images)
 *    with dense supervised heads on every patch — colour and shape of the object there, its centre
 *    offset, size and orientation. Space, not time: nothing here sees two different frames.
 *  - the language model alone: the decoder over text, positions 0…S−1 on all three M-RoPE axes.
 *  - the video classifier: the ViT (± STA) mean-pooled into a linear head over phenomenon outcomes.
 */
import { crossEntropy, reduceMean } from '../engine/composite.js';
import { Graph, type Tensor } from '../engine/graph.js';
import { add, constant, div, gatherRows, mul, reduceSum, slice, sub } from '../engine/ops.js';
import { layerNormLayer, linear, Scope } from '../engine/scope.js';
import { headDim, mropeSection, type VideoLMConfig } from './config.js';
import { decoderLayer, languageModelHead } from './decoder.js';
import { sceneEmbeddings } from './graph.js';
import { multimodalRotary } from './rotary.js';
import { defaultVisionSwitches, patchMerger, visionBlocks, type VideoGrid } from './visionEncoder.js';

/** Classes of the dense heads: colour 0 = no object, then the benchmark's 6 colours; the 5 shapes (scored only where there is an object). */
export const VISION_HEAD_CLASSES = { colour: 7, shape: 5 } as const;
/** Regression targets per patch: centre offset (x, y) in patches, size in patches, orientation (cos kθ, sin kθ). */
export const VISION_REGRESSION_TARGETS = 5;

export const isVisionHead = (name: string): boolean => name.startsWith('vision_heads.');
export const isVideoClassifierHead = (name: string): boolean => name.startsWith('video_classifier.');

function pixelInput(g: Graph, cfg: VideoLMConfig, batch: number, grid: VideoGrid): Tensor {
  const v = cfg.vision_config;
  return g.input('pixel_values_videos', [batch, grid.t * grid.h * grid.w, v.in_chans * v.temporal_patch_size * v.patch_size ** 2]);
}

/** Dense image-level supervision of the ViT (no merger, no decoder). Outputs loss, colour_logits, shape_logits. */
export function traceVisionPretraining(cfg: VideoLMConfig, shape: { batch: number; grid: VideoGrid }): Graph {
  const g = new Graph();
  const root = new Scope(g);
  const { batch: b, grid } = shape;
  const n = grid.h * grid.w;
  const features = visionBlocks(root.sub('visual'), pixelInput(g, cfg, b, grid), grid, cfg.vision_config, defaultVisionSwitches(g, cfg.vision_config, grid));
  const heads = root.sub('vision_heads');
  const out = linear(heads.sub('proj'), layerNormLayer(heads.sub('norm'), features), VISION_HEAD_CLASSES.colour + VISION_HEAD_CLASSES.shape + VISION_REGRESSION_TARGETS);
  const colourLogits = slice(out, 3, 0, VISION_HEAD_CLASSES.colour);
  const shapeLogits = slice(out, 3, VISION_HEAD_CLASSES.colour, VISION_HEAD_CLASSES.colour + VISION_HEAD_CLASSES.shape);
  const regression = slice(out, 3, VISION_HEAD_CLASSES.colour + VISION_HEAD_CLASSES.shape, VISION_HEAD_CLASSES.colour + VISION_HEAD_CLASSES.shape + VISION_REGRESSION_TARGETS);
  const labels = (name: string) => g.input(name, [b, grid.t, n], 'int64');
  // Weights are host-normalised (they sum to 1 over the batch per target), so this is a masked mean.
  const residual = sub(regression, g.input('regression_targets', [b, grid.t, n, VISION_REGRESSION_TARGETS]));
  const squared = reduceSum(mul(g.input('regression_weights', [b, grid.t, n, VISION_REGRESSION_TARGETS]), mul(residual, residual)));
  const loss = add(add(crossEntropy(colourLogits, labels('colour_labels')), crossEntropy(shapeLogits, labels('shape_labels'))), squared);
  g.output('loss', loss);
  g.output('colour_logits', colourLogits);
  g.output('shape_logits', shapeLogits);
  g.output('patch_features', features);
  return g;
}

/** The decoder as a text language model: input_ids [B, S] → logits; with labels, the next-token loss. */
export function traceLanguageModel(cfg: VideoLMConfig, shape: { batch: number; seq: number }): Graph {
  const g = new Graph();
  const root = new Scope(g);
  const { batch: b, seq: s } = shape;
  const embedTokens = root.sub('model').sub('embed_tokens').param('weight', [cfg.vocab_size, cfg.hidden_size], { kind: 'normal', std: 0.02 });
  const ids = g.input('input_ids', [b, s], 'int64');
  let x = gatherRows(embedTokens, ids);
  // Text alone: Qwen2-VL gives text tokens the same id on t, h and w, i.e. plain 1D positions.
  const positions = Array.from({ length: b * 3 * s }, (_, i) => i % s);
  const rotary = multimodalRotary(constant(g, positions, [b, 3, s], 'int64'), headDim(cfg), cfg.rope_theta, mropeSection(cfg));
  const causal = Array.from({ length: s * s }, (_, i) => (i % s > Math.floor(i / s) ? -Infinity : 0));
  const mask = constant(g, causal, [s, s]);
  const rope = constant(g, 1);
  for (let i = 0; i < cfg.num_hidden_layers; i++) x = decoderLayer(root.sub('model').sub('layers').sub(i), x, cfg, { mask, rope, ...rotary }).x;
  const logits = languageModelHead(root, x, cfg, embedTokens);
  g.output('logits', logits);
  g.output('loss', crossEntropy(logits, g.input('labels', [b, s], 'int64')));
  return g;
}

/**
 * The vision-only check of STA (STAVE's InternVideo2 + STA row): ViT patch features mean-pooled over
 * frames and patches, LayerNorm, one linear layer over `classes` outcomes. Outputs loss and logits.
 */
export function traceVideoClassifier(cfg: VideoLMConfig, shape: { batch: number; grid: VideoGrid; classes: number }): Graph {
  const g = new Graph();
  const root = new Scope(g);
  const { batch: b, grid } = shape;
  const features = visionBlocks(root.sub('visual'), pixelInput(g, cfg, b, grid), grid, cfg.vision_config, defaultVisionSwitches(g, cfg.vision_config, grid));
  const pooled = reduceMean(features, [1, 2]);
  const head = root.sub('video_classifier');
  const logits = linear(head.sub('head'), layerNormLayer(head.sub('norm'), pooled), shape.classes);
  g.output('logits', logits);
  g.output('loss', crossEntropy(logits, g.input('labels', [b], 'int64')));
  return g;
}

/** The vision encoder alone (merger included): pixel values → the video embeddings the decoder reads. */
export function traceVideoEmbeddings(cfg: VideoLMConfig, shape: { batch: number; grid: VideoGrid }): Graph {
  const g = new Graph();
  const root = new Scope(g);
  const features = visionBlocks(root.sub('visual'), pixelInput(g, cfg, shape.batch, shape.grid), shape.grid, cfg.vision_config, defaultVisionSwitches(g, cfg.vision_config, shape.grid));
  g.output('video_embeds', patchMerger(root.sub('visual').sub('merger'), features, cfg.vision_config));
  return g;
}

/**
 * Alignment to the decoder's reading of a scene: the merger's video embeddings regress onto the scene
 * written as words (`scene_bags` [B, M, vocab] through the decoder's token embedding). The loss is
 * the squared error relative to the targets' energy, so 1 means "says nothing" whatever the scale.
 */
export function traceSceneAlignment(cfg: VideoLMConfig, shape: { batch: number; grid: VideoGrid }): Graph {
  const g = new Graph();
  const root = new Scope(g);
  const visual = root.sub('visual');
  const features = visionBlocks(visual, pixelInput(g, cfg, shape.batch, shape.grid), shape.grid, cfg.vision_config, defaultVisionSwitches(g, cfg.vision_config, shape.grid));
  const videoEmbeds = patchMerger(visual.sub('merger'), features, cfg.vision_config);
  const embedTokens = root.sub('model').sub('embed_tokens').param('weight', [cfg.vocab_size, cfg.hidden_size], { kind: 'normal', std: 0.02 });
  const targets = sceneEmbeddings(g.input('scene_bags', [shape.batch, videoEmbeds.shape[1]!, cfg.vocab_size]), embedTokens);
  const error = sub(videoEmbeds, targets);
  g.output('loss', div(reduceSum(mul(error, error)), add(reduceSum(mul(targets, targets)), 1e-12)));
  g.output('video_embeds', videoEmbeds);
  return g;
}
