import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TempolabError } from '../../src/engine/errors.js';
import { composeStrategies, noInterFrame, planStrategies, sparseQuery, strategyFromSpec, temporalExit, type Strategy } from '../../src/infer/press.js';
import { PAPER_STRATEGIES } from '../../src/infer/strategies.js';

test('ratio and layer forms give the paper\'s layers on a 28-layer decoder (hand values)', () => {
  // The paper (Qwen2-VL-7B, 28 layers): sparse query in layers 10–20, no inter-frame 20–28, exit at 20.
  assert.deepEqual(temporalExit({ ratio: 0.7 }).plan(28), { exitAt: 20 });
  assert.deepEqual(temporalExit({ layer: 20 }).plan(28), { exitAt: 20 });
  assert.deepEqual(sparseQuery({ ratio: [0.35, 0.7] }).plan(28), { sparseQuery: [10, 20] });
  assert.deepEqual(noInterFrame({ layers: [20, 28] }).plan(28), { noInterFrame: [20, 28] });
  const paper = composeStrategies(sparseQuery({ ratio: [0.35, 0.7] }), noInterFrame({ ratio: [0.7, 1] }), temporalExit({ ratio: 0.7 }));
  assert.deepEqual(paper.plan(28), { sparseQuery: [10, 20], noInterFrame: [20, 28], exitAt: 20 });
  assert.equal(paper.name, 'sparse-q@0.35-0.7,no-interframe@0.7-1,exit@0.7');
  // The string form is the same choice written differently.
  assert.deepEqual(planStrategies(Object.values(PAPER_STRATEGIES).join(','), 28), paper.plan(28));
  assert.deepEqual(planStrategies([sparseQuery({ ratio: [0.35, 0.7] }), temporalExit({ ratio: 0.7 })], 4), { sparseQuery: [1, 3], exitAt: 3 });
  assert.deepEqual(strategyFromSpec('none').plan(12), {});
});

test('a user strategy is any object with plan(numLayers); bad plans and conflicts are one-line errors', () => {
  // "Exit after the middle layer", whatever the depth.
  const afterMiddle: Strategy = { name: 'exit-after-middle', plan: (n) => ({ exitAt: Math.floor(n / 2) + 1 }) };
  assert.deepEqual(planStrategies(afterMiddle, 28), { exitAt: 15 });
  assert.deepEqual(planStrategies([afterMiddle, sparseQuery({ layers: [2, 5] })], 28), { exitAt: 15, sparseQuery: [2, 5] });
  assert.throws(() => planStrategies([afterMiddle, temporalExit({ ratio: 0.7 })], 28), (e: unknown) => e instanceof TempolabError && /both set exitAt/.test(e.message));
  assert.throws(() => planStrategies({ name: 'deep', plan: () => ({ exitAt: 40 }) }, 28), (e: unknown) => e instanceof TempolabError && /outside the model's 0–28 layers/.test(e.message));
  assert.throws(() => temporalExit({ ratio: 1.5 }).plan(28), (e: unknown) => e instanceof TempolabError && /ratio must be in \[0, 1\]/.test(e.message));
  assert.throws(() => sparseQuery({ layers: [5, 2] }).plan(28), (e: unknown) => e instanceof TempolabError && /run forwards/.test(e.message));
  assert.throws(() => planStrategies({ name: 'x' } as unknown as Strategy, 28), TempolabError);
});
