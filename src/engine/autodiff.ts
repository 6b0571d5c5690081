/**
 * Reverse-mode automatic differentiation over the IR. `grad` appends the gradient computation to the
 * same graph, using the same primitives, so gradients lower to ONNX and run in the interpreter like
 * any other node. Only nodes on a path from a `wrt` tensor to the loss get gradient nodes: frozen
 * parameters cost nothing.
 */
import { TempolabError } from './errors.js';
import type { Node, Tensor } from './graph.js';
import {
  add, cast, constant, cos, div, equal, exp, expand, gatherRows, greater, mul, neg, pad, pow, reduceSum, reshape, scatterAddRows,
  sin, slice, sub, transpose, where,
} from './ops.js';
import { matmul } from './composite.js';
import { fmt, sameShape, type Shape } from './shape.js';

/** Sums a broadcast gradient back down to `shape` (the adjoint of broadcasting). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(axes.length ? reduceSum(g, axes, true) : g, shape);
}

/** The kept-dims shape of a reduction's input, so its output gradient can broadcast back. */
function keptShape(node: Node): number[] {
  const axes = node.attrs.axes as number[];
  return node.inputs[0]!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

type Rule = (dy: Tensor, node: Node, out: Tensor) => (Tensor | null)[];

const NON_DIFFERENTIABLE = new Set(['less', 'greater', 'equal', 'input', 'const']);

const rules: Record<string, Rule> = {
  add: (dy, n) => [sumToShape(dy, n.inputs[0]!.shape), sumToShape(dy, n.inputs[1]!.shape)],
  sub: (dy, n) => [sumToShape(dy, n.inputs[0]!.shape), sumToShape(neg(dy), n.inputs[1]!.shape)],
  mul: (dy, n) => [sumToShape(mul(dy, n.inputs[1]!), n.inputs[0]!.shape), sumToShape(mul(dy, n.inputs[0]!), n.inputs[1]!.shape)],
  div: (dy, n, out) => [
    sumToShape(div(dy, n.inputs[1]!), n.inputs[0]!.shape),
    sumToShape(neg(div(mul(dy, out), n.inputs[1]!)), n.inputs[1]!.shape),
  ],
  where: (dy, n) => [
    null,
    sumToShape(where(n.inputs[0]!, dy, 0), n.inputs[1]!.shape),
    sumToShape(where(n.inputs[0]!, 0, dy), n.inputs[2]!.shape),
  ],
  neg: (dy) => [neg(dy)],
  exp: (dy, _n, out) => [mul(dy, out)],
  log: (dy, n) => [div(dy, n.inputs[0]!)],
  sqrt: (dy, _n, out) => [div(mul(dy, 0.5), out)],
  tanh: (dy, _n, out) => [mul(dy, sub(1, mul(out, out)))],
  sigmoid: (dy, _n, out) => [mul(dy, mul(out, sub(1, out)))],
  erf: (dy, n) => {
    const x = n.inputs[0]!;
    return [mul(dy, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))];
  },
  relu: (dy, n) => [where(greater(n.inputs[0]!, 0), dy, 0)],
  sin: (dy, n) => [mul(dy, cos(n.inputs[0]!))],
  cos: (dy, n) => [neg(mul(dy, sin(n.inputs[0]!)))],
  pow: (dy, n) => {
    const p = n.attrs.exponent as number;
    const x = n.inputs[0]!;
    return [mul(dy, mul(pow(x, p - 1), p))];
  },
  matmul: (dy, n) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    return [sumToShape(matmul(dy, b, { transB: true }), a.shape), sumToShape(matmul(a, dy, { transA: true }), b.shape)];
  },
  reduceSum: (dy, n) => [expand(reshape(dy, keptShape(n)), n.inputs[0]!.shape)],
  reduceMax: (dy, n, out) => {
    const x = n.inputs[0]!;
    const kept = keptShape(n);
    const isMax = cast(equal(x, expand(reshape(out, kept), x.shape)), 'float32');
    const ties = reduceSum(isMax, n.attrs.axes as number[], true);
    return [mul(isMax, div(reshape(dy, kept), ties))];
  },
  softmax: (dy, n, out) => {
    const axis = n.attrs.axis as number;
    return [mul(out, sub(dy, reduceSum(mul(dy, out), axis, true)))];
  },
  logSoftmax: (dy, n, out) => {
    const axis = n.attrs.axis as number;
    return [sub(dy, mul(exp(out), reduceSum(dy, axis, true)))];
  },
  reshape: (dy, n) => [reshape(dy, n.inputs[0]!.shape)],
  transpose: (dy, n) => {
    const perm = n.attrs.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [transpose(dy, inverse)];
  },
  expand: (dy, n) => [sumToShape(dy, n.inputs[0]!.shape)],
  concat: (dy, n) => {
    const axis = n.attrs.axis as number;
    let start = 0;
    return n.inputs.map((x) => slice(dy, axis, start, (start += x.shape[axis]!)));
  },
  slice: (dy, n) => {
    const axis = n.attrs.axis as number;
    const dim = n.inputs[0]!.shape[axis]!;
    return [pad(dy, axis, n.attrs.start as number, dim - (n.attrs.end as number))];
  },
  pad: (dy, n) => {
    const axis = n.attrs.axis as number;
    const before = n.attrs.before as number;
    return [slice(dy, axis, before, before + n.inputs[0]!.shape[axis]!)];
  },
  gather: (dy, n) => [scatterAddRows(n.inputs[1]!, dy, n.inputs[0]!.shape[0]!), null],
  scatterAdd: (dy, n) => [null, gatherRows(dy, n.inputs[0]!)],
  cast: (dy, n) => [n.inputs[0]!.dtype === 'float32' ? dy : null],
};

