import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as E from '../../src/engine/index.js';

function mlp(batch: number, inFeatures: number, hidden: number, classes: number) {
  return E.trace((g, s) => {
    const h = E.relu(E.linear(s.sub('fc1'), g.input('x', [batch, inFeatures]), hidden));
    const logits = E.linear(s.sub('fc2'), h, classes);
    return { loss: E.crossEntropy(logits, g.input('labels', [batch], 'int64')), logits };
  });
}

/** Gaussian blobs: class c is centred at a fixed random point; separable but not trivially. */
function blobs(n: number, dim: number, classes: number, seed: number) {
  const centreRng = new E.Random(classes * 1000 + dim);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => centreRng.normal() * 1.5));
  const rng = new E.Random(seed);
  const x = new Float32Array(n * dim);
  const labels = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(classes);
    labels[i] = BigInt(c);
    for (let d = 0; d < dim; d++) x[i * dim + d] = centres[c]![d]! + rng.normal();
  }
  return { x, labels };
}

test('a frozen parameter is bit-identical after 10 train steps; a trainable one is not', async () => {
  const graph = mlp(16, 8, 32, 3);
  const params = E.initParameters(graph, 1);
  const before = E.cloneParameters(params);
  const step = await E.compileTrainStep(graph, { trainable: (n) => n.startsWith('fc2.') });
  assert.deepEqual(step.frozen.map((p) => p.name).sort(), ['fc1.bias', 'fc1.weight']);
  assert.ok(!step.compiled.inputNames.some((n) => n.startsWith('adam.') && n.includes('fc1')), 'frozen parameters must have no optimizer state');
  const state = step.initState();
  const data = blobs(16, 8, 3, 2);
  for (let i = 0; i < 10; i++) await step.run(params, state, data, 1e-2);
  for (const name of ['fc1.weight', 'fc1.bias']) assert.deepEqual(params.get(name)!.data, before.get(name)!.data, `${name} changed`);
  assert.notDeepEqual(params.get('fc2.weight')!.data, before.get('fc2.weight')!.data);
});

test('training a small MLP on Gaussian blobs drives the loss below 0.15 within 200 steps', async () => {
  const graph = mlp(64, 16, 64, 4);
  const params = E.initParameters(graph, 3);
  const step = await E.compileTrainStep(graph, { extraOutputs: ['logits'] });
  const state = step.initState();
  const schedule = { peak: 1e-2, warmupSteps: 10, totalSteps: 200 };
  const first = await step.run(params, state, blobs(64, 16, 4, 1000), E.warmupCosine(schedule, 0));
  let last = first.loss;
  for (let i = 1; i < 200; i++) last = (await step.run(params, state, blobs(64, 16, 4, 1000 + i), E.warmupCosine(schedule, i))).loss;
  assert.ok(first.loss > 1.0, `initial loss ${first.loss} should be near ln 4`);
  assert.ok(last < 0.15, `loss after 200 steps is ${last}`);
});

test('the same seed gives the same parameters and the same training trajectory', async () => {
  const run = async () => {
    const graph = mlp(8, 4, 8, 2);
    const params = E.initParameters(graph, 5);
    const step = await E.compileTrainStep(graph);
    const state = step.initState();
    for (let i = 0; i < 3; i++) await step.run(params, state, blobs(8, 4, 2, i), 1e-2);
    return params.get('fc1.weight')!.data;
  };
  assert.deepEqual(await run(), await run());
});

test('warmup + cosine schedule: linear warmup, peak, then decay to the floor', () => {
  const s = { peak: 1, warmupSteps: 4, totalSteps: 104, minRatio: 0.1 };
  assert.equal(E.warmupCosine(s, 0), 0.25);
  assert.equal(E.warmupCosine(s, 3), 1);
  assert.ok(Math.abs(E.warmupCosine(s, 4) - 1) < 1e-12);
  assert.ok(Math.abs(E.warmupCosine(s, 54) - 0.55) < 1e-12);
  assert.ok(Math.abs(E.warmupCosine(s, 104) - 0.1) < 1e-12);
});

test('compileTrainStep rejects a non-scalar loss and an empty trainable set with clear errors', async () => {
  const graph = mlp(4, 2, 3, 2);
  await assert.rejects(E.compileTrainStep(graph, { loss: 'logits' }), /loss must be a scalar, got \[4,2\]/);
  await assert.rejects(E.compileTrainStep(mlp(4, 2, 3, 2), { trainable: () => false }), /no trainable parameters/);
});
