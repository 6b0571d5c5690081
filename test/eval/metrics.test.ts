import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DIMENSIONS, FORMATS, type Question } from '../../src/data/types.js';
import { TempolabError } from '../../src/engine/errors.js';
import { beatsBeyondIntervals, beatsOnDimension, compareOnDimensions } from '../../src/eval/compare.js';
import { evaluate, opposingPairs } from '../../src/eval/metrics.js';
import { evaluationToJson, readEvaluationJson, writeEvaluationJson, type Estimate } from '../../src/eval/result.js';
import { scorePredictions, type Prediction } from '../../src/eval/score.js';
import { captionSubjectTable, comparisonTable, formatEstimate, verdictTable } from '../../src/eval/tables.js';
import { evaluationMarkdown } from '../../src/eval/summary.js';

const OPTIONS = ['from left to right', 'from right to left'];

/** A question whose right answer is "yes" / "B" / the caption, so a prediction is right or wrong by construction. */
function q(id: string, format: Question['format'], dimension: Question['dimension'], partnerId: string | null, heldOut = false): Question {
  const base = { id, videoId: `v-${id}`, split: 'test' as const, dimension, format, question: '…', partnerId, heldOut };
  if (format === 'yes_no') return { ...base, answer: 'yes' };
  if (format === 'captioning') return { ...base, answer: 'the red circle moves slowly', slots: { subject: 'red circle', motion: 'moves', direction: 'slowly' } };
  return { ...base, answer: 'B. from right to left', options: OPTIONS };
}

const RIGHT = { yes_no: 'yes', multi_choice: 'B', caption_matching: 'B', captioning: 'the red circle moves slowly' } as const;
const WRONG = { yes_no: 'no', multi_choice: 'A', caption_matching: 'A', captioning: 'the red circle moves fast' } as const;

/**
 * The hand-built set (✓ right, ✗ wrong, ? malformed):
 *   direction multi_choice   d1a ✓ d1b ✓  (pair right)   d2a ✓ d2b ✗  (pair wrong)
 *   order     yes_no         o1a ✓ o1b ✗  (pair wrong)   h1a ✓ h1b ✓  (pair right, held out)
 *   speed     captioning     s1 ✓ (no partner)
 *   action    caption_match  a1a ? a1b ✓  (pair wrong)
 * 8 of 11 right; pairs 2 of 5; one unpaired question; 10 of 11 readable.
 */
const SET: [Question, 'right' | 'wrong' | 'malformed', number?][] = [
  [q('d1a', 'multi_choice', 'direction', 'd1b'), 'right', 0.9],
  [q('d1b', 'multi_choice', 'direction', 'd1a'), 'right', 0.5],
  [q('d2a', 'multi_choice', 'direction', 'd2b'), 'right'],
  [q('d2b', 'multi_choice', 'direction', 'd2a'), 'wrong'],
  [q('o1a', 'yes_no', 'order', 'o1b'), 'right', 0.2],
  [q('o1b', 'yes_no', 'order', 'o1a'), 'wrong'],
  [q('h1a', 'yes_no', 'order', 'h1b', true), 'right'],
  [q('h1b', 'yes_no', 'order', 'h1a', true), 'right'],
  [q('s1', 'captioning', 'speed', null), 'right'],
  [q('a1a', 'caption_matching', 'action', 'a1b'), 'malformed'],
  [q('a1b', 'caption_matching', 'action', 'a1a'), 'right'],
];

function predictions(withProbabilities: boolean): Prediction[] {
  return SET.map(([question, kind, p]) => ({
    questionId: question.id,
    prediction: kind === 'right' ? RIGHT[question.format] : kind === 'wrong' ? WRONG[question.format] : 'both of them, maybe',
    ...(withProbabilities && p !== undefined ? { firstTokenProbability: p } : {}),
  }));
}

