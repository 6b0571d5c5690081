import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDataset, type Dataset } from '../../src/data/dataset.js';
import { colourClass, patchTruth } from '../../src/data/groundTruth.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { imagePixelValues } from '../../src/models/processor.js';
import { mergeWindowOrder } from '../../src/models/rotary.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import type { VideoLM } from '../../src/models/videoLM.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { VisionPretraining } from '../../src/train/objectives.js';
import { train, type BaseSettings } from '../../src/train/recipes.js';

let root: string;
let data: string;
let dataset: Dataset;
let model: VideoLM;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-tubelets-'));
  data = path.join(root, 'data');
  const { synthesizeDataset } = await import('../../src/data/synth.js');
  await synthesizeDataset(data, { train: 16, val: 2, test: 2, frames: 4, size: 16, seed: 4 });
  dataset = openDataset(data);
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 1, tokenizer);
});
after(async () => fs.rm(root, { recursive: true, force: true }));

/** For each frame of training clip `index`, the frame its group holds with it — checked against the pixels it is fed. */
function pairingOf(objective: VisionPretraining, index: number): number[] {
  const { frames: F, height: H, width: W } = dataset.manifest;
  const pairing = objective.pairedWith(index);
  const expected = imagePixelValues(dataset.frames(objective.clips[index]!.id), F, H, W, model.config.vision_config, pairing);
  assert.deepEqual(objective.labels(model, index).pixels.data, expected.data, `clip ${index} is fed as its pairing says`);
  return pairing;
}

test('tubelets 0 feeds every frame as an image; 1 pairs every frame with its neighbour, and a patch is labelled with the earlier frame\'s object, else the later one\'s', () => {
  const images = new VisionPretraining(dataset, 'train', 2);
  const tubelets = new VisionPretraining(dataset, 'train', 2, { tubelets: 1 });
  const { frames: F, height: H, width: W } = dataset.manifest;
  const v = model.config.vision_config;
  const order = mergeWindowOrder(H / v.patch_size, W / v.patch_size, v.spatial_merge_size);
  let unionOnly = 0;
  for (let i = 0; i < images.examples; i++) {
    assert.deepEqual(pairingOf(images, i), [0, 1, 2, 3]);
    assert.deepEqual(pairingOf(tubelets, i), [1, 2, 3, 2]);
    const scene = images.clips[i]!.scene!;
    const colours = tubelets.labels(model, i).colour;
    for (let t = 0; t < F; t++) {
      const [earlier, later] = t + 1 < F ? [t, t + 1] : [t - 1, t];
      const a = patchTruth(scene, earlier, W, H, v.patch_size, order);
      const b = patchTruth(scene, later, W, H, v.patch_size, order);
      a.forEach((p, k) => {
        const object = p.object ?? b[k]!.object;
        if (!p.object && object) unionOnly++;
        assert.equal(colours[t * order.length + k], object ? colourClass(object.colour) : 0, `clip ${i} frame ${t} patch ${k}`);
      });
    }
  }
  assert.ok(unionOnly > 0, 'some objects move, so some patches are covered only in the later frame');
});

test('a share of tubelets is drawn per clip from the seed: the same seed gives the same frames, another seed others, and about that share of frames are paired', () => {
  const draw = (seed: number) => {
    const o = new VisionPretraining(dataset, 'train', seed, { tubelets: 0.5 });
    return Array.from({ length: o.examples }, (_, i) => pairingOf(o, i));
  };
  const first = draw(3);
  assert.deepEqual(draw(3), first);
  assert.notDeepEqual(draw(4), first);
  const paired = first.flat().filter((u, k) => u !== k % dataset.manifest.frames).length / first.flat().length;
  assert.ok(paired > 0.25 && paired < 0.75, `${paired} of frames paired`);
});

test('the vision stage records its tubelet share and resumes with it; a share outside 0…1 is refused before anything is written', async () => {
  const out = path.join(root, 'vision');
  const settings = { kind: 'vision' as const, preset: 'tiny' as const, data, out, seed: 1, checkpointEvery: 2, weightDecay: 0.01, maxGradNorm: 1, batchSize: 4, steps: 4, lr: 3e-3, warmupSteps: 1, tubelets: 0.5 };
  const whole = await train(settings);
  assert.equal(JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8')).tubelets, 0.5);
  // Stopped after step 3, resumed from the checkpoint of step 2: the same tubelets, the same weights.
  const halves = path.join(root, 'vision-resumed');
  let calls = 0;
  assert.equal((await train({ ...settings, out: halves }, { shouldStop: () => ++calls === 3 })).interrupted, true);
  const resumed = await train({ resume: halves });
  for (const [name, p] of whole.model.params) assert.deepEqual(resumed.model.params.get(name)!.data, p.data, name);

  await assert.rejects(train({ ...settings, out: path.join(root, 'bad'), tubelets: 1.5 }), /tubelets 1\.5 is not a share: give a number from 0/);
  assert.equal(existsSync(path.join(root, 'bad')), false);
  const base: BaseSettings = {
    kind: 'base', preset: 'tiny', data, out: path.join(root, 'bad-base'), seed: 1, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1, instructTrainable: 'decoder',
    stages: { vision: { steps: 1, lr: 1e-3, batchSize: 4, tubelets: -0.1 }, language: { steps: 1, lr: 1e-3, batchSize: 4 }, align: { steps: 1, lr: 1e-3, batchSize: 4 }, instruct: { steps: 1, lr: 1e-3, batchSize: 4 } },
  };
  await assert.rejects(train(base), /tubelets -0\.1 is not a share/);
  assert.equal(existsSync(base.out), false);
});