/**
 * Appends d`loss`/d`wrt[i]` to the graph and returns the gradient tensors. `loss` is normally a
 * scalar; a non-scalar loss is seeded with ones (the gradient of its sum).
 */
export function grad(loss: Tensor, wrt: Tensor[]): Tensor[] {
  const graph = loss.graph;
  if (loss.dtype !== 'float32') throw new TempolabError(`grad: loss must be float32, got ${loss.dtype}`);
  for (const w of wrt) {
    if (w.graph !== graph) throw new TempolabError(`grad: ${w} belongs to another graph`);
    if (w.dtype !== 'float32') throw new TempolabError(`grad: cannot differentiate with respect to ${w.dtype}${fmt(w.shape)}`);
  }
  const wrtIds = new Set(wrt.map((w) => w.node.id));
  const dependsOnWrt = new Set<number>();
  const tensorOf = new Map<number, Tensor>();
  for (const node of graph.nodes) {
    if (node.id > loss.node.id) break;
    if (wrtIds.has(node.id) || (!NON_DIFFERENTIABLE.has(node.op) && node.dtype === 'float32' && node.inputs.some((i) => dependsOnWrt.has(i.node.id)))) {
      dependsOnWrt.add(node.id);
    }
    for (const i of node.inputs) tensorOf.set(i.node.id, i);
  }
  tensorOf.set(loss.node.id, loss);

  const grads = new Map<number, Tensor>();
  grads.set(loss.node.id, loss.rank === 0 ? constant(graph, 1) : expand(constant(graph, 1), loss.shape));
  for (let id = loss.node.id; id >= 0; id--) {
    const node = graph.nodes[id]!;
    const dy = grads.get(id);
    if (!dy || !dependsOnWrt.has(id) || node.op === 'input') continue;
    const rule = rules[node.op];
    if (!rule) throw new TempolabError(`grad: no gradient rule for op '${node.op}'`);
    const inputGrads = rule(dy, node, tensorOf.get(id)!);
    node.inputs.forEach((input, k) => {
      const g = inputGrads[k];
      if (!g || !dependsOnWrt.has(input.node.id)) return;
      const previous = grads.get(input.node.id);
      grads.set(input.node.id, previous ? add(previous, g) : g);
    });
  }
  return wrt.map((w) => grads.get(w.node.id) ?? expand(constant(graph, 0), w.shape));
}