const questions = SET.map(([question]) => question);
const result = evaluate(scorePredictions(questions, predictions(true)), { model: 'hand', split: 'test' });
const mean = (e: Estimate) => e.mean;
const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} vs ${expected}`);

test('accuracy overall, by format, by dimension and by format × dimension', () => {
  close(result.all.overall.mean, 8 / 11);
  assert.equal(result.all.overall.n, 11);
  assert.deepEqual(Object.fromEntries(FORMATS.map((f) => [f, mean(result.all.byFormat[f])])), { yes_no: 0.75, multi_choice: 0.75, caption_matching: 0.5, captioning: 1 });
  assert.deepEqual(Object.fromEntries(DIMENSIONS.map((d) => [d, mean(result.all.byDimension[d])])), { direction: 0.75, speed: 1, order: 0.75, attribute_change: null, action: 0.5, perception: null });
  assert.deepEqual(result.all.byDimension.attribute_change, { mean: null, low: null, high: null, n: 0 });
  assert.deepEqual([mean(result.all.byFormatDimension.yes_no.order), result.all.byFormatDimension.yes_no.order.n], [0.75, 4]);
  assert.equal(result.all.byFormatDimension.yes_no.direction.n, 0);
  close(result.all.matchRate.overall.mean, 10 / 11);
  assert.equal(mean(result.all.matchRate.byFormat.caption_matching), 0.5);
});

test('every figure carries an interval around its mean within [0, 1], and a constant has a zero-width one', () => {
  for (const e of [result.all.overall, result.all.byFormat.multi_choice, result.all.pairs.overall]) {
    assert.ok(e.low !== null && e.high !== null && e.mean !== null);
    assert.ok(0 <= e.low && e.low <= e.mean && e.mean <= e.high && e.high <= 1, JSON.stringify(e));
    assert.ok(e.high - e.low > 0.1, 'a mixed sample of a dozen items has a wide interval');
  }
  assert.deepEqual(result.all.byFormat.captioning, { mean: 1, low: 1, high: 1, n: 1 });
});

test('opposing-pair accuracy counts each pair once and needs both members right', () => {
  assert.deepEqual([mean(result.all.pairs.overall), result.all.pairs.overall.n, result.all.pairs.unpaired], [0.4, 5, 1]);
  assert.deepEqual([mean(result.all.pairs.byDimension.direction), result.all.pairs.byDimension.direction.n], [0.5, 2]);
  assert.deepEqual([mean(result.all.pairs.byDimension.order), result.all.pairs.byDimension.order.n], [0.5, 2]);
  assert.deepEqual([mean(result.all.pairs.byDimension.action), result.all.pairs.byDimension.action.n], [0, 1]);
  assert.equal(result.all.pairs.byDimension.speed.n, 0);
  assert.deepEqual(result.all.pairs.byFormat.yes_no, { mean: 0.5, low: result.all.pairs.byFormat.yes_no.low, high: result.all.pairs.byFormat.yes_no.high, n: 2 });
  const { pairs } = opposingPairs(scorePredictions(questions, predictions(false)));
  assert.deepEqual(pairs.map((p) => p.members.map((m) => m.questionId).join('+')), ['d1a+d1b', 'd2a+d2b', 'o1a+o1b', 'h1a+h1b', 'a1a+a1b']);
});

test('the held-out subset is reported on its own, with pairs formed inside it', () => {
  assert.deepEqual(result.heldOut.overall, { mean: 1, low: 1, high: 1, n: 2 });
  assert.deepEqual(result.heldOut.pairs.overall, { mean: 1, low: 1, high: 1, n: 1 });
  assert.equal(result.heldOut.pairs.unpaired, 0);
  assert.equal(result.heldOut.byDimension.direction.n, 0);
});

test('mean first-token probability by format and dimension, only over measured questions; null when none', () => {
  const p = result.firstTokenProbability!;
  close(p.overall.mean, (0.9 + 0.5 + 0.2) / 3);
  close(p.byFormat.multi_choice.mean, 0.7);
  assert.equal(p.byFormat.multi_choice.n, 2);
  close(p.byDimension.order.mean, 0.2);
  assert.equal(p.byFormat.captioning.n, 0);
  assert.equal(evaluate(scorePredictions(questions, predictions(false)), { model: 'x' }).firstTokenProbability, null);
});

test('the caption subject slot counts captions naming the right subject, right or wrong otherwise; pooled over temporal dimensions only; the held-out compositions apart', () => {
  // subject slot 'red circle': right (all slots), right subject with the wrong speed, wrong subject.
  const captions: [Question, string][] = [
    [q('c1', 'captioning', 'speed', null), 'the red circle moves slowly'],
    [q('c2', 'captioning', 'speed', null), 'the red circle moves fast'],
    [q('c3', 'captioning', 'order', null, true), 'the blue square moves slowly'],
    [q('c4', 'captioning', 'perception', null), 'the red circle moves slowly'],
    [q('c5', 'yes_no', 'order', null), 'no'],
  ];
  const r = evaluate(scorePredictions(captions.map(([c]) => c), captions.map(([c, prediction]) => ({ questionId: c.id, prediction }))), { model: 'captions' });
  assert.deepEqual([mean(r.all.byFormat.captioning), r.all.byFormat.captioning.n], [0.5, 4]);
  assert.deepEqual([mean(r.captionSubject.byDimension.speed), r.captionSubject.byDimension.speed.n], [1, 2]);
  assert.deepEqual([mean(r.captionSubject.byDimension.order), r.captionSubject.byDimension.order.n], [0, 1]);
  assert.deepEqual([mean(r.captionSubject.byDimension.perception), r.captionSubject.byDimension.perception.n], [1, 1]);
  assert.equal(r.captionSubject.byDimension.direction.n, 0);
  close(r.captionSubject.temporal.mean, 2 / 3);
  assert.equal(r.captionSubject.temporal.n, 3);
  assert.deepEqual([mean(r.captionSubject.heldOut!.temporal), r.captionSubject.heldOut!.temporal.n], [0, 1]);
  assert.equal(r.captionSubject.heldOut!.byDimension.speed.n, 0);
  const table = captionSubjectTable(r)!;
  assert.deepEqual(table.rows.map((row) => row[0]), [...DIMENSIONS, 'temporal']);
  assert.deepEqual(table.rows.at(-1), ['temporal', formatEstimate(r.captionSubject.temporal), formatEstimate(r.captionSubject.heldOut!.temporal)]);
  // results.json written before the held-out slot was measured shows a dash there.
  const { heldOut: _, ...older } = r.captionSubject;
  assert.equal(captionSubjectTable({ ...r, captionSubject: older })!.rows.at(-1)![2], '—');
  assert.equal(captionSubjectTable(evaluate(scorePredictions([captions[4]![0]], [{ questionId: 'c5', prediction: 'no' }]), { model: 'no captions' })), null);
});

test('results JSON has every format and dimension key in a fixed order and reads back', async () => {
  const parsed = JSON.parse(evaluationToJson(result));
  assert.deepEqual(Object.keys(parsed), ['schema', 'version', 'model', 'split', 'bootstrap', 'questions', 'all', 'heldOut', 'firstTokenProbability', 'captionSubject']);
  assert.deepEqual(Object.keys(parsed.heldOut.byDimension), [...DIMENSIONS]);
  assert.deepEqual(Object.keys(parsed.all.byFormatDimension.captioning), [...DIMENSIONS]);
  assert.deepEqual(parsed.all.byDimension.attribute_change, { mean: null, low: null, high: null, n: 0 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tempolab-eval-'));
  try {
    await writeEvaluationJson(path.join(dir, 'results.json'), result);
    assert.deepEqual(await readEvaluationJson(path.join(dir, 'results.json')), result);
    writeFileSync(path.join(dir, 'other.json'), '{"loss": 1}');
    await assert.rejects(readEvaluationJson(path.join(dir, 'other.json')), (e: unknown) => e instanceof TempolabError && /not a tempolab evaluation result/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('"beats beyond the intervals" means the lower bound above the other upper bound, strictly', () => {
  const e = (low: number | null, high: number | null): Estimate => ({ mean: low === null || high === null ? null : (low + high) / 2, low, high, n: 10 });
  assert.equal(beatsBeyondIntervals(e(0.6, 0.8), e(0.4, 0.59)), true);
  assert.equal(beatsBeyondIntervals(e(0.6, 0.8), e(0.4, 0.6)), false);
  assert.equal(beatsBeyondIntervals(e(0.6, 0.8), e(0.5, 0.7)), false);
  assert.equal(beatsBeyondIntervals(e(0.4, 0.59), e(0.6, 0.8)), false);
  assert.equal(beatsBeyondIntervals(e(null, null), e(0, 0.1)), false);
  assert.equal(beatsBeyondIntervals(e(0.9, 1), e(null, null)), false);
});

test('model X beats model Y on direction but not on order, from whole evaluations', () => {
  // Twenty direction and twenty order yes/no questions; X gets every direction question right and Y
  // none; both get the same half of the order questions right.
  const qs: Question[] = [];
  for (let i = 0; i < 20; i++) qs.push(q(`dir${i}`, 'yes_no', 'direction', null), q(`ord${i}`, 'yes_no', 'order', null));
  const answer = (directionRight: boolean) => qs.map((x, i) => ({
    questionId: x.id,
    prediction: x.dimension === 'direction' ? (directionRight ? 'yes' : 'no') : i % 4 === 1 ? 'yes' : 'no',
  }));
  const x = evaluate(scorePredictions(qs, answer(true)), { model: 'STAVE' });
  const y = evaluate(scorePredictions(qs, answer(false)), { model: 'control' });
  assert.deepEqual([x.all.byDimension.direction.low, y.all.byDimension.direction.high], [1, 0]);
  assert.equal(beatsOnDimension(x, y, 'direction'), true);
  assert.equal(beatsOnDimension(y, x, 'direction'), false);
  assert.equal(beatsOnDimension(x, y, 'order'), false);
  assert.equal(beatsOnDimension(x, y, 'speed'), false);
  const verdicts = compareOnDimensions(x, y);
  // Overall, X has 30 of 40 right and Y 10 of 40: far apart, so X beats Y overall too.
  assert.deepEqual(verdicts.map((v) => [v.dimension, v.beats]), [...DIMENSIONS.map((d) => [d, d === 'direction']), ['overall', true]]);
  assert.deepEqual([x.all.overall.mean, y.all.overall.mean], [0.75, 0.25]);
  const table = verdictTable(x, y);
  assert.deepEqual(table.header, ['dimension', 'STAVE', 'control', 'beyond the intervals']);
  assert.deepEqual(table.rows[0], ['direction', '100.0 (100.0–100.0, n=20)', '0.0 (0.0–0.0, n=20)', 'yes']);
  assert.deepEqual(comparisonTable([y, x]).header, ['', 'control', 'STAVE']);
});

test('estimates print as percent with interval and n; Markdown tables show the hand-worked figures', () => {
  assert.equal(formatEstimate({ mean: 0.5, low: 0.25, high: 0.75, n: 4 }), '50.0 (25.0–75.0, n=4)');
  assert.equal(formatEstimate({ mean: 0.4125, low: 0.4, high: 0.42, n: 9 }, { percent: false }), '0.412 (0.400–0.420, n=9)');
  assert.equal(formatEstimate({ mean: null, low: null, high: null, n: 0 }), '— (n=0)');
  const md = evaluationMarkdown(result);
  const allRow = md.split('\n').find((l) => l.startsWith('| all |'))!;
  assert.match(allRow, /^\| all \| 75\.0 \(.*\| 100\.0 \(100\.0–100\.0, n=1\) \| 75\.0 \(.*\| — \(n=0\) \| 50\.0 \(.*\| 72\.7 \(.*n=11\) \|$/);
  assert.match(md, /\| all \| 40\.0 \([^|]*n=5\) \| 100\.0 \(100\.0–100\.0, n=1\) \|/);
  assert.ok(md.includes('| attribute_change |'));
});
