import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/engine/graph.js';
import * as E from '../../src/engine/index.js';
import { PRIMITIVES } from '../../src/engine/ops.js';
import { OP_CASES } from './cases.js';
import { assertOrtMatchesInterpreter, randomFeeds } from './helpers.js';

for (const [i, c] of OP_CASES.entries()) {
  test(`onnxruntime matches the float64 interpreter: ${c.name}`, async () => {
    const g = new Graph();
    g.output('y', c.build(g));
    await assertOrtMatchesInterpreter(g, randomFeeds(g, 100 + i, c.feed), 1e-5, c.name);
  });
}

test('every primitive is exercised by an op case', () => {
  const covered = new Set(OP_CASES.flatMap((c) => c.covers));
  for (const p of PRIMITIVES) if (p !== 'input') assert.ok(covered.has(p), `primitive '${p}' has no op case`);
});

test('shape mismatches name the op and both shapes', () => {
  const g = new Graph();
  const a = g.input('a', [2, 3]);
  assert.throws(() => E.add(a, g.input('b', [4])), /add: shapes \[2,3\] and \[4\] do not broadcast/);
  assert.throws(() => E.matmul(a, g.input('c', [4, 5])), /matmul: inner dimensions differ: \[2,3\] × \[4,5\]/);
  assert.throws(() => E.reshape(a, [4, 2]), /reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\]/);
  assert.throws(() => E.concat([a, g.input('d', [3, 3])], 1), /concat: shapes float32\[2,3\], float32\[3,3\] differ outside axis 1/);
  assert.throws(() => E.gatherRows(a, g.input('i', [2])), /gather: indices must be int64, got float32/);
  assert.throws(() => E.exp(g.input('j', [2], 'int64')), /exp: expects float32, got int64\[2\]/);
  assert.throws(() => E.slice(a, 1, 2, 5), /slice: range \[2, 5\) out of bounds for axis 1 of \[2,3\]/);
});

test('the interpreter erf is accurate to 1e-12 against known values', () => {
  const known: [number, number][] = [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3, 0.9999779095030014], [-1.5, -0.9661051464753108]];
  for (const [x, v] of known) assert.ok(Math.abs(E.interpret(E.trace((g) => E.erf(g.input('x', []))), { x: [x] }).output!.data[0]! - v) < 1e-12);
});

test('a 2x2 matmul equals the hand-computed product', async () => {
  const g = E.trace((gr) => E.matmul(gr.input('a', [2, 2]), gr.input('b', [2, 2])));
  const out = await (await E.compile(g)).run({ a: new Float32Array([1, 2, 3, 4]), b: new Float32Array([5, 6, 7, 8]) });
  assert.deepEqual(Array.from(out.output!.data as Float32Array), [19, 22, 43, 50]);
});

test('a recompiled identical graph reuses the cached session', async () => {
  const build = () => E.trace((g) => E.exp(g.input('x', [3])));
  const a = await E.compile(build());
  const b = await E.compile(build());
  assert.equal(a.model.hash, b.model.hash);
  assert.equal((a as unknown as { session: unknown }).session, (b as unknown as { session: unknown }).session);
});

test('feeding the wrong number of values names the input and the shape', async () => {
  const compiled = await E.compile(E.trace((g) => E.exp(g.input('x', [3]))));
  await assert.rejects(compiled.run({ x: new Float32Array(4) }), /input 'x' has 4 values but the graph expects float32\[3\]/);
  await assert.rejects(compiled.run({}), /missing input 'x' float32\[3\]/);
});
