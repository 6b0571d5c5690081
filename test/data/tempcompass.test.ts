import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  exportTempCompassQuestions,
  ffmpegPath,
  importTempCompassQuestions,
  importVideos,
  openDataset,
  parsePairsSpec,
  synthesizeDataset,
  type Question,
} from '../../src/data/index.js';
import { tempDir } from './helpers.js';

const root = tempDir();
const content = (q: Question) => JSON.stringify([q.videoId, q.split, q.format, q.dimension, q.question, q.answer, q.options ?? null]);

test('TempCompass round trip: export then import gives the same questions', async () => {
  const ds = path.join(root, 'synthetic');
  await synthesizeDataset(ds, { train: 20, val: 20, test: 100, seed: 3 });
  const files = await exportTempCompassQuestions(ds, path.join(root, 'questions'), ['val', 'test']);
  assert.deepEqual(files.map((f) => path.basename(f)).sort(), ['caption_matching.json', 'captioning.json', 'multi-choice.json', 'yes_no.json']);
  const joined = path.join(root, 'joined');
  const n = await importTempCompassQuestions(files, ds, { out: joined });
  assert.equal(n, 4 * 120);
  const before = openDataset(ds).allQuestions().map(content).sort();
  const after = openDataset(joined).allQuestions().map(content).sort();
  assert.deepEqual(after, before);
  assert.deepEqual(openDataset(joined).frames('test-000042'), openDataset(ds).frames('test-000042'));
});

test("TempCompass' own layout joins with imported videos by file name", async () => {
  const videos = path.join(root, 'videos');
  mkdirSync(videos);
  for (const id of ['1008', '2417']) {
    execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x48:rate=10', '-pix_fmt', 'yuv420p', path.join(videos, `${id}.mp4`)]);
  }
  const ds = path.join(root, 'tc');
  await importVideos([videos], ds, { frames: 4, size: 16 });
  const mc = path.join(root, 'multi-choice.json');
  writeFileSync(mc, JSON.stringify({
    '1008': { direction: [{ question: 'Which direction is the car moving?\nA. From left to right\nB. From right to left\nC. Towards the camera', answer: 'B. From right to left' }] },
    '2417': { speed: [{ question: 'How fast is the dancer moving?\nA. Slowly\nB. Fast', answer: 'A. Slowly' }] },
  }));
  const cm = path.join(root, 'caption_matching.json');
  writeFileSync(cm, JSON.stringify({
    '1008': { order: [{ question: 'Which caption matches the video better?\nCaption A: A man opens the door, then sits.\nCaption B: A man sits, then opens the door.', answer: 'Caption A: A man opens the door, then sits.' }] },
  }));
  const yn = path.join(root, 'yes_no.json');
  writeFileSync(yn, JSON.stringify({ '9999': { action: [{ question: 'Is the man running?', answer: 'no' }] } }));

  await assert.rejects(importTempCompassQuestions([mc, yn], ds), /1 question video\(s\) are not in .* \(first: '9999'\); import those videos first or pass --skip-missing/);
  assert.equal(await importTempCompassQuestions([mc, cm, yn], ds, { skipMissing: true }), 3);
  const questions = openDataset(ds).questions('test');
  const car = questions.find((q) => q.videoId === '1008' && q.format === 'multi_choice')!;
  assert.equal(car.dimension, 'direction');
  assert.deepEqual(car.options, ['From left to right', 'From right to left', 'Towards the camera']);
  assert.equal(car.answer, 'B. From right to left');
  assert.ok(car.question.endsWith('\nC. Towards the camera\nplease directly give the best option:'));
  const match = questions.find((q) => q.format === 'caption_matching')!;
  assert.equal(match.answer, 'A. A man opens the door, then sits.');
  assert.equal(match.options!.length, 2);

  const bad = path.join(root, 'yes_no_bad.json');
  writeFileSync(bad, JSON.stringify({ '1008': { motion: [] } }));
  await assert.rejects(importTempCompassQuestions([bad], ds, { format: 'yes_no' }), /unknown dimension 'motion'/);
  await assert.rejects(importTempCompassQuestions([bad], ds), /cannot tell the task type of '.*yes_no_bad\.json'/);
});

