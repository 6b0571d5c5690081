import assert from 'node:assert/strict';
import { interpret, type Value } from '../../src/engine/interpreter.js';
import type { Graph, Tensor } from '../../src/engine/graph.js';
import { compile } from '../../src/engine/runtime.js';
import { Random } from '../../src/engine/random.js';
import { sizeOf } from '../../src/engine/shape.js';

export type Feeds = Record<string, Float64Array | number[]>;

/** Random feeds for every input of `graph`: floats in [lo, hi], int64 indices in [0, intHigh). */
export function randomFeeds(graph: Graph, seed: number, opts: { lo?: number; hi?: number; intHigh?: number } = {}): Feeds {
  const rng = new Random(seed);
  const feeds: Feeds = {};
  for (const [name, { tensor }] of graph.inputs) {
    const n = sizeOf(tensor.shape);
    if (tensor.dtype === 'int64') feeds[name] = Array.from({ length: n }, () => rng.int(opts.intHigh ?? 2));
    else if (tensor.dtype === 'bool') feeds[name] = Array.from({ length: n }, () => rng.int(2));
    else feeds[name] = Float64Array.from({ length: n }, () => rng.uniform(opts.lo ?? -1, opts.hi ?? 1));
  }
  return feeds;
}

/** Feeds converted to the host types onnxruntime expects (float32, int64, bool). */
export function hostFeeds(graph: Graph, feeds: Feeds): Record<string, Float32Array | BigInt64Array | Uint8Array> {
  const out: Record<string, Float32Array | BigInt64Array | Uint8Array> = {};
  for (const [name, { tensor }] of graph.inputs) {
    const v = feeds[name]!;
    out[name] =
      tensor.dtype === 'float32' ? Float32Array.from(v) : tensor.dtype === 'int64' ? BigInt64Array.from(Array.from(v, (x) => BigInt(x))) : Uint8Array.from(v);
  }
  return out;
}

/** max |a − b| / max(1, max |b|): float32-level agreement is ~1e-6. */
export function relativeError(actual: ArrayLike<number | bigint>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'length mismatch');
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let err = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(Number(actual[i]!) - expected[i]!);
    err = Math.max(err, Number.isNaN(d) ? Infinity : d);
  }
  return err / scale;
}

/** Runs the graph's outputs through onnxruntime and the float64 interpreter; asserts agreement. */
export async function assertOrtMatchesInterpreter(graph: Graph, feeds: Feeds, tolerance = 1e-5, label = ''): Promise<void> {
  const reference = interpret(graph, feeds);
  const compiled = await compile(graph);
  const actual = await compiled.run(hostFeeds(graph, feeds));
  for (const [name, ref] of Object.entries(reference)) {
    const got = actual[name]!;
    assert.deepEqual(got.shape, ref.shape, `${label} ${name}: shape`);
    const err = relativeError(got.data as ArrayLike<number | bigint>, ref.data);
    assert.ok(err <= tolerance, `${label} ${name}: onnxruntime vs float64 relative error ${err.toExponential(2)} > ${tolerance}`);
  }
}

/** Evaluates one tensor with the interpreter. */
export function evalTensor(graph: Graph, feeds: Feeds, t: Tensor): Value {
  return interpret(graph, feeds, { t }).t!;
}

/**
 * Central finite differences of the scalar `loss` with respect to input `name`, in float64, at up
 * to `maxElements` evenly spread elements.
 */
export function finiteDifference(graph: Graph, feeds: Feeds, loss: Tensor, name: string, maxElements = 40, h = 1e-6): Map<number, number> {
  const base = Float64Array.from(feeds[name]!);
  const stride = Math.max(1, Math.floor(base.length / maxElements));
  const result = new Map<number, number>();
  for (let i = 0; i < base.length; i += stride) {
    const at = (delta: number) => {
      const x = Float64Array.from(base);
      x[i]! += delta;
      return evalTensor(graph, { ...feeds, [name]: x }, loss).data[0]!;
    };
    result.set(i, (at(h) - at(-h)) / (2 * h));
  }
  return result;
}

/** Asserts that reverse-mode gradients of `loss` w.r.t. each named input are non-zero and match central finite differences. */
export function assertGradientsMatchFiniteDifferences(graph: Graph, feeds: Feeds, loss: Tensor, names: string[], analytic: (name: string) => ArrayLike<number>, elements = 6, h = 1e-5): void {
  for (const name of names) {
    const values = analytic(name);
    assert.ok(Array.from(values).some((g) => Math.abs(g) > 1e-6), `${name}: gradient is zero`);
    for (const [index, numeric] of finiteDifference(graph, feeds, loss, name, elements, h)) {
      assert.ok(Math.abs(values[index]! - numeric) <= 1e-5 * Math.max(1, Math.abs(numeric)), `${name}[${index}]: ${values[index]} vs ${numeric}`);
    }
  }
}
