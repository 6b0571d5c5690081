/**
 * A pre-norm transformer block (causal attention + MLP) checked end to end: its gradient against
 * finite differences, and onnxruntime's whole train step against the same step in float64.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as E from '../../src/engine/index.js';
import type { Graph, Tensor } from '../../src/engine/index.js';
import { evalTensor, finiteDifference, relativeError } from './helpers.js';

const B = 2, S = 5, D = 8, HEADS = 2, VOCAB = 6;

function causalMask(n: number): number[] {
  return Array.from({ length: n * n }, (_, i) => (i % n > Math.floor(i / n) ? -1e9 : 0));
}

function block(s: E.Scope, x: Tensor, mask: Tensor): Tensor {
  const hd = D / HEADS;
  const heads = (t: Tensor) => E.transpose(E.reshape(t, [B, S, HEADS, hd]), [0, 2, 1, 3]);
  const h = E.layerNormLayer(s.sub('ln1'), x);
  const [q, k, v] = E.split(E.linear(s.sub('qkv'), h, 3 * D), -1, [D, D, D]).map(heads) as [Tensor, Tensor, Tensor];
  const attended = E.reshape(E.transpose(E.attention(q, k, v, mask), [0, 2, 1, 3]), [B, S, D]);
  const x1 = E.add(x, E.linear(s.sub('proj'), attended, D));
  const mlp = E.linear(s.sub('fc2'), E.gelu(E.linear(s.sub('fc1'), E.layerNormLayer(s.sub('ln2'), x1), 4 * D)), D);
  return E.add(x1, mlp);
}

function model(): { graph: Graph; loss: Tensor } {
  const graph = E.trace((g, scope) => {
    const x = E.embedding(scope.sub('embed'), g.input('ids', [B, S], 'int64'), VOCAB, D);
    const y = block(scope.sub('block'), x, g.input('mask', [S, S]));
    const logits = E.linear(scope.sub('head'), E.layerNormLayer(scope.sub('ln_f'), y), VOCAB);
    return { loss: E.crossEntropy(logits, g.input('labels', [B, S], 'int64')) };
  });
  return { graph, loss: graph.outputs.get('loss')! };
}

const ids = [0, 3, 2, 5, 1, 4, 4, 0, 2, 3];
const labels = [3, 2, 5, 1, -100, 4, 0, 2, 3, -100];

function params(graph: Graph): E.ParameterStore {
  const store = E.initParameters(graph, 11);
  // Larger-than-default weights so every path carries a visible gradient, but not so large that
  // attention saturates: Adam's first step g/(|g|+eps) is ill-conditioned when |g| nears eps.
  for (const p of store.values()) for (let i = 0; i < p.data.length; i++) p.data[i] = p.data[i]! * 4 + (p.shape.length === 1 ? 0.1 * Math.sin(i) : 0);
  return store;
}

function feedsOf(graph: Graph, store: E.ParameterStore): Record<string, Float64Array | number[]> {
  const feeds: Record<string, Float64Array | number[]> = { ids, labels, mask: causalMask(S) };
  for (const p of graph.parameters) feeds[p.name] = Float64Array.from(store.get(p.name)!.data);
  return feeds;
}

test('transformer block: gradient of every parameter matches finite differences', () => {
  const { graph, loss } = model();
  const store = params(graph);
  const feeds = feedsOf(graph, store);
  const specs = graph.parameters;
  const grads = E.grad(loss, specs.map((p) => graph.inputs.get(p.name)!.tensor));
  specs.forEach((p, k) => {
    const analytic = evalTensor(graph, feeds, grads[k]!).data;
    for (const [i, numeric] of finiteDifference(graph, feeds, loss, p.name, 12)) {
      assert.ok(Math.abs(analytic[i]! - numeric) <= 1e-6 * Math.max(1, Math.abs(numeric)), `${p.name}[${i}]: ${analytic[i]} vs ${numeric}`);
    }
  });
});

test('transformer block: the onnxruntime train step equals the same step in float64', async () => {
  const { graph } = model();
  const store = params(graph);
  const feeds = feedsOf(graph, store);
  const step = await E.compileTrainStep(graph, { weightDecay: 0.1, maxGradNorm: 0.5, eps: 1e-6 });
  const lr = 1e-2;
  const reference = E.interpret(graph, { ...feeds, 'train.step': [1], 'train.lr': [lr], ...zeroMoments(step) }, step.outputs);
  const state = step.initState();
  const result = await step.run(store, state, { ids, labels, mask: new Float32Array(causalMask(S)) }, lr);
  assert.ok(Math.abs(result.loss - reference.loss!.data[0]!) < 1e-5 * Math.abs(reference.loss!.data[0]!));
  assert.ok(result.gradNorm > 0.5, 'the test should exercise clipping');
  assert.ok(Math.abs(result.gradNorm - reference.gradNorm!.data[0]!) < 1e-4 * reference.gradNorm!.data[0]!);
  for (const p of step.trainable) {
    assert.ok(relativeError(store.get(p.name)!.data, reference[`next.${p.name}`]!.data) < 1e-5, `${p.name}: updated parameter differs`);
    assert.ok(relativeError(state.m.get(p.name)!, reference[`next.adam.m.${p.name}`]!.data) < 1e-5, `${p.name}: first moment differs`);
  }
});

function zeroMoments(step: E.TrainStep): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const p of step.trainable) {
    out[`adam.m.${p.name}`] = new Float64Array(E.sizeOf(p.shape));
    out[`adam.v.${p.name}`] = new Float64Array(E.sizeOf(p.shape));
  }
  return out;
}
