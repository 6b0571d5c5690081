import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Question } from '../../src/data/types.js';
import { chanceLevels, findings, findingsBlocks } from '../../src/eval/findings.js';
import { evaluate } from '../../src/eval/metrics.js';
import type { ProbeRun } from '../../src/eval/probeReport.js';
import { scorePredictions } from '../../src/eval/score.js';
import type { ProbeRow } from '../../src/probe/runner.js';
import type { ClassifierResult } from '../../src/train/classifier.js';

function question(id: string, format: 'yes_no' | 'multi_choice', options = 4): Question {
  const base = { id, videoId: `v-${id}`, split: 'test' as const, dimension: 'direction' as const, format, question: '…', partnerId: null, heldOut: false };
  return format === 'yes_no' ? { ...base, answer: 'yes' } : { ...base, answer: 'A. up', options: Array.from({ length: options }, (_, i) => `o${i}`) };
}

const row = (q: string, label: string, pc: number, layer: number | null = 0): ProbeRow => ({ questionId: q, format: 'yes_no', layer, label, baseline: 0.5, intervened: 0.5 + pc });
const run = (name: string, rows: ProbeRow[], model = 'm'): ProbeRun => ({ experiment: { name: name as ProbeRun['experiment']['name'], figure: 'Fig. X', section: '§0', title: 't' }, models: [{ model, rows }] });

test('chance levels: 1/2 for yes/no, the mean of 1/options for lettered formats, none for captions', () => {
  const c = chanceLevels([question('a', 'multi_choice', 4), question('b', 'multi_choice', 2), question('c', 'yes_no')]);
  assert.deepEqual(c, { yes_no: 0.5, multi_choice: (0.25 + 0.5) / 2, caption_matching: null, captioning: null });
});

test('accuracy against chance and the paired STAVE − control difference, on a hand-built set', () => {
  // 20 four-option questions: STAVE right on all, control on 5 (25% = chance). The paired difference
  // is 1 on 15 questions and 0 on 5: mean 0.75; every resample lies in [0.3, 1], so the interval excludes 0.
  const qs = Array.from({ length: 20 }, (_, i) => question(`q${i}`, 'multi_choice'));
  const answers = {
    stave: scorePredictions(qs, qs.map((q) => ({ questionId: q.id, prediction: 'A' }))),
    control: scorePredictions(qs, qs.map((q, i) => ({ questionId: q.id, prediction: i < 5 ? 'A' : 'B' }))),
  };
  const results = Object.entries(answers).map(([model, a]) => evaluate(a, { model }));
  const f = findings({ results, answers, questions: qs });
  const read = (m: string) => f.accuracy.find((a) => a.model === m && a.format === 'multi_choice')!;
  assert.equal(read('stave').reading, 'above chance');
  assert.equal(read('control').reading, 'at chance');
  assert.equal(read('control').chance, 0.25);
  const all = f.difference!.byFormat[0]!;
  assert.equal(all.format, 'all');
  assert.equal(all.n, 20);
  assert.ok(Math.abs(all.mean - 0.75) < 1e-12 && all.low > 0 && all.high <= 1);
  assert.match(f.sentences.join(' '), /stave − control: \+75\.0 accuracy points .* stave is ahead beyond the interval/);
  // Both answer "A" on the first 5 questions and differ on the other 15.
  assert.equal(f.difference!.sameAnswers, 5);
  assert.match(f.sentences.join(' '), /the same answer on 5 of 20 questions/);
  assert.match(f.sentences[1]!, /^control: 25\.0% of 20 questions right; at chance/);
});

test('likelihood scoring in one sentence: each model beside its generated accuracy, then the pair verdict', () => {
  // 20 four-option questions in 10 opposing pairs (q0–q1, q2–q3, …). Generated, both models answer "B"
  // (all wrong); by likelihood STAVE picks "A" everywhere (10 of 10 pairs) and the control on q0–q4
  // only (pairs q0–q1 and q2–q3: 2 of 10), so STAVE's pair interval [1, 1] lies above the control's.
  const qs = Array.from({ length: 20 }, (_, i) => ({ ...question(`q${i}`, 'multi_choice'), partnerId: `q${i ^ 1}` }));
  const scored = (picks: (i: number) => string) => scorePredictions(qs, qs.map((q, i) => ({ questionId: q.id, prediction: picks(i) })));
  const results = ['stave', 'control'].map((model) => evaluate(scored(() => 'B'), { model }));
  const likelihoodResults = [evaluate(scored(() => 'A'), { model: 'stave' }), evaluate(scored((i) => (i < 5 ? 'A' : 'B')), { model: 'control' })];
  assert.equal(likelihoodResults[1]!.all.pairs.overall.mean, 0.2);
  const sentence = findings({ results, likelihoodResults, questions: qs }).sentences.find((x) => x.startsWith('Answered by the option'));
  assert.equal(sentence, 'Answered by the option each model finds most likely (likelihood scoring; the accuracies above are of generated answers): stave 100.0% (generated 0.0%), control 25.0% (generated 0.0%); opposing pairs stave 100.0% vs control 20.0%: stave ahead beyond both intervals.');
  assert.equal(findings({ results, questions: qs }).sentences.some((x) => x.startsWith('Answered by the option')), false, 'no likelihood results, no sentence');
});

