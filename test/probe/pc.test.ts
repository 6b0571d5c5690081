import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groundTruthProbabilityChange, pcSeries, summarizePC } from '../../src/probe/index.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('P_C is the intervened minus the baseline ground-truth probability', () => {
  assert.equal(groundTruthProbabilityChange(0.5, 0.25), -0.25);
  assert.equal(groundTruthProbabilityChange(0.2, 0.7), 0.49999999999999994);
  assert.equal(groundTruthProbabilityChange(0.3, 0.3), 0);
});

test('summarizePC: mean P_C by format, dimension and layer on hand values, formats in TempCompass order', () => {
  const records = [
    { format: 'multi_choice', dimension: 'order', layer: 0, pc: 0.4 },
    { format: 'yes_no', dimension: 'order', layer: 0, pc: 0.1 },
    { format: 'yes_no', dimension: 'speed', layer: 0, pc: 0.3 },
    { format: 'yes_no', dimension: 'speed', layer: 1, pc: -0.2 },
    { format: 'multi_choice', dimension: 'order', layer: 0, pc: 0.4 },
  ];
  const s = summarizePC(records, { seed: 7 });
  assert.deepEqual(s.byFormat.map((g) => [g.format, g.n]), [['yes_no', 3], ['multi_choice', 2]]);
  close(s.byFormat[0]!.mean, (0.1 + 0.3 - 0.2) / 3, 'yes_no mean');
  // A bootstrap mean of resampled values stays within the sample's range (up to rounding).
  const { low, high, mean } = s.byFormat[0]!;
  assert.ok(low >= -0.2 - 1e-12 && low <= mean && high <= 0.3 + 1e-12 && high >= mean, `interval [${low}, ${high}]`);
  // A constant sample has a zero-width interval.
  assert.deepEqual(s.byFormat[1], { format: 'multi_choice', mean: 0.4, low: 0.4, high: 0.4, n: 2 });
  assert.deepEqual(s.byDimension.map((g) => [g.dimension, g.n]), [['order', 3], ['speed', 2]]);
  close(s.byDimension[0]!.mean, 0.3, 'order mean');
  close(s.byDimension[1]!.mean, 0.05, 'speed mean');
  assert.deepEqual(s.byFormatAndLayer.map((g) => [g.format, g.layer, g.n]), [['yes_no', 0, 2], ['yes_no', 1, 1], ['multi_choice', 0, 2]]);
  close(s.byFormatAndLayer[0]!.mean, 0.2, 'yes_no layer 0');
  assert.deepEqual(s.byFormatAndLayer[1], { format: 'yes_no', layer: 1, mean: -0.2, low: -0.2, high: -0.2, n: 1 });
  // Whole-model records have no layer rows.
  assert.deepEqual(summarizePC([{ format: 'yes_no', dimension: 'order', pc: 0 }]).byFormatAndLayer, []);
});

test('pcSeries: a probability table becomes one series per condition and format, layers in order', () => {
  const rows = [
    { label: 'blocked query', format: 'captioning', layer: 1, baseline: 0.9, intervened: 0.5 },
    { label: 'blocked query', format: 'yes_no', layer: 1, baseline: 0.6, intervened: 0.6 },
    { label: 'blocked query', format: 'yes_no', layer: 0, baseline: 0.5, intervened: 0.25 },
    { label: 'blocked query', format: 'yes_no', layer: 0, baseline: 0.5, intervened: 0.75 },
    { label: 'blocked frames', format: 'yes_no', layer: 0, baseline: 0.5, intervened: 0.5 },
  ];
  const series = pcSeries(rows);
  assert.deepEqual(series.map((s) => [s.label, s.format, s.points.map((p) => [p.layer, p.n])]), [
    ['blocked query', 'yes_no', [[0, 2], [1, 1]]],
    ['blocked query', 'captioning', [[1, 1]]],
    ['blocked frames', 'yes_no', [[0, 1]]],
  ]);
  assert.equal(series[0]!.points[0]!.mean, 0);
  assert.equal(series[0]!.points[1]!.mean, 0);
  close(series[1]!.points[0]!.mean, -0.4, 'captioning');
  const whole = pcSeries([{ format: 'yes_no', baseline: 0.5, intervened: 0.375 }]);
  assert.deepEqual(whole, [{ label: '', format: 'yes_no', points: [{ layer: null, mean: -0.125, low: -0.125, high: -0.125, n: 1 }] }]);
});
