import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Question } from '../../src/data/types.js';
import { TempolabError } from '../../src/engine/errors.js';
import { scoreAnswer, scorePredictions } from '../../src/eval/score.js';

function question(format: Question['format'], answer: string, extra: Partial<Question> = {}): Question {
  return { id: `q-${format}`, videoId: 'v', split: 'test', dimension: 'direction', format, question: '…', answer, partnerId: null, heldOut: false, ...extra };
}

const verdict = (q: Question, prediction: string) => {
  const { choice, correct } = scoreAnswer(q, prediction);
  return { choice, correct };
};

test('multi_choice: the option letter or the option text alone is right; the other option is wrong; noise is wrong', () => {
  const q = question('multi_choice', 'B. from right to left', { options: ['from left to right', 'from right to left'] });
  for (const p of ['B', 'B.', 'b', '(B)', 'B) from right to left', 'B. from right to left', 'B . from right to left', 'from right to left', 'From right to left.']) {
    assert.deepEqual(verdict(q, p), { choice: 'B', correct: true }, p);
  }
  for (const p of ['A', 'A. from left to right', 'from left to right']) assert.deepEqual(verdict(q, p), { choice: 'A', correct: false }, p);
  // C is not one of the two options; "I" and "The" start words, not letters.
  for (const p of ['', '   ', 'C', 'I think so', 'The ball rolls', 'from right', 'A and B']) assert.deepEqual(verdict(q, p), { choice: null, correct: false }, JSON.stringify(p));
});

test('multi_choice: a leading letter decides even when the text after it belongs to the other option', () => {
  const q = question('multi_choice', 'B. from right to left', { options: ['from left to right', 'from right to left'] });
  assert.deepEqual(verdict(q, 'B. from left to right'), { choice: 'B', correct: true });
  assert.deepEqual(verdict(q, 'A. from right to left'), { choice: 'A', correct: false });
});

test('multi_choice imported without an option list: letters A–E still count', () => {
  const q = question('multi_choice', 'C. slowly');
  assert.equal(verdict(q, 'C').correct, true);
  assert.equal(verdict(q, 'D. quickly').correct, false);
  assert.equal(verdict(q, 'slowly').choice, null);
});

test('caption_matching: "Caption A: …", the letter, or the caption text; an article "a" is not a letter', () => {
  const q = question('caption_matching', 'A. the red circle moves from left to right', {
    options: ['the red circle moves from left to right', 'the red circle moves from right to left'],
  });
  for (const p of ['Caption A: the red circle moves from left to right', 'caption a', 'A', 'the red circle moves from left to right']) {
    assert.deepEqual(verdict(q, p), { choice: 'A', correct: true }, p);
  }
  for (const p of ['Caption B', 'the red circle moves from right to left']) assert.deepEqual(verdict(q, p), { choice: 'B', correct: false }, p);
  for (const p of ['a red circle moves from left to right', 'both', '']) assert.deepEqual(verdict(q, p), { choice: null, correct: false }, p);
});

test('yes_no: the first word decides; anything but yes or no is wrong', () => {
  const q = question('yes_no', 'no');
  for (const p of ['no', 'No', 'no, it does not.', 'NO!']) assert.deepEqual(verdict(q, p), { choice: 'no', correct: true }, p);
  for (const p of ['yes', 'Yes.', 'yes no']) assert.deepEqual(verdict(q, p), { choice: 'yes', correct: false }, p);
  for (const p of ['maybe', 'nope', '', 'I say no']) assert.deepEqual(verdict(q, p), { choice: null, correct: false }, p);
});

test('captioning: right only with every key slot; an empty caption is unreadable', () => {
  const slots = { subject: 'red circle', motion: 'moves', direction: 'from left to right' };
  const q = question('captioning', 'the red circle moves from left to right', { slots });
  assert.equal(scoreAnswer(q, 'the red circle moves from left to right').correct, true);
  assert.equal(scoreAnswer(q, 'A red circle moves quickly from left to right.').correct, true);
  assert.deepEqual(scoreAnswer(q, 'the red circle moves from right to left'), {
    choice: 'the red circle moves from right to left',
    correct: false,
    slots: { subject: true, motion: true, direction: false },
  });
  assert.equal(scoreAnswer(q, 'the blue square').correct, false);
  assert.deepEqual(verdict(q, '  '), { choice: null, correct: false });
});

test('scorePredictions keeps question facts and probabilities, and refuses mismatched prediction sets', () => {
  const qs = [question('yes_no', 'yes', { id: 'a', partnerId: 'b', heldOut: true }), question('yes_no', 'no', { id: 'b', partnerId: 'a' })];
  const scored = scorePredictions(qs, [{ questionId: 'b', prediction: 'no' }, { questionId: 'a', prediction: 'no', firstTokenProbability: 0.25 }]);
  assert.deepEqual(scored.map((s) => [s.questionId, s.partnerId, s.heldOut, s.correct, s.firstTokenProbability]), [
    ['a', 'b', true, false, 0.25],
    ['b', 'a', false, true, undefined],
  ]);
  const fails = (predictions: { questionId: string; prediction: string; firstTokenProbability?: number }[], pattern: RegExp) =>
    assert.throws(() => scorePredictions(qs, predictions), (e: unknown) => e instanceof TempolabError && pattern.test(e.message));
  fails([{ questionId: 'a', prediction: 'yes' }], /1 question\(s\) have no prediction \(first: 'b'\)/);
  fails([{ questionId: 'a', prediction: 'yes' }, { questionId: 'b', prediction: 'no' }, { questionId: 'zz', prediction: 'no' }], /not in the set \(first: 'zz'\)/);
  fails([{ questionId: 'a', prediction: 'yes' }, { questionId: 'a', prediction: 'no' }], /two predictions for question 'a'/);
  fails([{ questionId: 'a', prediction: 'yes', firstTokenProbability: 1.5 }, { questionId: 'b', prediction: 'no' }], /not in \[0, 1\]/);
});
