import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { patchTruth } from '../../src/data/groundTruth.js';
import { SHAPES } from '../../src/data/render.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import { visionHeadAccuracy } from '../../src/eval/visionHeads.js';
import { loadVideoLM, saveVideoLM } from '../../src/models/checkpoint.js';
import { VISION_HEAD_CLASSES, VISION_REGRESSION_TARGETS } from '../../src/models/pretraining.js';
import { mergeWindowOrder } from '../../src/models/rotary.js';
import { train } from '../../src/train/recipes.js';

let root: string;
let data: string;
let vision: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-heads-'));
  data = path.join(root, 'data');
  await synthesizeDataset(data, { train: 8, val: 2, test: 6, frames: 4, size: 16, seed: 5 });
  vision = path.join(root, 'vision');
  await train({ kind: 'vision', preset: 'tiny', data, out: vision, steps: 2, lr: 1e-3, warmupSteps: 1, seed: 1, batchSize: 2, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1 });
});
after(async () => fs.rm(root, { recursive: true, force: true }));

test('heads that always say "no object" and one shape score the ground truth shares of those classes', async () => {
  const model = await loadVideoLM(path.join(vision, 'checkpoint'));
  const { embed_dim: width, patch_size: patch, spatial_merge_size: merge } = model.config.vision_config;
  const outputs = VISION_HEAD_CLASSES.colour + VISION_HEAD_CLASSES.shape + VISION_REGRESSION_TARGETS;
  const always = 3; // 'diamond'
  const bias = new Float32Array(outputs);
  bias[0] = 1;
  bias[VISION_HEAD_CLASSES.colour + always] = 1;
  model.params.set('vision_heads.norm.weight', { shape: [width], data: new Float32Array(width).fill(1) });
  model.params.set('vision_heads.norm.bias', { shape: [width], data: new Float32Array(width) });
  model.params.set('vision_heads.proj.weight', { shape: [outputs, width], data: new Float32Array(outputs * width) });
  model.params.set('vision_heads.proj.bias', { shape: [outputs], data: bias });
  const constant = path.join(root, 'constant-heads');
  await saveVideoLM(model, constant);

  // The shares, counted from the renderer's ground truth alone.
  const dataset = openDataset(data);
  const { width: w, height: h, frames } = dataset.manifest;
  const order = mergeWindowOrder(h / patch, w / patch, merge);
  const count = { all: 0, empty: 0, object: 0, shape: 0, centre: 0, centreShape: 0 };
  const clips = dataset.videos('test').filter((v) => v.scene);
  for (const clip of clips) {
    for (let t = 0; t < frames; t++) {
      for (const p of patchTruth(clip.scene!, t, w, h, patch, order)) {
        count.all++;
        if (!p.object) { count.empty++; continue; }
        count.object++;
        const isShape = p.object.shape === SHAPES[always];
        if (isShape) count.shape++;
        if (Math.abs(p.dx) < 0.5 && Math.abs(p.dy) < 0.5) (count.centre++, isShape && count.centreShape++);
      }
    }
  }
  assert.ok(count.object > 0 && count.empty > 0 && count.centre > 0);
  // In two-frame groups (frame t with t + 1, the last with the one before) a patch shows the earlier frame's object, else the later one's.
  const tubelet = { object: 0, shape: 0 };
  for (const clip of clips) {
    for (let t = 0; t < frames; t++) {
      const [earlier, later] = t + 1 < frames ? [t, t + 1] : [t - 1, t];
      const second = patchTruth(clip.scene!, later, w, h, patch, order);
      patchTruth(clip.scene!, earlier, w, h, patch, order).forEach((p, k) => {
        const object = p.object ?? second[k]!.object;
        if (!object) return;
        tubelet.object++;
        if (object.shape === SHAPES[always]) tubelet.shape++;
      });
    }
  }
  assert.ok(tubelet.object > count.object, 'the test clips have moving objects');

  const a = await visionHeadAccuracy(constant, dataset, { split: 'test', batchSize: 4 });
  assert.equal(a.clips, clips.length);
  assert.deepEqual(a.patches, { all: count.all, object: count.object, centre: count.centre, tubeletObject: tubelet.object });
  assert.equal(a.tubeletShape, tubelet.shape / tubelet.object);
  assert.equal(a.colour, count.empty / count.all);
  assert.equal(a.shape, count.shape / count.object);
  assert.equal(a.centreShape, count.centreShape / count.centre);
});

test('a checkpoint without the vision heads is refused in one line', async () => {
  const model = await loadVideoLM(path.join(vision, 'checkpoint'));
  const bare = path.join(root, 'bare');
  await saveVideoLM(model, bare);
  await assert.rejects(visionHeadAccuracy(bare, openDataset(data)), /has no vision_heads\.\* tensors: only the vision stage's checkpoint/);
});
