import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapInterval } from '../../src/data/statistics.js';

test('bootstrap interval of a Bernoulli sample matches the normal approximation', () => {
  // 600 successes in 1000: the normal-approximation 95% interval is 0.6 ± 1.96·√(0.24/1000) = ±0.0304.
  const values = Array.from({ length: 1000 }, (_, i) => (i < 600 ? 1 : 0));
  const ci = bootstrapInterval(values, { seed: 1, resamples: 2000 });
  assert.equal(ci.mean, 0.6);
  assert.ok(Math.abs(ci.low - 0.5696) < 0.008, `low ${ci.low}`);
  assert.ok(Math.abs(ci.high - 0.6304) < 0.008, `high ${ci.high}`);
});

test('bootstrap interval of a constant is that constant; empty input is NaN; same seed same interval', () => {
  assert.deepEqual(bootstrapInterval([2, 2, 2]), { mean: 2, low: 2, high: 2, n: 3 });
  assert.ok(Number.isNaN(bootstrapInterval([]).mean));
  const v = [0.1, 0.5, -0.3, 0.9, 0.2];
  assert.deepEqual(bootstrapInterval(v, { seed: 4 }), bootstrapInterval(v, { seed: 4 }));
});
