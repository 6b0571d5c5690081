import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import type { SceneTruth } from '../../src/data/groundTruth.js';
import { grad } from '../../src/engine/autodiff.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { traceVideoLM } from '../../src/models/graph.js';
import { traceSceneAlignment } from '../../src/models/pretraining.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { sceneBags } from '../../src/train/sceneTokens.js';
import { assertGradientsMatchFiniteDifferences, evalTensor } from '../engine/helpers.js';
import { perturb, randomVideo, request, tinyModel } from '../models/helpers.js';

const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
const tiny = presetConfig('tiny', tokenizer.vocabSize, tokenizer.special);
const square = (x: number, y: number) => ({ shape: 'square' as const, colour: 'red' as const, x, y, size: 3, angle: 0 });

test('scene bags: each video token holds the colour and shape words of what its patches show (hand-worked: tiny preset, 16×16 frames, a red square moving right)', () => {
  // tiny: 4-pixel patches, 2×2 merge windows → on 16×16 frames a 2×2 grid of windows, 4 tokens per 2-frame group.
  const scene: SceneTruth = { objects: [[square(4, 4)], [square(4, 4)], [square(12, 4)], [square(12, 4)]], distractors: [] };
  const bags = sceneBags(scene, { frames: 4, height: 16, width: 16 }, tiny.vision_config, tokenizer, tokenizer.vocabSize);
  const red = tokenizer.tokenToId('red')!;
  const squareId = tokenizer.tokenToId('square')!;
  const words = (token: number) => [...bags.subarray(token * tokenizer.vocabSize, (token + 1) * tokenizer.vocabSize)].flatMap((c, id) => (c ? [[id, c]] : []));
  // Group 0: the square in the top-left window (token 0); group 1: the top-right window (token 1 of group 1 = 5).
  assert.deepEqual(words(0), [[red, 1], [squareId, 1]].sort((a, b) => a[0]! - b[0]!));
  assert.deepEqual(words(5), [[red, 1], [squareId, 1]].sort((a, b) => a[0]! - b[0]!));
  for (const empty of [1, 2, 3, 4, 6, 7]) assert.deepEqual(words(empty), [], `token ${empty}`);
});

test('scene bags name a word the vocabulary lacks, and a clip that does not split into the grid, in one line', () => {
  const scene: SceneTruth = { objects: [[square(4, 4)]], distractors: [] };
  const words = buildWordLevelTokenizer(['square']);
  assert.throws(() => sceneBags(scene, { frames: 2, height: 16, width: 16 }, tiny.vision_config, words, words.vocabSize), /scene word 'red' is not a token/);
  assert.throws(() => sceneBags(scene, { frames: 3, height: 16, width: 16 }, tiny.vision_config, tokenizer, tokenizer.vocabSize), /does not split into 2-frame groups/);
});

test('the VideoLM reading scene tokens: the loss gradient reaches the token embedding through the video tokens and matches finite differences', () => {
  const model = tinyModel(31);
  perturb(model, 32);
  const req = request(model);
  const labels = (req.inputIds as number[]).map((_, s, ids) => (s >= ids.length - 4 && s < ids.length - 1 ? ids[s + 1]! : -100));
  const { shape, inputs } = model.feeds([{ ...req, labels }], true);
  const graph = traceVideoLM(model.config, { ...shape, sceneTokens: true });
  assert.equal(graph.inputs.has('pixel_values_videos'), false, 'no vision encoder');
  const loss = graph.outputs.get('loss')!;
  const vocab = model.config.vocab_size;
  const videoTokens = model.mergedTokens(shape.grid);
  const bags = Array.from({ length: videoTokens * vocab }, (_, i) => ((i * 7) % 5 === 0 ? 1 : 0));
  const names = ['model.embed_tokens.weight', 'model.layers.0.self_attn.q_proj.weight'];
  const grads = grad(loss, names.map((n) => graph.inputs.get(n)!.tensor));
  const feeds: Record<string, Float64Array | number[]> = { scene_bags: bags };
  for (const [k, v] of Object.entries(inputs)) feeds[k] = Array.from(v as ArrayLike<number | bigint>, Number);
  for (const [k, p] of model.params) feeds[k] = Float64Array.from(p.data);
  assertGradientsMatchFiniteDifferences(graph, feeds, loss, names, (name) => evalTensor(graph, feeds, grads[names.indexOf(name)]!).data);
});

test('scene alignment: a merger that outputs zeros scores exactly 1 (relative error), and the gradient matches finite differences', () => {
  const model = createVideoLM(tiny, 41, tokenizer);
  perturb(model, 42);
  const grid = { t: 2, h: 4, w: 4 };
  const v = model.config.vision_config;
  const patchDim = v.in_chans * v.temporal_patch_size * v.patch_size ** 2;
  const graph = traceSceneAlignment(model.config, { batch: 1, grid });
  const loss = graph.outputs.get('loss')!;
  const video = randomVideo(5, 4, 16);
  const feeds: Record<string, Float64Array | number[]> = {
    pixel_values_videos: Array.from({ length: grid.t * grid.h * grid.w * patchDim }, (_, i) => video[i % video.length]! / 255 - 0.5),
    scene_bags: Array.from({ length: 8 * tokenizer.vocabSize }, (_, i) => (i % 13 === 0 ? 1 : 0)),
  };
  for (const [k, p] of model.params) feeds[k] = Float64Array.from(p.data);
  const zero = { ...feeds, 'visual.merger.mlp.2.weight': new Float64Array(feeds['visual.merger.mlp.2.weight']!.length), 'visual.merger.mlp.2.bias': new Float64Array(feeds['visual.merger.mlp.2.bias']!.length) };
  assert.ok(Math.abs(evalTensor(graph, zero, loss).data[0]! - 1) < 1e-12);
  const name = 'visual.merger.mlp.2.weight';
  const [g] = grad(loss, [graph.inputs.get(name)!.tensor]);
  assertGradientsMatchFiniteDifferences(graph, feeds, loss, [name], () => evalTensor(graph, feeds, g!).data);
});
