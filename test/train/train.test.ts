import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import { answerQuestions } from '../../src/eval/answer.js';
import { scorePredictions } from '../../src/eval/score.js';
import { mergeAdapters } from '../../src/models/adapters.js';
import { loadVideoLM } from '../../src/models/checkpoint.js';
import { isLoraParameter, loraScale } from '../../src/models/lora.js';
import { isTemporalAttention, isVisionLayerNorm, train, type BaseSettings, type FineTuneSettings } from '../../src/train/recipes.js';
import { runTraining } from '../../src/train/trainer.js';
import { TrainingData } from '../../src/train/trainingData.js';

let root: string;
let data: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-train-'));
  data = path.join(root, 'data');
  await synthesizeDataset(data, { train: 24, val: 2, test: 2, frames: 4, size: 16, seed: 3 });
});
after(async () => fs.rm(root, { recursive: true, force: true }));

const base = (out: string, steps: number, extra: Partial<BaseSettings> = {}): BaseSettings => ({
  kind: 'base', preset: 'tiny', data, out, steps, lr: 3e-3, warmupSteps: 2, seed: 1, batchSize: 8, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1, ...extra,
});
const fineTune = (kind: 'stave' | 'control', from: string, out: string): FineTuneSettings => ({
  kind, from, data, out, seed: 1, batchSize: 8, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1,
  stage1Steps: 4, stage2Steps: 4, stage1Lr: 1e-2, stage2Lr: 1e-2, loraRank: 2, loraAlpha: 4,
});

test('the loss goes down: on a trivially learnable subset (one question per opposing pair, so the text decides) the tiny preset reaches ≥ 90% accuracy in 200 steps', async () => {
  const out = path.join(root, 'memorise');
  const { createVideoLM } = await import('../../src/models/checkpoint.js');
  const { presetConfig } = await import('../../src/models/config.js');
  const { buildWordLevelTokenizer } = await import('../../src/models/tokenizer/index.js');
  const { benchmarkVocabulary } = await import('../../src/data/vocabulary.js');
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 2, tokenizer);
  const dataset = openDataset(data);
  const subset = new TrainingData(dataset, model, 'train', 1, (q) => q.format === 'yes_no' && (q.partnerId === null || q.id < q.partnerId));
  assert.ok(subset.questions.length >= 10, `${subset.questions.length} questions`);
  const losses: number[] = [];
  const result = await runTraining(model, subset, {
    runDir: out, batchSize: 8, weightDecay: 0, maxGradNorm: 1, checkpointEvery: 1000,
    stages: [{ name: 'base', steps: 200, peakLr: 5e-3, warmupSteps: 10, trainable: () => true }],
    onStep: (p) => losses.push(p.loss),
  });
  assert.ok(losses.at(-1)! < losses[0]! / 4, `loss ${losses[0]} → ${losses.at(-1)}`);
  const predictions = await answerQuestions(result.model, dataset, subset.questions);
  const accuracy = scorePredictions(subset.questions, predictions).filter((a) => a.correct).length / subset.questions.length;
  assert.ok(accuracy >= 0.9, `train accuracy ${accuracy}`);
});