test('the synthetic set\'s opposing pairs survive a TempCompass export and re-import (linked from the recorded partner videos)', async () => {
  const ds = path.join(root, 'synthetic');
  const files = await exportTempCompassQuestions(ds, path.join(root, 'questions-pairs'), ['test']);
  const joined = path.join(root, 'joined-pairs');
  await importTempCompassQuestions(files, ds, { out: joined });
  const pairsOf = (qs: Question[]) => {
    const byId = new Map(qs.map((q) => [q.id, q]));
    return qs.filter((q) => q.partnerId && byId.has(q.partnerId)).map((q) => content(q) + ' ↔ ' + content(byId.get(q.partnerId!)!)).sort();
  };
  const original = pairsOf(openDataset(ds).questions('test'));
  assert.ok(original.length > 50);
  assert.deepEqual(pairsOf(openDataset(joined).questions('test')), original);
});

test('real videos get opposing partners: import --add-reversed, then questions paired by --pairs suffix:_reversed, a pairs file, or the recorded twins', async () => {
  const videos = path.join(root, 'videos-pairs');
  mkdirSync(videos);
  execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x48:rate=10', '-pix_fmt', 'yuv420p', path.join(videos, '1008.mp4')]);
  const ds = path.join(root, 'tc-pairs');
  await importVideos([videos], ds, { frames: 4, size: 16, addReversed: true });
  const question = 'Which direction is the car moving?\nA. From left to right\nB. From right to left';
  const mc = path.join(root, 'pairs', 'multi-choice.json');
  mkdirSync(path.dirname(mc), { recursive: true });
  writeFileSync(mc, JSON.stringify({
    '1008': { direction: [{ question, answer: 'B. From right to left' }], attribute_change: [{ question: 'What colour is the car?\nA. Red\nB. Blue', answer: 'A. Red' }] },
    '1008_reversed': { direction: [{ question, answer: 'A. From left to right' }], attribute_change: [{ question: 'What colour is the car?\nA. Red\nB. Blue', answer: 'A. Red' }] },
  }));
  const pairsFile = path.join(root, 'pairs', 'partners.json');
  writeFileSync(pairsFile, JSON.stringify({ '1008': '1008_reversed' }));
  for (const pairs of [undefined, parsePairsSpec('suffix:_reversed'), parsePairsSpec(pairsFile)]) {
    const out = path.join(root, `tc-pairs-${pairs ? Object.keys(pairs)[0] : 'recorded'}`);
    await importTempCompassQuestions([mc], ds, { out, pairs });
    const qs = openDataset(out).questions('test');
    const direction = qs.filter((q) => q.dimension === 'direction');
    assert.deepEqual(direction.map((q) => q.partnerId), [direction[1]!.id, direction[0]!.id], 'the direction questions are partners');
    assert.ok(qs.filter((q) => q.dimension === 'attribute_change').every((q) => q.partnerId === null), 'equal answers are not opposing');
  }
  assert.throws(() => parsePairsSpec(path.join(root, 'nowhere.json')), /neither suffix:<text> nor an existing JSON file/);
  writeFileSync(pairsFile, JSON.stringify(['1008']));
  assert.throws(() => parsePairsSpec(pairsFile), /must be a JSON object mapping video ids to partner video ids/);
  writeFileSync(pairsFile, JSON.stringify({ '1008': '1009' }));
  await assert.rejects(importTempCompassQuestions([mc], ds, { out: path.join(root, 'never'), pairs: parsePairsSpec(pairsFile) }), /--pairs names '1009', which is not a video of the dataset/);
});
