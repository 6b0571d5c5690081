/**
 * The primitive ops of the IR. Every other op (gelu, layerNorm, attention, cross-entropy…) is a
 * composite of these, so the interpreter, the ONNX lowering and autodiff each need one rule per
 * primitive and nothing more. Shapes and dtypes are checked here, at trace time.
 */
import { TempolabError } from './errors.js';
import { Tensor, type DType, type Graph } from './graph.js';
import { broadcastShapes, fmt, normAxis, sizeOf, type Shape } from './shape.js';

export type TensorLike = Tensor | number;

function fail(op: string, message: string): never {
  throw new TempolabError(`${op}: ${message}`);
}

function graphOf(op: string, ...xs: TensorLike[]): Graph {
  const t = xs.find((x): x is Tensor => x instanceof Tensor);
  if (!t) fail(op, 'needs at least one symbolic tensor operand');
  return t.graph;
}

/** A constant tensor embedded in the graph (an ONNX initializer). */
export function constant(graph: Graph, values: ArrayLike<number> | number, shape: Shape = [], dtype: DType = 'float32'): Tensor {
  const data = typeof values === 'number' ? [values] : Array.from(values);
  if (data.length !== sizeOf(shape)) fail('constant', `${data.length} values for shape ${fmt(shape)}`);
  return graph.addNode('const', [], { values: Float64Array.from(data) }, shape, dtype);
}

function lift(graph: Graph, x: TensorLike, dtype: DType = 'float32'): Tensor {
  return x instanceof Tensor ? x : constant(graph, x, [], dtype);
}

function requireFloat(op: string, ...xs: Tensor[]): void {
  for (const x of xs) if (x.dtype !== 'float32') fail(op, `expects float32, got ${x.dtype}${fmt(x.shape)}`);
}

function binary(op: string, a: TensorLike, b: TensorLike, outDtype?: DType): Tensor {
  const g = graphOf(op, a, b);
  const dtypeHint = a instanceof Tensor ? a.dtype : (b as Tensor).dtype;
  const ta = lift(g, a, dtypeHint);
  const tb = lift(g, b, dtypeHint);
  if (ta.dtype !== tb.dtype) fail(op, `dtype mismatch ${ta.dtype}${fmt(ta.shape)} vs ${tb.dtype}${fmt(tb.shape)}`);
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  return g.addNode(op, [ta, tb], {}, shape, outDtype ?? ta.dtype);
}

export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => binary('less', a, b, 'bool');
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary('greater', a, b, 'bool');
export const equal = (a: TensorLike, b: TensorLike): Tensor => binary('equal', a, b, 'bool');

function unary(op: string, x: Tensor, attrs: Record<string, unknown> = {}): Tensor {
  requireFloat(op, x);
  return x.graph.addNode(op, [x], attrs, x.shape, 'float32');
}

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const erf = (x: Tensor): Tensor => unary('erf', x);
export const relu = (x: Tensor): Tensor => unary('relu', x);
export const sin = (x: Tensor): Tensor => unary('sin', x);
export const cos = (x: Tensor): Tensor => unary('cos', x);
/** x^p for a constant exponent p. */
export const pow = (x: Tensor, p: number): Tensor => unary('pow', x, { exponent: p });

