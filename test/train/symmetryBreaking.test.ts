import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDataset, type Dataset } from '../../src/data/dataset.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import type { Question } from '../../src/data/types.js';
import { statesFirstOutcome } from '../../src/train/symmetryBreaking.js';

let root: string;
let data: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-symmetry-'));
  data = path.join(root, 'data');
  await synthesizeDataset(data, { train: 40, val: 2, test: 2, frames: 4, size: 16, seed: 3 });
});
after(async () => fs.rm(root, { recursive: true, force: true }));

test('statesFirstOutcome reads the stated outcome off the answer and the clip (hand-worked cases)', () => {
  const clips = { a: { outcome: 0 }, b: { outcome: 1 } } as const;
  const dataset = { dir: 'stub', video: (id: 'a' | 'b') => clips[id] } as unknown as Dataset;
  const q = (videoId: string, format: string, answer: string, dimension = 'direction') => ({ videoId, format, answer, dimension }) as Question;
  // "yes" on a clip showing outcome 0 states outcome 0; "no" on a clip showing outcome 1 does too.
  assert.equal(statesFirstOutcome(dataset, q('a', 'yes_no', 'yes')), true);
  assert.equal(statesFirstOutcome(dataset, q('b', 'yes_no', 'no')), true);
  assert.equal(statesFirstOutcome(dataset, q('a', 'yes_no', 'no')), false);
  assert.equal(statesFirstOutcome(dataset, q('b', 'yes_no', 'yes')), false);
  // Caption matching: A is outcome 0's caption when the clip showing 0 answers A, or the one showing 1 answers B.
  assert.equal(statesFirstOutcome(dataset, q('a', 'caption_matching', 'A. it moves left')), true);
  assert.equal(statesFirstOutcome(dataset, q('b', 'caption_matching', 'B. it moves left')), true);
  assert.equal(statesFirstOutcome(dataset, q('b', 'caption_matching', 'A. it moves right')), false);
  assert.equal(statesFirstOutcome(dataset, q('a', 'multi_choice', 'A')), false);
  assert.equal(statesFirstOutcome(dataset, q('b', 'captioning', 'it moves right')), true);
  assert.equal(statesFirstOutcome(dataset, q('b', 'yes_no', 'yes', 'perception')), true);
  const imported = { dir: 'clips', video: () => ({}) } as unknown as Dataset;
  assert.throws(() => statesFirstOutcome(imported, q('x', 'yes_no', 'yes')), /clip x of clips has no phenomenon outcome: a symmetry-breaking phase needs synthetic data/);
});

test('on synthetic data an opposing pair shares its side, each side is about half, and there the answer follows the clip alone', () => {
  const dataset = openDataset(data);
  const questions = dataset.questions('train').filter((q) => q.dimension !== 'perception' && (q.format === 'yes_no' || q.format === 'caption_matching'));
  const byId = new Map(questions.map((q) => [q.id, q]));
  let paired = 0;
  for (const q of questions) {
    const partner = q.partnerId ? byId.get(q.partnerId) : undefined;
    if (!partner) continue;
    // The partner's question has the same text and states the same outcome, with the other answer.
    assert.equal(partner.question, q.question);
    assert.equal(statesFirstOutcome(dataset, partner), statesFirstOutcome(dataset, q), q.id);
    paired++;
  }
  assert.ok(paired > 20, `${paired} paired questions`);
  for (const format of ['yes_no', 'caption_matching']) {
    const ofFormat = questions.filter((q) => q.format === format);
    const first = ofFormat.filter((q) => statesFirstOutcome(dataset, q));
    assert.ok(first.length > ofFormat.length * 0.25 && first.length < ofFormat.length * 0.75, `${format}: ${first.length} of ${ofFormat.length}`);
    // On the first-outcome side one answer goes with each outcome: the video alone decides it.
    const answerOf = new Map<number, Set<string>>();
    for (const q of first) {
      const outcome = dataset.video(q.videoId).outcome!;
      answerOf.set(outcome, (answerOf.get(outcome) ?? new Set()).add(q.answer.split(/[ .]/)[0]!));
    }
    assert.deepEqual([...answerOf.keys()].sort(), [0, 1]);
    assert.ok([...answerOf.values()].every((answers) => answers.size === 1), JSON.stringify([...answerOf].map(([k, v]) => [k, [...v]])));
  }
});