test('STAVE stage 1 trains only STA and vision LayerNorms; stage 2 only STA and LoRA; merged export = W + s·B·A', async () => {
  const baseRun = path.join(root, 'base');
  await train(base(baseRun, 4));
  const baseModel = await loadVideoLM(path.join(baseRun, 'checkpoint'));
  const staveRun = path.join(root, 'stave');
  const stage1 = await train({ ...fineTune('stave', baseRun, staveRun), stage2Steps: 1 }, { shouldStop: () => false });
  assert.equal(stage1.interrupted, false);
  const log = (await fs.readFile(path.join(staveRun, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(log.map((l) => l.stage), ['stage1', 'stage1', 'stage1', 'stage1', 'stage2']);
  const stave = stage1.model;
  for (const [name, p] of baseModel.params) {
    const now = stave.params.get(name)!.data;
    if (isVisionLayerNorm(name)) continue; // trained in stage 1
    assert.deepEqual(now, p.data, `${name} must be frozen`);
  }
  assert.ok([...stave.params.keys()].some((n) => isTemporalAttention(n)) && [...stave.params.keys()].some(isLoraParameter));
  assert.notDeepEqual(stave.params.get('visual.blocks.0.norm1.weight')!.data, baseModel.params.get('visual.blocks.0.norm1.weight')!.data, 'stage 1 trains vision LayerNorms');

  // Stage 2 alone: compare with the end of stage 1 (a separate run stopped after stage 1).
  const stage1Only = await train({ ...fineTune('stave', baseRun, path.join(root, 'stave-s1')), stage2Steps: 1 }, { shouldStop: (() => { let n = 0; return () => ++n >= 4; })() });
  assert.equal(stage1Only.interrupted, true);
  for (const [name, p] of stage1Only.model.params) {
    const changed = p.data.some((v, i) => v !== stave.params.get(name)!.data[i]);
    if (changed) assert.ok(isTemporalAttention(name) || isLoraParameter(name), `stage 2 changed ${name}`);
  }
  const merged = mergeAdapters(stave);
  const scale = loraScale(stave.config.tempolab_lora!);
  const w = stave.params.get('model.layers.0.mlp.up_proj.weight')!;
  const a = stave.params.get('model.layers.0.mlp.up_proj.lora_A.weight')!;
  const b = stave.params.get('model.layers.0.mlp.up_proj.lora_B.weight')!;
  const [out, inF] = w.shape as [number, number];
  const r = a.shape[0]!;
  const m = merged.params.get('model.layers.0.mlp.up_proj.weight')!.data;
  for (const [i, j] of [[0, 0], [out - 1, inF - 1], [3, 7]] as const) {
    let delta = 0;
    for (let k = 0; k < r; k++) delta += b.data[i * r + k]! * a.data[k * inF + j]!;
    assert.ok(Math.abs(m[i * inF + j]! - (w.data[i * inF + j]! + scale * delta)) < 1e-6);
  }
  assert.ok(![...merged.params.keys()].some(isLoraParameter) && merged.config.tempolab_lora === undefined);
});

test('the control has the same stages, data order and steps without STA', async () => {
  const baseRun = path.join(root, 'base-c');
  await train(base(baseRun, 2));
  const control = await train(fineTune('control', baseRun, path.join(root, 'control')));
  assert.ok(![...control.model.params.keys()].some(isTemporalAttention));
  const log = (await fs.readFile(path.join(root, 'control', 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(log.length, 8);
});

test('resume: N steps straight equal N/2 steps + resume + N/2 steps, bit for bit', async () => {
  const straight = await train(base(path.join(root, 'straight'), 6, { checkpointEvery: 2 }));
  let calls = 0;
  const first = await train(base(path.join(root, 'halves'), 6, { checkpointEvery: 2 }), { shouldStop: () => ++calls === 3 });
  assert.equal(first.interrupted, true);
  const resumed = await train({ resume: path.join(root, 'halves') });
  assert.equal(resumed.state.globalStep, 6);
  for (const [name, p] of straight.model.params) assert.deepEqual(resumed.model.params.get(name)!.data, p.data, name);
  await assert.rejects(train(base(path.join(root, 'halves'), 6)), /already holds a run; pass --resume/);
});

test('a NaN loss stops the run with a clear message and keeps the last good checkpoint', async () => {
  const out = path.join(root, 'nan');
  await assert.rejects(train(base(out, 40, { lr: 1e9, checkpointEvery: 1, maxGradNorm: 0 })), /training diverged at step \d+ of base \(loss .*, gradient norm .*\); the last good checkpoint \(step \d+\) is in .*checkpoint/);
  const state = JSON.parse(await fs.readFile(path.join(out, 'checkpoint', 'trainer_state.json'), 'utf8'));
  assert.ok(state.step >= 1);
});
