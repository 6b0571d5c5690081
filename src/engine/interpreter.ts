/**
 * The float64 reference interpreter: evaluates the IR in plain TypeScript, one loop per primitive.
 * Slow and simple on purpose: it is the oracle that tests hold the ONNX lowering and every gradient
 * rule against. Int64 and bool values are carried as float64 numbers.
 */
import { TempolabError } from './errors.js';
import { neededNodes, type Graph, type Node, type Tensor } from './graph.js';
import { broadcastShapes, fmt, sizeOf, stridesOf, type Shape } from './shape.js';

export interface Value {
  shape: number[];
  data: Float64Array;
}

export type InputData = ArrayLike<number> | BigInt64Array;

/** Maps each output index to the input's flat index under broadcasting. */
function broadcastIndex(outShape: Shape, inShape: Shape): Int32Array {
  const n = sizeOf(outShape);
  const map = new Int32Array(n);
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  const eff = outShape.map((_, i) => {
    const j = i - (rank - inShape.length);
    return j < 0 || inShape[j] === 1 ? 0 : inStrides[j]!;
  });
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o++) {
    let f = 0;
    for (let d = 0; d < rank; d++) f += idx[d]! * eff[d]!;
    map[o] = f;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return map;
}

function broadcastMap(values: Value[], f: (...xs: number[]) => number): Value {
  const shape = broadcastShapes('interpret', ...values.map((v) => v.shape));
  const maps = values.map((v) => broadcastIndex(shape, v.shape));
  const out = new Float64Array(sizeOf(shape));
  const args = new Array<number>(values.length);
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < values.length; k++) args[k] = values[k]!.data[maps[k]![i]!]!;
    out[i] = f(...args);
  }
  return { shape, data: out };
}

function unaryMap(v: Value, f: (x: number) => number): Value {
  return { shape: v.shape, data: v.data.map(f) };
}

/** Abramowitz–Stegun 7.1.26 is too coarse for an oracle; this series/continued fraction is ~1e-15. */
export function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = x;
    let term = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc continued fraction (Lentz) for large |x|.
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = ax + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  return Math.sign(x) * (1 - erfc);
}

function matmul(a: Value, b: Value): Value {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const nb = sizeOf(batch);
  const aMap = broadcastIndex(batch, a.shape.slice(0, -2));
  const bMap = broadcastIndex(batch, b.shape.slice(0, -2));
  const out = new Float64Array(nb * m * n);
  for (let t = 0; t < nb; t++) {
    const ao = aMap[t]! * m * k;
    const bo = bMap[t]! * k * n;
    const oo = t * m * n;
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const av = a.data[ao + i * k + p]!;
        if (av === 0) continue;
        for (let j = 0; j < n; j++) out[oo + i * n + j]! += av * b.data[bo + p * n + j]!;
      }
    }
  }
  return { shape: [...batch, m, n], data: out };
}

function reduce(v: Value, axes: number[], keepDims: boolean, init: number, f: (acc: number, x: number) => number): Value {
  const keptShape = v.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(sizeOf(keptShape)).fill(init);
  const map = broadcastIndex(v.shape, keptShape);
  for (let i = 0; i < v.data.length; i++) out[map[i]!] = f(out[map[i]!]!, v.data[i]!);
  return { shape: keepDims ? keptShape : v.shape.filter((_, i) => !axes.includes(i)), data: out };
}

/** Applies `f` to every 1-D lane along `axis` in place. */
function alongAxis(v: Value, axis: number, f: (lane: Float64Array) => void): Value {
  const out = Float64Array.from(v.data);
  const stride = stridesOf(v.shape)[axis]!;
  const len = v.shape[axis]!;
  const outer = sizeOf(v.shape.slice(0, axis));
  const lane = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < stride; s++) {
      const base = o * len * stride + s;
      for (let i = 0; i < len; i++) lane[i] = out[base + i * stride]!;
      f(lane);
      for (let i = 0; i < len; i++) out[base + i * stride] = lane[i]!;
    }
  }
  return { shape: v.shape, data: out };
}

function transpose(v: Value, perm: number[]): Value {
  const shape = perm.map((p) => v.shape[p]!);
  const inStrides = stridesOf(v.shape);
  const permStrides = perm.map((p) => inStrides[p]!);
  const out = new Float64Array(v.data.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let f = 0;
    for (let d = 0; d < shape.length; d++) f += idx[d]! * permStrides[d]!;
    out[o] = v.data[f]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { shape, data: out };
}

/** Copies blocks along `axis`: the shared core of slice, pad and concat. */
function blocks(shape: Shape, axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), inner: sizeOf(shape.slice(axis + 1)) };
}

