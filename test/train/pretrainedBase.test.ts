import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import { answerQuestions } from '../../src/eval/answer.js';
import { DEMO_DEFAULT } from '../../src/eval/demo.js';
import { scorePredictions } from '../../src/eval/score.js';
import { createVideoLM, loadVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { pretrainedBaseFor, readPretrainedBase, SHIPPED_BASE } from '../../src/train/pretrainedBase.js';
import { isVisionHead } from '../../src/models/pretraining.js';
import { PRETRAINING_STAGES, resolveModelDir } from '../../src/train/recipes.js';

let root: string;
let demoData: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-pretrained-'));
  demoData = path.join(root, 'demo-data');
  // The demo's validation and test clips with fewer training clips: the same data for a model (heldOutIdentity).
  await synthesizeDataset(demoData, { ...DEMO_DEFAULT.clips, train: 20, seed: DEMO_DEFAULT.seed });
});
after(async () => fs.rm(root, { recursive: true, force: true }));

test('the shipped base was trained on the default demo\'s data and has every stage', () => {
  const settings = readPretrainedBase(SHIPPED_BASE, openDataset(demoData));
  assert.equal(settings.preset, DEMO_DEFAULT.preset);
  assert.deepEqual(settings.stages, DEMO_DEFAULT.baseStages, 'made with the default pipeline (npm run make:base)');
});

test('the shipped base loads into the current small preset: the same tensors, names and shapes', async () => {
  const shipped = await loadVideoLM(resolveModelDir(SHIPPED_BASE));
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const fresh = createVideoLM(presetConfig('small', tokenizer.vocabSize, tokenizer.special), 0, tokenizer);
  const shapes = (m: typeof fresh) => Object.fromEntries([...m.params].filter(([n]) => !isVisionHead(n)).map(([n, p]) => [n, p.shape]));
  assert.deepEqual(shapes(shipped), shapes(fresh));
});

test('the shipped base sees: it answers perception yes/no, multi-choice and caption matching of held-out test clips well above chance', async () => {
  const dataset = openDataset(demoData);
  const model = await loadVideoLM(resolveModelDir(SHIPPED_BASE));
  // 48 questions per format, spread over the test split; chance is 50 % (multi-choice 33 %). Measured on
  // the whole validation split of the seed-7 set (1000 each): 99.1 / 96.6 / 99.2 % (98.2 / 96.8 / 99.4
  // before the instruct stage's caption phase and the phase that trains the ViT; 93.7 % multi-choice
  // with the image-only vision stage, 87.0 % before the instruct stage's polish, 33.5 % before the
  // language stage read).
  const floors = { yes_no: 0.8, multi_choice: 0.8, caption_matching: 0.8 } as const;
  for (const format of ['yes_no', 'multi_choice', 'caption_matching'] as const) {
    const pool = dataset.questions('test').filter((q) => q.dimension === 'perception' && q.format === format);
    const sample = Array.from({ length: 48 }, (_, i) => pool[Math.floor((i * pool.length) / 48)]!);
    const scored = scorePredictions(sample, await answerQuestions(model, dataset, sample));
    const accuracy = scored.filter((s) => s.correct).length / scored.length;
    assert.ok(accuracy >= floors[format], `${format}: ${(100 * accuracy).toFixed(1)}%`);
  }
});

test('a base is refused on other data, with a one-line error naming both datasets', async () => {
  const other = path.join(root, 'other');
  await synthesizeDataset(other, { train: 4, val: 2, test: 2, frames: 4, size: 16, seed: 5 });
  assert.throws(() => readPretrainedBase(SHIPPED_BASE, openDataset(other)), (e: Error) => /^base run .* was trained on other data \(synthetic, seed 0, 20000\/100\/400 clips\) than .* \(synthetic, seed 5, 4\/2\/2 clips\): use the data it was trained on, or train a base on this data$/.test(e.message) && !e.message.includes('\n'));
  assert.equal(pretrainedBaseFor(SHIPPED_BASE, openDataset(other)), null);
  assert.notEqual(pretrainedBaseFor(SHIPPED_BASE, openDataset(demoData)), null);
});

test('a directory that is not a finished base run is refused, naming the fix', async () => {
  const dataset = openDataset(demoData);
  const stage = path.join(SHIPPED_BASE, 'vision');
  assert.throws(() => readPretrainedBase(stage, dataset), /is a vision run, not a base run: give the directory tempolab train base wrote/);
  assert.throws(() => readPretrainedBase(root, dataset), /is not a base run \(no run\.json\)/);
  const partial = path.join(root, 'partial');
  await fs.mkdir(partial);
  await fs.copyFile(path.join(SHIPPED_BASE, 'run.json'), path.join(partial, 'run.json'));
  assert.throws(() => readPretrainedBase(partial, dataset), new RegExp(`has no checkpoint for ${PRETRAINING_STAGES.join(', ')}: finish it with tempolab train base --resume`));
});
