import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultWindowSize, slidingWindows, windowedKnockouts } from '../../src/probe/index.js';

test('28 layers: windows of 5, starting at layers 0–23', () => {
  assert.equal(defaultWindowSize(28), 5);
  const windows = slidingWindows(28);
  assert.equal(windows.length, 24);
  assert.deepEqual(windows[0], [0, 1, 2, 3, 4]);
  assert.deepEqual(windows[10], [10, 11, 12, 13, 14]);
  assert.deepEqual(windows[23], [23, 24, 25, 26, 27]);
});

test('4 layers: the window scales to max(1, round(5·4/28)) = 1 layer; an explicit k is honoured', () => {
  assert.equal(defaultWindowSize(4), 1);
  assert.deepEqual(slidingWindows(4), [[0], [1], [2], [3]]);
  assert.deepEqual(slidingWindows(4, 2), [[0, 1], [1, 2], [2, 3]]);
  assert.deepEqual(slidingWindows(4, 4), [[0, 1, 2, 3]]);
  assert.equal(defaultWindowSize(12), 2);
  assert.equal(defaultWindowSize(1), 1);
});

test('windowedKnockouts gives one knockout per window start', () => {
  const runs = windowedKnockouts('lastToken', 'query', 4, 2);
  assert.deepEqual(runs.map((r) => r.start), [0, 1, 2]);
  assert.deepEqual(runs[1], { start: 1, layers: [1, 2], intervention: { kind: 'knockout', layers: [1, 2], targets: 'lastToken', sources: 'query' } });
});
