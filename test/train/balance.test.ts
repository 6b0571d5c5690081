import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import type { Question } from '../../src/data/types.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { balancedSlots, TrainingData } from '../../src/train/trainingData.js';

let root: string;
let data: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-balance-'));
  data = path.join(root, 'data');
  await synthesizeDataset(data, { train: 20, val: 2, test: 2, frames: 4, size: 16, seed: 5 });
});
after(async () => fs.rm(root, { recursive: true, force: true }));

test('balancedSlots cycles every smaller group up to the largest one (a hand-worked case)', () => {
  const q = (dimension: string) => ({ dimension }) as Question;
  const questions = [q('perception'), q('order'), q('perception'), q('perception'), q('action'), q('action')];
  // perception: 0, 2, 3 (largest, 3); order: 1 → 1, 1, 1; action: 4, 5 → 4, 5, 4.
  assert.deepEqual(balancedSlots(questions, (x) => x.dimension), [0, 2, 3, 1, 1, 1, 4, 5, 4]);
  assert.deepEqual(balancedSlots([], (x) => x.dimension), []);
});

test('a balanced TrainingData gives every dimension the same share of an epoch, and an unbalanced one each question once', () => {
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 1, tokenizer);
  const dataset = openDataset(data);
  const yesNo = (x: Question) => x.format === 'yes_no';
  const plain = new TrainingData(dataset, model, 'train', 1, yesNo);
  const balanced = new TrainingData(dataset, model, 'train', 1, yesNo, (x) => x.dimension);
  const perDimension = (d: TrainingData) => {
    const counts = new Map<string, number>();
    for (const i of d.batchIndices(0, d.epochLength)) counts.set(d.questions[i]!.dimension, (counts.get(d.questions[i]!.dimension) ?? 0) + 1);
    return counts;
  };
  const counted = perDimension(plain);
  assert.equal(plain.epochLength, plain.questions.length);
  // Every clip has a perception question, so unbalanced perception outnumbers each temporal dimension.
  const perception = counted.get('perception')!;
  assert.ok([...counted].every(([d, n]) => d === 'perception' || n < perception), JSON.stringify([...counted]));
  const even = perDimension(balanced);
  assert.equal(even.size, counted.size);
  assert.ok([...even.values()].every((n) => n === perception), JSON.stringify([...even]));
  assert.equal(balanced.epochLength, perception * counted.size);
});
