import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as E from '../../src/engine/index.js';

test('FLOP counter on a hand-counted graph', () => {
  // y = softmax(x·W + b) with x [4,8], W [8,3]: matmul 2·4·3·8 = 192, add 12, softmax 5·12 = 60;
  // reshape/transpose count zero; reduceSum over 12 elements = 12.
  const g = E.trace((gr) => {
    const y = E.softmax(E.add(E.matmul(gr.input('x', [4, 8]), gr.input('W', [8, 3])), gr.input('b', [3])));
    return { s: E.reduceSum(E.transpose(E.reshape(y, [3, 4]), [1, 0])) };
  });
  assert.deepEqual(E.countFlops(g), { total: 192 + 12 + 60 + 12, matmul: 192 });
});

test('FLOP counter counts only what the requested outputs need', () => {
  const g = new E.Graph();
  const x = g.input('x', [10]);
  const used = E.exp(x);
  E.mul(E.matmul(E.reshape(x, [1, 10]), g.input('w', [10, 10])), 2); // never requested
  assert.deepEqual(E.countFlops(g, { used }), { total: 10, matmul: 0 });
});