function evalNode(node: Node, args: Value[]): Value {
  const a = node.attrs;
  const [x, y, z] = args;
  switch (node.op) {
    case 'const':
      return { shape: [...node.shape], data: Float64Array.from(a.values as Float64Array) };
    case 'add': return broadcastMap([x!, y!], (p, q) => p + q);
    case 'sub': return broadcastMap([x!, y!], (p, q) => p - q);
    case 'mul': return broadcastMap([x!, y!], (p, q) => p * q);
    case 'div': return broadcastMap([x!, y!], (p, q) => p / q);
    case 'less': return broadcastMap([x!, y!], (p, q) => (p < q ? 1 : 0));
    case 'greater': return broadcastMap([x!, y!], (p, q) => (p > q ? 1 : 0));
    case 'equal': return broadcastMap([x!, y!], (p, q) => (p === q ? 1 : 0));
    case 'where': return broadcastMap([x!, y!, z!], (c, p, q) => (c ? p : q));
    case 'neg': return unaryMap(x!, (v) => -v);
    case 'exp': return unaryMap(x!, Math.exp);
    case 'log': return unaryMap(x!, Math.log);
    case 'sqrt': return unaryMap(x!, Math.sqrt);
    case 'tanh': return unaryMap(x!, Math.tanh);
    case 'sigmoid': return unaryMap(x!, (v) => 1 / (1 + Math.exp(-v)));
    case 'erf': return unaryMap(x!, erf64);
    case 'relu': return unaryMap(x!, (v) => (v > 0 ? v : 0));
    case 'sin': return unaryMap(x!, Math.sin);
    case 'cos': return unaryMap(x!, Math.cos);
    case 'pow': return unaryMap(x!, (v) => v ** (a.exponent as number));
    case 'matmul': return matmul(x!, y!);
    case 'reduceSum': return reduce(x!, a.axes as number[], a.keepDims as boolean, 0, (s, v) => s + v);
    case 'reduceMax': return reduce(x!, a.axes as number[], a.keepDims as boolean, -Infinity, Math.max);
    case 'softmax':
    case 'logSoftmax': {
      const isLog = node.op === 'logSoftmax';
      return alongAxis(x!, a.axis as number, (lane) => {
        let max = -Infinity;
        for (const v of lane) max = Math.max(max, v);
        let sum = 0;
        for (const v of lane) sum += Math.exp(v - max);
        for (let i = 0; i < lane.length; i++) lane[i] = isLog ? lane[i]! - max - Math.log(sum) : Math.exp(lane[i]! - max) / sum;
      });
    }
    case 'reshape':
      return { shape: [...node.shape], data: x!.data };
    case 'cast':
      if (node.dtype === 'bool') return unaryMap(x!, (v) => (v ? 1 : 0));
      return node.dtype === 'int64' ? unaryMap(x!, Math.trunc) : x!;
    case 'transpose': return transpose(x!, a.perm as number[]);
    case 'expand': {
      const map = broadcastIndex(node.shape, x!.shape);
      return { shape: [...node.shape], data: Float64Array.from(map, (i) => x!.data[i]!) };
    }
    case 'concat': {
      const axis = a.axis as number;
      const out = new Float64Array(sizeOf(node.shape));
      const { outer, inner } = blocks(node.shape, axis);
      const total = node.shape[axis]! * inner;
      let offset = 0;
      for (const v of args) {
        const width = v.shape[axis]! * inner;
        for (let o = 0; o < outer; o++) out.set(v.data.subarray(o * width, (o + 1) * width), o * total + offset);
        offset += width;
      }
      return { shape: [...node.shape], data: out };
    }
    case 'slice': {
      const axis = a.axis as number;
      const { outer, inner } = blocks(x!.shape, axis);
      const inWidth = x!.shape[axis]! * inner;
      const start = (a.start as number) * inner;
      const width = ((a.end as number) - (a.start as number)) * inner;
      const out = new Float64Array(outer * width);
      for (let o = 0; o < outer; o++) out.set(x!.data.subarray(o * inWidth + start, o * inWidth + start + width), o * width);
      return { shape: [...node.shape], data: out };
    }
    case 'pad': {
      const axis = a.axis as number;
      const { outer, inner } = blocks(x!.shape, axis);
      const inWidth = x!.shape[axis]! * inner;
      const outWidth = node.shape[axis]! * inner;
      const out = new Float64Array(outer * outWidth);
      for (let o = 0; o < outer; o++) out.set(x!.data.subarray(o * inWidth, (o + 1) * inWidth), o * outWidth + (a.before as number) * inner);
      return { shape: [...node.shape], data: out };
    }
    case 'gather': {
      const rows = x!.shape[0]!;
      const inner = sizeOf(x!.shape.slice(1));
      const out = new Float64Array(y!.data.length * inner);
      y!.data.forEach((r, i) => {
        if (!(r >= 0 && r < rows)) throw new TempolabError(`gather: index ${r} out of range [0, ${rows})`);
        out.set(x!.data.subarray(r * inner, (r + 1) * inner), i * inner);
      });
      return { shape: [...node.shape], data: out };
    }
    case 'scatterAdd': {
      const inner = sizeOf(node.shape.slice(1));
      const out = new Float64Array(sizeOf(node.shape));
      x!.data.forEach((r, i) => {
        for (let j = 0; j < inner; j++) out[r * inner + j]! += y!.data[i * inner + j]!;
      });
      return { shape: [...node.shape], data: out };
    }
    default:
      throw new TempolabError(`interpreter: no rule for op '${node.op}'`);
  }
}

/**
 * Evaluates `outputs` (default: the graph's named outputs) given values for the graph inputs they
 * depend on. Returns float64 values keyed by output name.
 */
export function interpret(graph: Graph, inputs: Record<string, InputData>, outputs?: Record<string, Tensor>): Record<string, Value> {
  const wanted = outputs ?? Object.fromEntries(graph.outputs);
  const needed = neededNodes(Object.values(wanted));
  const values = new Map<number, Value>();
  for (const node of graph.nodes) {
    if (!needed.has(node.id)) continue;
    if (node.op === 'input') {
      const name = node.attrs.name as string;
      const data = inputs[name];
      if (!data) throw new TempolabError(`interpret: missing input '${name}' ${node.dtype}${fmt(node.shape)}`);
      if (data.length !== sizeOf(node.shape)) throw new TempolabError(`interpret: input '${name}' has ${data.length} values, expected ${fmt(node.shape)}`);
      values.set(node.id, { shape: [...node.shape], data: Float64Array.from(data as ArrayLike<number>, Number) });
      continue;
    }
    values.set(node.id, evalNode(node, node.inputs.map((i) => values.get(i.node.id)!)));
  }
  return Object.fromEntries(Object.entries(wanted).map(([k, t]) => [k, values.get(t.node.id)!]));
}