test('probe claims: reproduced, not reproduced and not testable, with the numbers', () => {
  const qs = ['a', 'b', 'c', 'd'];
  const probes = [
    // Query shuffle −0.4 on every question, video shuffle 0: contrast exactly −0.4, on the paper's side.
    run('position-shuffle', qs.flatMap((q) => [row(q, 'shuffled video ids', 0), row(q, 'shuffled query ids', -0.4)])),
    // Blocking the query and the frames hurts the same: contrast 0 with a zero-width interval.
    run('final-token-knockout', qs.flatMap((q) => [row(q, 'blocked query', -0.1, 1), row(q, 'blocked frames', -0.1, 1)])),
    // One question only.
    run('reverse', [row('a', 'reverse PE', 0), row('a', 'reverse order', -0.5)]),
    // Inter-frame hurts most at layer 1, frame-to-query at layer 3: the paper's order.
    run('stagewise', qs.flatMap((q) => [row(q, 'inter-frame', -0.3, 1), row(q, 'inter-frame', 0, 3), row(q, 'frame-to-query', 0, 1), row(q, 'frame-to-query', -0.2, 3)])),
  ];
  const f = findings({ probes });
  assert.deepEqual(f.probes.map((p) => [p.experiment, p.verdict]), [
    ['position-shuffle', 'reproduced'], ['final-token-knockout', 'not reproduced'], ['reverse', 'not testable'], ['stagewise', 'reproduced'],
  ]);
  const v = f.probes[0]!.value!;
  assert.equal(v.n, 4);
  for (const x of [v.mean, v.low, v.high]) assert.ok(Math.abs(x + 0.4) < 1e-12);
  assert.match(f.probes[1]!.detail, /the interval includes 0/);
  assert.match(f.probes[3]!.detail, /layer 1: .* layer 3:/);
  assert.match(f.sentences.at(-1)!, /2 reproduced, 1 not reproduced, 1 not testable/);
  // A model at chance has nothing to trace: its verdicts become "not testable", numbers kept.
  const qsAtChance = ['a', 'b'].map((id) => question(id, 'yes_no'));
  const results = [evaluate(scorePredictions(qsAtChance, [{ questionId: 'a', prediction: 'yes' }, { questionId: 'b', prediction: 'no' }]), { model: 'm' })];
  const g = findings({ results, questions: qsAtChance, probes: [probes[0]!] });
  assert.equal(g.probes[0]!.verdict, 'not testable');
  assert.match(g.probes[0]!.detail, /-0\.400 .*answers at chance/);
  const blocks = findingsBlocks(g);
  assert.deepEqual(blocks[0], { kind: 'heading', text: 'What this run found', level: 2 });
});

test('the vision-only check reads "ahead" only when the two arms’ intervals do not overlap', () => {
  const arm = (sta: boolean, accuracy: [number, number, number], pairs: [number, number, number]): ClassifierResult => ({
    model: sta ? 'ViT + STA' : 'ViT', split: 'test', sta, byDimension: {},
    accuracy: { mean: accuracy[0], low: accuracy[1], high: accuracy[2], n: 400 },
    pairAccuracy: { mean: pairs[0], low: pairs[1], high: pairs[2], n: 200 },
  });
  const separated = findings({ classifier: [arm(false, [0.18, 0.15, 0.22], [0.02, 0, 0.05]), arm(true, [0.47, 0.42, 0.52], [0.31, 0.25, 0.37])] });
  assert.equal(separated.sentences.length, 1);
  assert.match(separated.sentences[0]!, /accuracy 47\.0% \[42\.0, 52\.0\] with STA vs 18\.0% \[15\.0, 22\.0\] without, STA ahead beyond both intervals; opposing-pair accuracy 31\.0% \[25\.0, 37\.0\] vs 2\.0% \[0\.0, 5\.0\], STA ahead/);
  const overlapping = findings({ classifier: [arm(true, [0.2, 0.15, 0.25], [0.04, 0.01, 0.07]), arm(false, [0.18, 0.14, 0.23], [0.01, 0, 0.03])] });
  assert.match(overlapping.sentences[0]!, /without, the intervals overlap: no difference shown; .* vs 1\.0% \[0\.0, 3\.0\], the intervals overlap/);
  assert.equal(findings({ classifier: [arm(true, [0.5, 0.4, 0.6], [0.3, 0.2, 0.4])] }).sentences.length, 0, 'one arm alone is no comparison');
});
