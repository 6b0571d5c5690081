/**
 * One small graph per op (primitives and composites), with broadcasting and odd shapes. Shared by the
 * onnxruntime-vs-interpreter test and the gradient-vs-finite-difference test.
 */
import type { Graph, Tensor } from '../../src/engine/graph.js';
import * as E from '../../src/engine/index.js';

export interface OpCase {
  name: string;
  /** Primitive ops this case exercises (for the coverage check). */
  covers: string[];
  build: (g: Graph) => Tensor;
  feed?: { lo?: number; hi?: number; intHigh?: number };
  /** Whether the output is differentiable with respect to the float inputs. */
  differentiable: boolean;
}

const f = (g: Graph, name: string, shape: number[]) => g.input(name, shape);

export const OP_CASES: OpCase[] = [
  { name: 'add broadcast', covers: ['add'], differentiable: true, build: (g) => E.add(f(g, 'a', [3, 1, 5]), f(g, 'b', [4, 1])) },
  { name: 'sub broadcast', covers: ['sub'], differentiable: true, build: (g) => E.sub(f(g, 'a', [2, 3]), f(g, 'b', [3])) },
  { name: 'mul broadcast', covers: ['mul'], differentiable: true, build: (g) => E.mul(f(g, 'a', [5, 1]), f(g, 'b', [1, 7])) },
  { name: 'div broadcast', covers: ['div'], differentiable: true, feed: { lo: 0.5, hi: 2 }, build: (g) => E.div(f(g, 'a', [2, 3, 4]), f(g, 'b', [3, 1])) },
  { name: 'scalar constants', covers: ['const'], differentiable: true, build: (g) => E.add(E.mul(f(g, 'a', [3]), 2.5), E.constant(g, [1, 2, 3], [3])) },
  {
    name: 'comparisons',
    covers: ['less', 'greater', 'equal', 'cast'],
    differentiable: false,
    build: (g) => {
      const a = f(g, 'a', [4, 3]);
      const b = f(g, 'b', [3]);
      return E.add(E.add(E.cast(E.less(a, b), 'float32'), E.mul(E.cast(E.greater(a, b), 'float32'), 2)), E.mul(E.cast(E.equal(a, a), 'float32'), 4));
    },
  },
  { name: 'neg', covers: ['neg'], differentiable: true, build: (g) => E.neg(f(g, 'a', [7])) },
  { name: 'exp', covers: ['exp'], differentiable: true, build: (g) => E.exp(f(g, 'a', [2, 5])) },
  { name: 'log', covers: ['log'], differentiable: true, feed: { lo: 0.2, hi: 3 }, build: (g) => E.log(f(g, 'a', [9])) },
  { name: 'sqrt', covers: ['sqrt'], differentiable: true, feed: { lo: 0.2, hi: 3 }, build: (g) => E.sqrt(f(g, 'a', [9])) },
  { name: 'rsqrt', covers: ['div', 'sqrt'], differentiable: true, feed: { lo: 0.2, hi: 3 }, build: (g) => E.rsqrt(f(g, 'a', [9])) },
  { name: 'tanh', covers: ['tanh'], differentiable: true, feed: { lo: -3, hi: 3 }, build: (g) => E.tanh(f(g, 'a', [11])) },
  { name: 'sigmoid', covers: ['sigmoid'], differentiable: true, feed: { lo: -4, hi: 4 }, build: (g) => E.sigmoid(f(g, 'a', [11])) },
  { name: 'erf', covers: ['erf'], differentiable: true, feed: { lo: -3, hi: 3 }, build: (g) => E.erf(f(g, 'a', [13])) },
  { name: 'sin', covers: ['sin'], differentiable: true, feed: { lo: -4, hi: 4 }, build: (g) => E.sin(f(g, 'a', [9])) },
  { name: 'cos', covers: ['cos'], differentiable: true, feed: { lo: -4, hi: 4 }, build: (g) => E.cos(f(g, 'a', [9])) },
  { name: 'relu', covers: ['relu'], differentiable: true, build: (g) => E.relu(f(g, 'a', [13])) },
  { name: 'pow 3', covers: ['pow'], differentiable: true, build: (g) => E.pow(f(g, 'a', [6]), 3) },
  { name: 'pow -1.5', covers: ['pow'], differentiable: true, feed: { lo: 0.3, hi: 2 }, build: (g) => E.pow(f(g, 'a', [6]), -1.5) },
  { name: 'gelu (erf)', covers: ['erf'], differentiable: true, feed: { lo: -3, hi: 3 }, build: (g) => E.gelu(f(g, 'a', [3, 5])) },
  { name: 'gelu (tanh)', covers: ['tanh'], differentiable: true, feed: { lo: -3, hi: 3 }, build: (g) => E.geluTanh(f(g, 'a', [3, 5])) },
  { name: 'quickGelu', covers: ['sigmoid'], differentiable: true, feed: { lo: -3, hi: 3 }, build: (g) => E.quickGelu(f(g, 'a', [3, 5])) },
  { name: 'silu', covers: ['sigmoid'], differentiable: true, feed: { lo: -3, hi: 3 }, build: (g) => E.silu(f(g, 'a', [3, 5])) },
  { name: 'softmax last axis', covers: ['softmax'], differentiable: true, feed: { lo: -3, hi: 3 }, build: (g) => E.softmax(f(g, 'a', [3, 7]), -1) },
  { name: 'softmax axis 0', covers: ['softmax'], differentiable: true, feed: { lo: -3, hi: 3 }, build: (g) => E.softmax(f(g, 'a', [4, 3, 2]), 0) },
  { name: 'logSoftmax', covers: ['logSoftmax'], differentiable: true, feed: { lo: -3, hi: 3 }, build: (g) => E.logSoftmax(f(g, 'a', [2, 9]), 1) },
  {
    name: 'layerNorm',
    covers: ['reduceSum', 'sqrt'],
    differentiable: true,
    build: (g) => E.layerNorm(f(g, 'x', [2, 3, 8]), f(g, 'w', [8]), f(g, 'b', [8]), 1e-6),
  },
  { name: 'rmsNorm', covers: ['reduceSum'], differentiable: true, build: (g) => E.rmsNorm(f(g, 'x', [5, 6]), f(g, 'w', [6]), 1e-6) },
  { name: 'reshape', covers: ['reshape'], differentiable: true, build: (g) => E.reshape(f(g, 'a', [2, 3, 4]), [4, -1]) },
  { name: 'transpose', covers: ['transpose'], differentiable: true, build: (g) => E.transpose(f(g, 'a', [2, 3, 4]), [2, 0, 1]) },
  { name: 'expand', covers: ['expand'], differentiable: true, build: (g) => E.expand(f(g, 'a', [3, 1]), [2, 3, 4]) },
  { name: 'concat', covers: ['concat'], differentiable: true, build: (g) => E.concat([f(g, 'a', [2, 3]), f(g, 'b', [2, 1]), f(g, 'c', [2, 2])], 1) },
  { name: 'slice', covers: ['slice'], differentiable: true, build: (g) => E.slice(f(g, 'a', [3, 7, 2]), 1, 2, 6) },
  { name: 'split', covers: ['slice'], differentiable: true, build: (g) => { const [p, q] = E.split(f(g, 'a', [5, 4]), 0, [2, 3]); return E.add(E.reduceSum(p!, 0), E.reduceSum(q!, 0)); } },
  { name: 'pad', covers: ['pad'], differentiable: true, build: (g) => E.pad(f(g, 'a', [2, 3]), 1, 2, 1) },
  { name: 'gather rows (embedding)', covers: ['gather'], differentiable: true, feed: { intHigh: 5 }, build: (g) => E.gatherRows(f(g, 'table', [5, 3]), g.input('ids', [2, 4], 'int64')) },
  { name: 'gather axis 1', covers: ['gather', 'transpose'], differentiable: true, feed: { intHigh: 4 }, build: (g) => E.gather(f(g, 'a', [2, 4, 3]), g.input('ids', [5], 'int64'), 1) },
  { name: 'scatterAdd', covers: ['scatterAdd'], differentiable: true, feed: { intHigh: 3 }, build: (g) => E.scatterAddRows(g.input('ids', [6], 'int64'), f(g, 'u', [6, 2]), 4) },
  { name: 'where', covers: ['where'], differentiable: true, build: (g) => E.where(g.input('c', [3, 1], 'bool'), f(g, 'a', [3, 4]), f(g, 'b', [4])) },
  { name: 'reduceSum axes', covers: ['reduceSum'], differentiable: true, build: (g) => E.reduceSum(f(g, 'a', [2, 3, 4]), [0, 2]) },
  { name: 'reduceSum keepDims', covers: ['reduceSum'], differentiable: true, build: (g) => E.reduceSum(f(g, 'a', [2, 3, 4]), 1, true) },
  { name: 'reduceSum all', covers: ['reduceSum'], differentiable: true, build: (g) => E.reduceSum(f(g, 'a', [3, 5])) },
  { name: 'reduceMean', covers: ['reduceSum'], differentiable: true, build: (g) => E.reduceMean(f(g, 'a', [3, 5]), -1) },
  { name: 'reduceMax', covers: ['reduceMax'], differentiable: true, build: (g) => E.reduceMax(f(g, 'a', [4, 6]), 1, true) },
  { name: 'cast round trip', covers: ['cast'], differentiable: true, build: (g) => E.mul(E.cast(E.cast(E.mul(f(g, 'a', [5]), 3), 'int64'), 'float32'), f(g, 'b', [5])) },
  { name: 'matmul 2d', covers: ['matmul'], differentiable: true, build: (g) => E.matmul(f(g, 'a', [5, 7]), f(g, 'b', [7, 3])) },
  { name: 'matmul batch broadcast', covers: ['matmul'], differentiable: true, build: (g) => E.matmul(f(g, 'a', [2, 1, 3, 5]), f(g, 'b', [4, 5, 2])) },
  { name: 'matmul transA transB', covers: ['matmul', 'transpose'], differentiable: true, build: (g) => E.matmul(f(g, 'a', [3, 5, 4]), f(g, 'b', [2, 5]), { transA: true, transB: true }) },
  {
    name: 'attention with additive mask',
    covers: ['matmul', 'softmax', 'add'],
    differentiable: true,
    build: (g) => E.attention(f(g, 'q', [2, 4, 3]), f(g, 'k', [2, 5, 3]), f(g, 'v', [2, 5, 2]), f(g, 'mask', [4, 5])),
  },
  {
    name: 'crossEntropy with ignore index',
    covers: ['logSoftmax', 'equal', 'cast', 'where', 'less'],
    differentiable: true,
    feed: { intHigh: 4 },
    build: (g) => {
      // labels in [0, 4); label 3 is used as the ignore index.
      return E.crossEntropy(f(g, 'logits', [2, 3, 4]), g.input('labels', [2, 3], 'int64'), 3);
    },
  },
];
