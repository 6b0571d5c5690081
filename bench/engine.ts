/**
 * `npm run bench:engine`: the engine's speed, measured side by side in one run.
 *  1. matmul GFLOP/s: the tempolab engine (trace → ONNX → onnxruntime) vs a hand-built one-node
 *     ONNX MatMul on raw onnxruntime — the engine should add no visible overhead.
 *  2. train-step ms and GFLOP/s for an MLP and a 4-layer transformer encoder: tempolab (one
 *     session.run per step) vs the same model and optimizer in TensorFlow.js (WASM backend).
 * FLOPs are counted from the tempolab train-step graph and used for both columns.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import * as E from '../src/engine/index.js';
import { medianMs, randomFloats } from '../src/engine/matmulBenchmark.js';
import { mlpGraph, transformerGraph, type MlpShape, type TransformerShape } from './engineModels.js';
import { tfjsMlpStep, tfjsTransformerStep } from './tfjsModels.js';

const quick = process.argv.includes('--quick');

/** A hand-built one-node ONNX MatMul on raw onnxruntime, bypassing the engine. */
async function rawOrtMatmul(n: number): Promise<() => Promise<unknown>> {
  const { onnx } = onnxProto;
  const vi = (name: string) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: n }, { dimValue: n }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'mm', node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['y'] }], input: [vi('a'), vi('b')], output: [vi('y')] },
  });
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { intraOpNumThreads: E.defaultThreads(), graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } });
  const feeds = { a: new ort.Tensor('float32', randomFloats(n * n, 1), [n, n]), b: new ort.Tensor('float32', randomFloats(n * n, 2), [n, n]) };
  return () => session.run(feeds);
}

async function engineMatmul(n: number): Promise<() => Promise<unknown>> {
  const compiled = await E.compile(E.trace((g) => E.matmul(g.input('a', [n, n]), g.input('b', [n, n]))));
  const feeds = { a: randomFloats(n * n, 1), b: randomFloats(n * n, 2) };
  return () => compiled.run(feeds);
}

/** Alternates the two runs round by round so machine noise hits both alike; medians in ms. */
async function interleavedMedians(a: () => Promise<unknown>, b: () => Promise<unknown>, rounds: number): Promise<[number, number]> {
  const ta: number[] = [];
  const tb: number[] = [];
  for (let r = 0; r < rounds + 2; r++) {
    const t0 = performance.now();
    await a();
    const t1 = performance.now();
    await b();
    const t2 = performance.now();
    if (r >= 2) ta.push(t1 - t0), tb.push(t2 - t1);
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return [median(ta), median(tb)];
}

async function tempolabStepMs(graph: E.Graph, batch: Record<string, E.Feed>, repeats: number): Promise<{ ms: number; flops: number }> {
  const params = E.initParameters(graph, 0);
  const step = await E.compileTrainStep(graph);
  const state = step.initState();
  const ms = await medianMs(() => step.run(params, state, batch, 1e-3), repeats, 2);
  return { ms, flops: E.countFlops(graph, step.outputs).total };
}

async function tfjsStepMs(step: (lr: number) => number, repeats: number): Promise<number> {
  return medianMs(async () => step(1e-3), repeats, 1);
}

function intData(n: number, high: number, seed: number): Int32Array {
  const rng = new E.Random(seed);
  return Int32Array.from({ length: n }, () => rng.int(high));
}

const rows: string[][] = [];
const line = (cells: (string | number)[]) => rows.push(cells.map(String));
const f1 = (x: number) => x.toFixed(1);

// The engine's and the raw sessions alternate: no spinning threads between them.
E.configureRuntime({ allowSpinning: false });
setWasmPaths(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/');
await tf.setBackend('wasm');
console.error(`threads: tempolab/onnxruntime ${E.defaultThreads()}, tensorflow.js wasm 1 (Node has no threaded WASM backend); ${quick ? 'quick run' : 'full run'}`);

console.error('matmul…');
for (const n of [256, 512, 1024]) {
  const [engineMs, rawMs] = await interleavedMedians(await engineMatmul(n), await rawOrtMatmul(n), quick ? 10 : 30);
  const engine = (2 * n ** 3) / (engineMs * 1e6);
  const raw = (2 * n ** 3) / (rawMs * 1e6);
  line([`matmul ${n}³`, 'GFLOP/s', f1(engine), `raw onnxruntime ${f1(raw)}`, (engine / raw).toFixed(2)]);
}

const mlp: MlpShape = { batch: 256, inFeatures: 256, hidden: 1024, classes: 10 };
const transformer: TransformerShape = { batch: 8, seq: 256, width: 128, heads: 4, layers: 4, vocab: 256 };
const repeats = quick ? 3 : 10;

console.error('MLP train step…');
{
  const x = randomFloats(mlp.batch * mlp.inFeatures, 3);
  const labels = intData(mlp.batch, mlp.classes, 4);
  const ours = await tempolabStepMs(mlpGraph(mlp), { x, labels: BigInt64Array.from(labels, BigInt) }, repeats);
  const theirs = await tfjsStepMs(tfjsMlpStep(mlp, x, labels), repeats);
  line(['MLP 256→1024→10, batch 256', 'ms/step', `${f1(ours.ms)} (${f1(ours.flops / ours.ms / 1e6)} GFLOP/s)`, `tfjs ${f1(theirs)} (${f1(ours.flops / theirs / 1e6)} GFLOP/s)`, (theirs / ours.ms).toFixed(1) + '×']);
}

console.error('transformer train step…');
{
  const n = transformer.batch * transformer.seq;
  const ids = intData(n, transformer.vocab, 5);
  const labels = intData(n, transformer.vocab, 6);
  const ours = await tempolabStepMs(transformerGraph(transformer), { ids: BigInt64Array.from(ids, BigInt), labels: BigInt64Array.from(labels, BigInt) }, repeats);
  const theirs = await tfjsStepMs(tfjsTransformerStep(transformer, ids, labels), quick ? 2 : 5);
  line(['transformer 4×128, 4 heads, seq 256, batch 8', 'ms/step', `${f1(ours.ms)} (${f1(ours.flops / ours.ms / 1e6)} GFLOP/s)`, `tfjs ${f1(theirs)} (${f1(ours.flops / theirs / 1e6)} GFLOP/s)`, (theirs / ours.ms).toFixed(1) + '×']);
}

const header = ['benchmark', 'unit', 'tempolab', 'baseline', 'ratio (tempolab faster by)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const fmtRow = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
console.log(fmtRow(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(fmtRow(r));
