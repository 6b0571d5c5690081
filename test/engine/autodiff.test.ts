import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/engine/graph.js';
import * as E from '../../src/engine/index.js';
import { Random } from '../../src/engine/random.js';
import { OP_CASES } from './cases.js';
import { evalTensor, finiteDifference, randomFeeds } from './helpers.js';

/** loss = Σ out ⊙ R for a fixed random R, so every output element's gradient matters. */
function weightedLoss(g: Graph, out: E.Tensor, seed: number): E.Tensor {
  const rng = new Random(seed);
  const r = E.constant(g, Array.from({ length: E.sizeOf(out.shape) }, () => rng.uniform(-1, 1)), out.shape);
  return E.reduceSum(E.mul(out, r));
}

for (const [i, c] of OP_CASES.entries()) {
  if (!c.differentiable) continue;
  test(`gradient matches central finite differences: ${c.name}`, () => {
    const g = new Graph();
    const loss = weightedLoss(g, c.build(g), 7 + i);
    const floatInputs = [...g.inputs.values()].filter((x) => x.tensor.dtype === 'float32' && x.name !== 'mask');
    const grads = E.grad(loss, floatInputs.map((x) => x.tensor));
    let feeds = randomFeeds(g, 300 + i, c.feed);
    // relu's kink at 0 has no derivative: keep samples away from it.
    if (c.name === 'relu') feeds = { a: Float64Array.from(feeds.a!, (v) => (Math.abs(v) < 0.05 ? v + 0.1 : v)) };
    floatInputs.forEach((input, k) => {
      const analytic = evalTensor(g, feeds, grads[k]!).data;
      for (const [index, numeric] of finiteDifference(g, feeds, loss, input.name)) {
        const err = Math.abs(analytic[index]! - numeric);
        assert.ok(err <= 1e-6 * Math.max(1, Math.abs(numeric)), `${c.name} d/d${input.name}[${index}]: analytic ${analytic[index]} vs numeric ${numeric}`);
      }
    });
  });
}

test('frozen inputs get no gradient nodes', () => {
  const g = new Graph();
  const w = g.input('w', [3, 3]);
  const frozen = g.input('frozen', [3, 3]);
  const loss = E.reduceSum(E.matmul(E.matmul(g.input('x', [2, 3]), frozen), w));
  const before = g.nodes.length;
  E.grad(loss, [w]);
  const added = g.nodes.slice(before);
  // d/dw needs (x·frozen)ᵀ·dy: nothing may compute a gradient flowing INTO frozen (a matmul with w as operand of the grad).
  assert.ok(!added.some((n) => n.op === 'matmul' && n.inputs.some((t) => t.node.id === w.node.id)), 'a gradient toward frozen was built');
});

test('gradient of an unused input is zero', () => {
  const g = new Graph();
  const a = g.input('a', [2]);
  const unused = g.input('unused', [3]);
  const [, du] = E.grad(E.reduceSum(E.exp(a)), [a, unused]);
  assert.deepEqual(Array.from(evalTensor(g, { a: [0, 1], unused: [1, 2, 3] }, du!).data), [0, 0, 0]);
});