/** cond ? a : b, broadcasting all three. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool') fail('where', `condition must be bool, got ${cond.dtype}`);
  const g = cond.graph;
  const ta = lift(g, a);
  const tb = lift(g, b, ta.dtype);
  if (ta.dtype !== tb.dtype) fail('where', `branch dtypes differ: ${ta.dtype} vs ${tb.dtype}`);
  const shape = broadcastShapes('where', cond.shape, ta.shape, tb.shape);
  return g.addNode('where', [cond, ta, tb], {}, shape, ta.dtype);
}

/** Batched matrix product [..., m, k] × [..., k, n] with NumPy broadcasting of the batch dims. */
export function matmulPrimitive(a: Tensor, b: Tensor): Tensor {
  requireFloat('matmul', a, b);
  if (a.rank < 2 || b.rank < 2) fail('matmul', `needs rank ≥ 2 operands, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) fail('matmul', `inner dimensions differ: ${fmt(a.shape)} × ${fmt(b.shape)} (${k} vs ${k2})`);
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return a.graph.addNode('matmul', [a, b], {}, [...batch, m, n], 'float32');
}

function reduceAxes(op: string, x: Tensor, axes: number | number[] | undefined): number[] {
  const list = axes === undefined ? x.shape.map((_, i) => i) : Array.isArray(axes) ? axes : [axes];
  return [...new Set(list.map((a) => normAxis(op, a, x.rank)))].sort((a, b) => a - b);
}

function reduce(op: string, x: Tensor, axes: number | number[] | undefined, keepDims: boolean): Tensor {
  requireFloat(op, x);
  const ax = reduceAxes(op, x, axes);
  const shape = keepDims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
  return x.graph.addNode(op, [x], { axes: ax, keepDims }, shape, 'float32');
}

export const reduceSum = (x: Tensor, axes?: number | number[], keepDims = false): Tensor => reduce('reduceSum', x, axes, keepDims);
export const reduceMax = (x: Tensor, axes?: number | number[], keepDims = false): Tensor => reduce('reduceMax', x, axes, keepDims);

export function softmax(x: Tensor, axis = -1): Tensor {
  return unary('softmax', x, { axis: normAxis('softmax', axis, x.rank) });
}
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return unary('logSoftmax', x, { axis: normAxis('logSoftmax', axis, x.rank) });
}

/** Reshape; one dimension may be -1. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const known = shape.filter((d) => d !== -1);
  const inferred = shape.length - known.length;
  if (inferred > 1) fail('reshape', `at most one -1 allowed in ${fmt(shape)}`);
  const total = sizeOf(x.shape);
  const knownSize = sizeOf(known);
  const out = shape.map((d) => (d === -1 ? total / knownSize : d));
  if (out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== total) {
    fail('reshape', `cannot reshape ${fmt(x.shape)} (${total} elements) to ${fmt(shape)}`);
  }
  return x.graph.addNode('reshape', [x], { shape: out }, out, x.dtype);
}

export function transpose(x: Tensor, perm: number[]): Tensor {
  const p = perm.map((a) => normAxis('transpose', a, x.rank));
  if (p.length !== x.rank || new Set(p).size !== p.length) fail('transpose', `perm ${fmt(perm)} is not a permutation of rank ${x.rank}`);
  return x.graph.addNode('transpose', [x], { perm: p }, p.map((a) => x.shape[a]!), x.dtype);
}

/** Broadcasts x to `shape` (NumPy rules, x's dims must be 1 or equal). */
export function expand(x: Tensor, shape: Shape): Tensor {
  const out = broadcastShapes('expand', x.shape, shape);
  if (out.length !== shape.length || out.some((d, i) => d !== shape[i])) fail('expand', `cannot expand ${fmt(x.shape)} to ${fmt(shape)}`);
  return x.graph.addNode('expand', [x], { shape: out }, out, x.dtype);
}

export function concat(xs: Tensor[], axis: number): Tensor {
  if (xs.length === 0) fail('concat', 'needs at least one tensor');
  const first = xs[0]!;
  const a = normAxis('concat', axis, first.rank);
  let total = 0;
  for (const x of xs) {
    if (x.dtype !== first.dtype || x.rank !== first.rank || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      fail('concat', `shapes ${xs.map((t) => t.dtype + fmt(t.shape)).join(', ')} differ outside axis ${a}`);
    }
    total += x.shape[a]!;
  }
  if (xs.length === 1) return first;
  const shape = first.shape.map((d, i) => (i === a ? total : d));
  return first.graph.addNode('concat', xs, { axis: a }, shape, first.dtype);
}

/** x[start:end] along `axis` (step 1). */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const a = normAxis('slice', axis, x.rank);
  const d = x.shape[a]!;
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= d)) {
    fail('slice', `range [${start}, ${end}) out of bounds for axis ${a} of ${fmt(x.shape)}`);
  }
  if (start === 0 && end === d) return x;
  return x.graph.addNode('slice', [x], { axis: a, start, end }, x.shape.map((v, i) => (i === a ? end - start : v)), x.dtype);
}

/** Zero-pads `before` and `after` elements along `axis` (the adjoint of slice). */
export function pad(x: Tensor, axis: number, before: number, after: number): Tensor {
  const a = normAxis('pad', axis, x.rank);
  if (before < 0 || after < 0) fail('pad', `negative padding ${before}, ${after}`);
  if (before === 0 && after === 0) return x;
  return x.graph.addNode('pad', [x], { axis: a, before, after }, x.shape.map((v, i) => (i === a ? v + before + after : v)), x.dtype);
}

/** Rows of `data` picked by integer `indices` (embedding lookup): out[...idx, ...] = data[idx[...], ...]. */
export function gatherRows(data: Tensor, indices: Tensor): Tensor {
  if (indices.dtype !== 'int64') fail('gather', `indices must be int64, got ${indices.dtype}`);
  if (data.rank < 1) fail('gather', 'data must have rank ≥ 1');
  return data.graph.addNode('gather', [data, indices], {}, [...indices.shape, ...data.shape.slice(1)], data.dtype);
}

/** The adjoint of gatherRows: a [numRows, ...] tensor where each update row is added at its index. */
export function scatterAddRows(indices: Tensor, updates: Tensor, numRows: number): Tensor {
  if (indices.dtype !== 'int64') fail('scatterAdd', `indices must be int64, got ${indices.dtype}`);
  requireFloat('scatterAdd', updates);
  const lead = updates.shape.slice(0, indices.rank);
  if (lead.length !== indices.rank || lead.some((d, i) => d !== indices.shape[i])) {
    fail('scatterAdd', `updates ${fmt(updates.shape)} do not start with indices shape ${fmt(indices.shape)}`);
  }
  return updates.graph.addNode('scatterAdd', [indices, updates], { numRows }, [numRows, ...updates.shape.slice(indices.rank)], 'float32');
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  return x.graph.addNode('cast', [x], { to: dtype }, x.shape, dtype);
}

/** The primitive op names; the interpreter, lowering and autodiff each cover exactly these. */
export const PRIMITIVES = [
  'input', 'const', 'add', 'sub', 'mul', 'div', 'less', 'greater', 'equal', 'neg', 'exp', 'log', 'sqrt', 'tanh',
  'sigmoid', 'erf', 'relu', 'sin', 'cos', 'pow', 'where', 'matmul', 'reduceSum', 'reduceMax', 'softmax', 'logSoftmax', 'reshape',
  'transpose', 'expand', 'concat', 'slice', 'pad', 'gather', 'scatterAdd', 'cast',
] as const;
