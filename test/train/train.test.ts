import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import { answerQuestions } from '../../src/eval/answer.js';
import { scorePredictions } from '../../src/eval/score.js';
import { mergeAdapters } from '../../src/models/adapters.js';
import { createVideoLM, loadVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { isLoraParameter, loraScale } from '../../src/models/lora.js';
import { isVisionHead } from '../../src/models/pretraining.js';
import type { VideoLM } from '../../src/models/videoLM.js';
import { withLora } from '../../src/models/adapters.js';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { statesFirstOutcome } from '../../src/train/symmetryBreaking.js';
import { isMerger, isTemporalAttention, isVisionLayerNorm, PRETRAINING_STAGES, train, type BaseSettings, type CurriculumPhase, type FineTuneSettings } from '../../src/train/recipes.js';
import { DIMENSIONS, FORMATS } from '../../src/data/types.js';
import { evaluateClassifierRun } from '../../src/train/classifier.js';
import { embeddingDiagnostics } from '../../src/eval/diagnostics.js';
import { runTraining } from '../../src/train/trainer.js';
import { TrainingData } from '../../src/train/trainingData.js';
import { SceneAlignment, SceneQuestions, VideoQuestions, type Objective } from '../../src/train/objectives.js';

let root: string;
let data: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-train-'));
  data = path.join(root, 'data');
  await synthesizeDataset(data, { train: 24, val: 2, test: 2, frames: 4, size: 16, seed: 3 });
});
after(async () => fs.rm(root, { recursive: true, force: true }));

/** A fresh tiny VideoLM with the benchmark's word-level tokenizer. */
function freshTinyModel(seed: number) {
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  return { model: createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), seed, tokenizer), tokenizer };
}

/** The base pipeline on the tiny preset with `steps` steps per stage. */
const base = (out: string, steps: number, extra: Partial<BaseSettings> = {}, lr = 3e-3): BaseSettings => ({
  kind: 'base', preset: 'tiny', data, out, seed: 1, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1, instructTrainable: 'decoder',
  stages: { vision: { steps, lr, batchSize: 4 }, language: { steps, lr, batchSize: 8 }, align: { steps, lr, batchSize: 8 }, instruct: { steps, lr, batchSize: 8 } },
  ...extra,
});
const fineTune = (kind: 'stave' | 'control', from: string, out: string): FineTuneSettings => ({
  kind, from, data, out, seed: 1, batchSize: 8, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1,
  stage1Steps: 4, stage2Steps: 4, stage1Lr: 1e-2, stage2Lr: 1e-2, loraRank: 2, loraAlpha: 4,
});

test('the loss goes down: on a trivially learnable subset (one question per opposing pair, so the text decides) the tiny preset reaches ≥ 90% accuracy in 200 steps', async () => {
  const out = path.join(root, 'memorise');
  const { model } = freshTinyModel(2);
  const dataset = openDataset(data);
  const subset = new TrainingData(dataset, model, 'train', 1, (q) => q.format === 'yes_no' && q.dimension !== 'perception' && (q.partnerId === null || q.id < q.partnerId));
  assert.ok(subset.questions.length >= 10, `${subset.questions.length} questions`);
  const losses: number[] = [];
  const result = await runTraining(model, {
    runDir: out, batchSize: 8, weightDecay: 0, maxGradNorm: 1, checkpointEvery: 1000, seed: 1,
    stages: [{ name: 'base', steps: 200, peakLr: 5e-3, warmupSteps: 10, trainable: () => true, objective: () => new VideoQuestions(subset) }],
    onStep: (p) => losses.push(p.loss),
  });
  assert.ok(losses.at(-1)! < losses[0]! / 4, `loss ${losses[0]} → ${losses.at(-1)}`);
  const predictions = await answerQuestions(result.model, dataset, subset.questions);
  const accuracy = scorePredictions(subset.questions, predictions).filter((a) => a.correct).length / subset.questions.length;
  assert.ok(accuracy >= 0.9, `train accuracy ${accuracy}`);
});

test('scene reading (decoder over scene words) and scene alignment (ViT + merger onto those words) learn their objectives on the tiny preset', async () => {
  const dataset = openDataset(data);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const run = async (name: string, trainable: (n: string) => boolean, objective: (m: import('../../src/models/videoLM.js').VideoLM) => Objective) => {
    const losses: number[] = [];
    await runTraining(freshTinyModel(4).model, {
      runDir: path.join(root, name), batchSize: 8, weightDecay: 0, maxGradNorm: 1, checkpointEvery: 1000, seed: 1,
      stages: [{ name, steps: 80, peakLr: 1e-2, warmupSteps: 5, trainable, objective }],
      onStep: (p) => losses.push(p.loss),
    });
    return { first: mean(losses.slice(0, 10)), last: mean(losses.slice(-10)) };
  };
  const reading = await run('scene-reading', (n) => n.startsWith('model.') || n.startsWith('lm_head.'), (m) => new SceneQuestions(new TrainingData(dataset, m, 'train', 1)));
  assert.ok(reading.last < reading.first / 2, `scene reading loss ${reading.first} → ${reading.last}`);
  const alignment = await run('scene-alignment', (n) => n.startsWith('visual.'), () => new SceneAlignment(dataset, 'train', 1));
  assert.ok(alignment.last < 0.7 && alignment.last < alignment.first / 2, `scene alignment loss ${alignment.first} → ${alignment.last}`);
});

test('TrainingData takes questions of your own about the clips (bench:binding), and names an empty list', async () => {
  const { model, tokenizer } = freshTinyModel(2);
  const dataset = openDataset(data);
  const own = dataset.videos('train').slice(0, 3).map((v) => ({ ...dataset.questions('train')[0]!, id: `${v.id}-own`, videoId: v.id, question: 'what color is the object?', answer: v.scene!.objects[0]![0]!.colour }));
  const examples = new TrainingData(dataset, model, own, 0);
  assert.deepEqual(examples.questions.map((q) => q.id), own.map((q) => q.id));
  const prompt = tokenizer.decode(examples.encoded[1]!.inputIds);
  assert.ok(prompt.includes('what color is the object?') && !prompt.includes('<|unk|>'), prompt);
  const answerIds = examples.encoded[1]!.labels.filter((l) => l >= 0);
  assert.equal(tokenizer.decode(answerIds.slice(0, 1)), own[1]!.answer);
  assert.throws(() => new TrainingData(dataset, model, [], 0), /^TempolabError: the question list has no questions to train on$/);
});

test('STAVE stage 1 trains only STA and vision LayerNorms; stage 2 only STA and LoRA; merged export = W + s·B·A', async () => {
  const baseRun = path.join(root, 'base');
  await train(base(baseRun, 4));
  const baseModel = await loadVideoLM(path.join(baseRun, 'instruct', 'checkpoint'));
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

test('stage2Merger: stage 2 trains the merger in full beside LoRA, and nothing else outside stage 1', async () => {
  const baseRun = path.join(root, 'base-merger');
  await train(base(baseRun, 2));
  const start = await loadVideoLM(path.join(baseRun, 'instruct', 'checkpoint'));
  const changed = async (stage2Merger: boolean) => {
    const { model } = await train({ ...fineTune('control', baseRun, path.join(root, `control-merger-${stage2Merger}`)), stage2Merger });
    return [...start.params].filter(([name, p]) => p.data.some((v, i) => v !== model.params.get(name)!.data[i])).map(([name]) => name);
  };
  const withMerger = await changed(true);
  const outsideStage1 = (n: string) => !isVisionLayerNorm(n);
  assert.ok(withMerger.filter(outsideStage1).length > 0 && withMerger.filter(outsideStage1).every(isMerger), withMerger.join(', '));
  assert.deepEqual((await changed(false)).filter(outsideStage1), [], 'without it stage 2 changes no base weight (LoRA is separate)');
});

test('a symmetry phase trains stage 2\'s parameters on the first-outcome questions between the stages, as the same stages written by hand, and resumes inside it bit for bit', async () => {
  const baseRun = path.join(root, 'base-symmetry');
  await train(base(baseRun, 2));
  const settings = (out: string): FineTuneSettings => ({ ...fineTune('stave', baseRun, out), stage1Steps: 2, stage2Steps: 2, symmetrySteps: 3, balanceDimensions: true });
  const straight = await train(settings(path.join(root, 'symmetry')));
  const log = (await fs.readFile(path.join(root, 'symmetry', 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(log.map((l) => l.stage), ['stage1', 'stage1', 'symmetry', 'symmetry', 'symmetry', 'stage2', 'stage2']);

  const dataset = openDataset(data);
  const byDimension = (q: { dimension: string }) => q.dimension;
  const questions = (filter?: (q: Parameters<typeof statesFirstOutcome>[1]) => boolean) => (m: Awaited<ReturnType<typeof loadVideoLM>>) => new VideoQuestions(new TrainingData(dataset, m, 'train', 1, filter, byDimension));
  const stage2 = (n: string) => isLoraParameter(n) || isTemporalAttention(n);
  const byHand = await runTraining(await loadVideoLM(path.join(baseRun, 'instruct', 'checkpoint')), {
    runDir: path.join(root, 'symmetry-by-hand'), batchSize: 8, weightDecay: 0.01, maxGradNorm: 1, checkpointEvery: 1000, seed: 1,
    stages: [
      { name: 'stage1', steps: 2, peakLr: 1e-2, warmupSteps: 1, trainable: (n) => isTemporalAttention(n) || isVisionLayerNorm(n), objective: questions(), begin: (m) => addTemporalAttention(m, { seed: 2 }) },
      { name: 'symmetry', steps: 3, peakLr: 1e-2, warmupSteps: 1, trainable: stage2, objective: questions((q) => statesFirstOutcome(dataset, q)), begin: (m) => withLora(m, { rank: 2, alpha: 4, seed: 3 }) },
      { name: 'stage2', steps: 2, peakLr: 1e-2, warmupSteps: 1, trainable: stage2, objective: questions() },
    ],
  });
  for (const [name, p] of straight.model.params) assert.deepEqual(byHand.model.params.get(name)!.data, p.data, name);

  const halves = path.join(root, 'symmetry-halves');
  let n = 0;
  const first = await train({ ...settings(halves), checkpointEvery: 1 }, { shouldStop: () => ++n >= 4 });
  assert.equal(first.interrupted, true);
  const resumed = await train({ resume: halves });
  for (const [name, p] of straight.model.params) assert.deepEqual(resumed.model.params.get(name)!.data, p.data, name);
});

test('train base runs vision → language → align → instruct in order, each from the previous model, and resumes inside any stage bit for bit', async () => {
  const straight = await train(base(path.join(root, 'straight'), 4, { checkpointEvery: 2 }));
  const trainedOn = JSON.parse(await fs.readFile(path.join(root, 'straight', 'dataset.json'), 'utf8'));
  assert.deepEqual(trainedOn.splits.train, { videos: 24, questions: openDataset(data).questions('train').length }, 'the base records the data it trained on');
  assert.equal(trainedOn.seed, 3);
  for (const [i, stage] of PRETRAINING_STAGES.entries()) {
    const run = JSON.parse(await fs.readFile(path.join(root, 'straight', stage, 'run.json'), 'utf8'));
    assert.equal(run.kind, stage);
    if (i > 0) assert.equal(run.from, path.join(root, 'straight', PRETRAINING_STAGES[i - 1]!));
  }
  // Interrupt inside vision (step 3 of 4), then inside align (its step 1), resuming the whole pipeline each time.
  let calls = 0;
  const halves = path.join(root, 'halves');
  const first = await train(base(halves, 4, { checkpointEvery: 2 }), { shouldStop: () => ++calls === 3 });
  assert.equal(first.interrupted, true);
  calls = 0;
  const second = await train({ resume: halves }, { shouldStop: () => ++calls === 1 + 4 + 1 });
  assert.equal(second.interrupted, true);
  assert.ok(existsSync(path.join(halves, 'align', 'run.json')) && !existsSync(path.join(halves, 'instruct', 'run.json')), 'stopped inside align');
  const resumed = await train({ resume: halves });
  assert.equal(resumed.interrupted, false);
  for (const [name, p] of straight.model.params) assert.deepEqual(resumed.model.params.get(name)!.data, p.data, name);
  await assert.rejects(train(base(halves, 4)), /already holds a run; pass --resume/);
});

test('scheduleSteps stops a stage partway down a longer schedule: the first steps of the longer run, bit for bit; refused where it cannot apply', async () => {
  const vision = path.join(root, 'schedule-vision');
  await train({ kind: 'vision', preset: 'tiny', data, out: vision, seed: 1, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1, batchSize: 4, steps: 1, lr: 3e-3, warmupSteps: 1 });
  const language = (out: string, steps: number, scheduleSteps?: number) =>
    train({ kind: 'language', from: vision, data, out: path.join(root, out), seed: 1, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1, batchSize: 8, steps, lr: 3e-3, warmupSteps: 1, ...(scheduleSteps ? { scheduleSteps } : {}) });
  await language('schedule-long', 40);
  const cut = await language('schedule-cut', 25, 40);
  const log = async (out: string) => (await fs.readFile(path.join(root, out, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const [long, short] = [await log('schedule-long'), await log('schedule-cut')];
  assert.equal(short.length, 25);
  for (const [i, l] of short.entries()) assert.deepEqual([l.loss, l.lr, l.gradNorm], [long[i].loss, long[i].lr, long[i].gradNorm], `step ${i + 1}`);
  assert.ok(short.at(-1).lr > 0.25 * 3e-3 && short.at(-1).lr < 0.75 * 3e-3, `stopped partway down the cosine (lr ${short.at(-1).lr})`);
  assert.equal(cut.state.globalStep, 25);
  await assert.rejects(language('schedule-short', 25, 10), (e: Error) => /^--schedule-steps 10 is shorter than the stage's 25 steps: give a whole number ≥ the steps .*, or leave it out$/.test(e.message));
  assert.ok(!existsSync(path.join(root, 'schedule-short')), 'a refused run writes nothing');
  const instruct = base(path.join(root, 'schedule-instruct'), 1);
  instruct.stages.instruct.scheduleSteps = 4;
  await assert.rejects(train(instruct), /--instruct-schedule-steps applies to the vision, language and align stages, not instruct: leave it out/);
});

test('a base whose language stage is described is refused before its vision stage when no training clip can be described', async () => {
  const nocaps = path.join(root, 'nocaps');
  await fs.cp(data, nocaps, { recursive: true });
  const file = path.join(nocaps, 'train', 'questions.jsonl');
  const lines = (await fs.readFile(file, 'utf8')).trim().split('\n').filter((l) => JSON.parse(l).format !== 'captioning');
  await fs.writeFile(file, lines.join('\n') + '\n');
  const settings = base(path.join(root, 'nocaps-base'), 1, { data: nocaps });
  settings.stages.language.described = true;
  await assert.rejects(train(settings), /this data has none: train without descriptions \(--no-described; train base: --no-language-described\)$/);
  assert.ok(!existsSync(path.join(root, 'nocaps-base')), 'nothing trained, nothing written');
});

test('instruct with perceptionSteps trains on perception questions alone first, then on every format, and resumes between the two phases bit for bit', async () => {
  const curriculum = (out: string) => base(out, 2, { stages: { ...base(out, 2).stages, instruct: { steps: 2, lr: 3e-3, batchSize: 8, perceptionSteps: 3 } } });
  const straight = await train(curriculum(path.join(root, 'curriculum')));
  const log = (await fs.readFile(path.join(root, 'curriculum', 'instruct', 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(log.map((l) => l.stage), ['perception', 'perception', 'perception', 'instruct', 'instruct']);

  // The same two phases written by hand from the align stage's model: perception-only questions, then all.
  const dataset = openDataset(data);
  const aligned = await loadVideoLM(path.join(root, 'curriculum', 'align', 'checkpoint'));
  const trainable = (n: string) => n.startsWith('visual.merger.') || n.startsWith('model.') || n.startsWith('lm_head.');
  const byHand = await runTraining(aligned, {
    runDir: path.join(root, 'curriculum-by-hand'), batchSize: 8, weightDecay: 0.01, maxGradNorm: 1, checkpointEvery: 1000, seed: 1,
    stages: [
      { name: 'perception', steps: 3, peakLr: 3e-3, warmupSteps: 1, trainable, objective: (m) => new VideoQuestions(new TrainingData(dataset, m, 'train', 1, (q) => q.dimension === 'perception')) },
      { name: 'instruct', steps: 2, peakLr: 3e-3, warmupSteps: 1, trainable, objective: (m) => new VideoQuestions(new TrainingData(dataset, m, 'train', 1)) },
    ],
  });
  for (const [name, p] of straight.model.params) assert.deepEqual(byHand.model.params.get(name)!.data, p.data, name);

  let calls = 0;
  const halves = path.join(root, 'curriculum-halves');
  const first = await train(curriculum(halves), { shouldStop: () => ++calls === 2 + 2 + 2 + 3 });
  assert.equal(first.interrupted, true);
  const state = JSON.parse(await fs.readFile(path.join(halves, 'instruct', 'checkpoint', 'trainer_state.json'), 'utf8'));
  assert.equal(state.globalStep, 3, 'stopped at the end of the perception phase');
  const resumed = await train({ resume: halves });
  for (const [name, p] of straight.model.params) assert.deepEqual(resumed.model.params.get(name)!.data, p.data, name);
});

test('perceptionFormats limits the perception phase to those formats, as the same stages written by hand', async () => {
  const formats = ['yes_no', 'caption_matching'] as const;
  const out = path.join(root, 'formats');
  const settings = base(out, 2, { stages: { ...base(out, 2).stages, instruct: { steps: 2, lr: 3e-3, batchSize: 8, perceptionSteps: 3, perceptionFormats: [...formats] } } });
  const straight = await train(settings);
  const runJson = JSON.parse(await fs.readFile(path.join(out, 'instruct', 'run.json'), 'utf8'));
  assert.deepEqual(runJson.perceptionFormats, formats);

  const dataset = openDataset(data);
  const aligned = await loadVideoLM(path.join(out, 'align', 'checkpoint'));
  const trainable = (n: string) => n.startsWith('visual.merger.') || n.startsWith('model.') || n.startsWith('lm_head.');
  const perceptionOnly = (q: { dimension: string; format: string }) => q.dimension === 'perception' && (formats as readonly string[]).includes(q.format);
  const byHand = await runTraining(aligned, {
    runDir: path.join(root, 'formats-by-hand'), batchSize: 8, weightDecay: 0.01, maxGradNorm: 1, checkpointEvery: 1000, seed: 1,
    stages: [
      { name: 'perception', steps: 3, peakLr: 3e-3, warmupSteps: 1, trainable, objective: (m) => new VideoQuestions(new TrainingData(dataset, m, 'train', 1, perceptionOnly)) },
      { name: 'instruct', steps: 2, peakLr: 3e-3, warmupSteps: 1, trainable, objective: (m) => new VideoQuestions(new TrainingData(dataset, m, 'train', 1)) },
    ],
  });
  for (const [name, p] of straight.model.params) assert.deepEqual(byHand.model.params.get(name)!.data, p.data, name);
  // And they are not the phases over all four formats: the filter is used.
  const allFormats = await train(base(path.join(root, 'formats-all'), 2, { stages: { ...base(out, 2).stages, instruct: { steps: 2, lr: 3e-3, batchSize: 8, perceptionSteps: 3 } } }));
  const differs = [...straight.model.params].some(([name, p]) => p.data.some((v, i) => v !== allFormats.model.params.get(name)!.data[i]));
  assert.ok(differs, 'limiting the formats changes the trained parameters');
});

test('a curriculum trains each phase on its own temporal dimensions (and formats, where it names them) after the perception phase, as the same stages written by hand, and resumes between phases bit for bit', async () => {
  const formats = ['yes_no', 'caption_matching'] as const;
  const curriculum = [{ dimensions: ['attribute_change' as const], steps: 2 }, { dimensions: ['attribute_change' as const, 'order' as const], steps: 2, formats: ['multi_choice' as const, 'yes_no' as const] }];
  const settings = (out: string) => base(out, 2, { stages: { ...base(out, 2).stages, instruct: { steps: 2, lr: 3e-3, batchSize: 8, perceptionSteps: 2, perceptionFormats: [...formats], curriculum } } });
  const out = path.join(root, 'temporal-curriculum');
  const straight = await train(settings(out));
  const log = (await fs.readFile(path.join(out, 'instruct', 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(log.map((l) => l.stage), ['perception', 'perception', 'curriculum attribute_change', 'curriculum attribute_change', 'curriculum attribute_change+order', 'curriculum attribute_change+order', 'instruct', 'instruct']);
  assert.deepEqual(JSON.parse(await fs.readFile(path.join(out, 'instruct', 'run.json'), 'utf8')).curriculum, curriculum);

  const dataset = openDataset(data);
  const aligned = await loadVideoLM(path.join(out, 'align', 'checkpoint'));
  const trainable = (n: string) => n.startsWith('visual.merger.') || n.startsWith('model.') || n.startsWith('lm_head.');
  const only = (dimensions: string[], inFormats: readonly string[] = formats) => (q: { dimension: string; format: string }) => dimensions.includes(q.dimension) && inFormats.includes(q.format);
  const phase = (name: string, filter?: (q: { dimension: string; format: string }) => boolean) =>
    ({ name, steps: 2, peakLr: 3e-3, warmupSteps: 1, trainable, objective: (m: typeof aligned) => new VideoQuestions(new TrainingData(dataset, m, 'train', 1, filter)) });
  const byHand = await runTraining(aligned, {
    runDir: path.join(root, 'temporal-curriculum-by-hand'), batchSize: 8, weightDecay: 0.01, maxGradNorm: 1, checkpointEvery: 1000, seed: 1,
    stages: [phase('perception', only(['perception'])), phase('curriculum attribute_change', only(['attribute_change'])), phase('curriculum attribute_change+order', only(['attribute_change', 'order'], ['multi_choice', 'yes_no'])), phase('instruct')],
  });
  for (const [name, p] of straight.model.params) assert.deepEqual(byHand.model.params.get(name)!.data, p.data, name);

  // Stop inside the second temporal phase (vision, language, align: 2 steps each; then 2 + 2 + 1), resume the pipeline.
  let calls = 0;
  const halves = path.join(root, 'temporal-curriculum-halves');
  const first = await train(settings(halves), { shouldStop: () => ++calls === 2 + 2 + 2 + 5 });
  assert.equal(first.interrupted, true);
  const resumed = await train({ resume: halves });
  for (const [name, p] of straight.model.params) assert.deepEqual(resumed.model.params.get(name)!.data, p.data, name);
});

test('a phase with a learning rate of its own is a warm restart at that rate; an instruct stage of 0 final steps ends on its last phase; a finished run given more phases resumes into them as if trained at once', async () => {
  const all = { dimensions: [...DIMENSIONS], formats: [...FORMATS] };
  const first = [{ ...all, steps: 2 }];
  const polish = [{ dimensions: ['perception' as const], steps: 2, formats: ['yes_no' as const], lr: 1e-3 }, { ...all, steps: 2, lr: 1e-3 }];
  const settings = (out: string, curriculum: CurriculumPhase[]) => base(out, 2, { stages: { ...base(out, 2).stages, instruct: { steps: 0, lr: 3e-3, batchSize: 8, curriculum } } });
  const out = path.join(root, 'polish');
  const straight = await train(settings(out, [...first, ...polish]));
  const log = (await fs.readFile(path.join(out, 'instruct', 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(log.map((l) => l.stage), ['curriculum all', 'curriculum all', 'curriculum perception', 'curriculum perception', 'curriculum all', 'curriculum all']);
  // A 2-step phase warms up in one step and starts its cosine at the peak: each phase at its own.
  assert.deepEqual(log.map((l) => l.lr), [3e-3, 3e-3, 1e-3, 1e-3, 1e-3, 1e-3]);

  // The same stages written by hand: a phase of every dimension and format is the final steps on everything.
  const dataset = openDataset(data);
  const aligned = await loadVideoLM(path.join(out, 'align', 'checkpoint'));
  const trainable = (n: string) => n.startsWith('visual.merger.') || n.startsWith('model.') || n.startsWith('lm_head.');
  const phase = (name: string, peakLr: number, filter?: (q: { dimension: string; format: string }) => boolean) =>
    ({ name, steps: 2, peakLr, warmupSteps: 1, trainable, objective: (m: typeof aligned) => new VideoQuestions(new TrainingData(dataset, m, 'train', 1, filter)) });
  const byHand = await runTraining(aligned, {
    runDir: path.join(root, 'polish-by-hand'), batchSize: 8, weightDecay: 0.01, maxGradNorm: 1, checkpointEvery: 1000, seed: 1,
    stages: [phase('instruct', 3e-3), phase('perception yes/no', 1e-3, (q) => q.dimension === 'perception' && q.format === 'yes_no'), phase('instruct', 1e-3)],
  });
  for (const [name, p] of straight.model.params) assert.deepEqual(byHand.model.params.get(name)!.data, p.data, name);

  // A finished pipeline whose instruct run.json is given the polish phases resumes into them.
  const extended = path.join(root, 'polish-extended');
  await train(settings(extended, first));
  const runFile = path.join(extended, 'instruct', 'run.json');
  await fs.writeFile(runFile, JSON.stringify({ ...JSON.parse(await fs.readFile(runFile, 'utf8')), curriculum: [...first, ...polish] }));
  const resumed = await train({ resume: path.join(extended, 'instruct') });
  for (const [name, p] of straight.model.params) assert.deepEqual(resumed.model.params.get(name)!.data, p.data, name);
  assert.deepEqual((await fs.readFile(path.join(extended, 'instruct', 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).loss), log.map((l) => l.loss));
});

test('a phase that trains all moves the ViT in that phase alone, as the same phases written by hand, and as a finished run resumed with the phase appended and instructTrainable all', async () => {
  const all = { dimensions: [...DIMENSIONS], formats: [...FORMATS] };
  const first = [{ ...all, steps: 2 }];
  const last = { ...all, steps: 2, lr: 1e-3 };
  const settings = (out: string, curriculum: CurriculumPhase[], instructTrainable: 'decoder' | 'all' = 'decoder') =>
    base(out, 2, { instructTrainable, stages: { ...base(out, 2).stages, instruct: { steps: 0, lr: 3e-3, batchSize: 8, curriculum } } });
  const out = path.join(root, 'vit-phase');
  const straight = await train(settings(out, [...first, { ...last, trainable: 'all' }]));
  const aligned = await loadVideoLM(path.join(out, 'align', 'checkpoint'));
  const vitNames = [...aligned.params.keys()].filter((n) => n.startsWith('visual.') && !isMerger(n));
  assert.ok(vitNames.length > 0 && ![...aligned.params.keys()].some(isVisionHead), 'the vision heads stay with the vision stage');
  const moved = (a: VideoLM, b: VideoLM) => vitNames.filter((n) => a.params.get(n)!.data.some((v, i) => v !== b.params.get(n)!.data[i]));
  assert.deepEqual(moved(straight.model, aligned), vitNames, 'every ViT weight moves');

  const dataset = openDataset(data);
  const decoderOnly = (n: string) => n.startsWith('visual.merger.') || n.startsWith('model.') || n.startsWith('lm_head.');
  const phase = (peakLr: number, trainable: (n: string) => boolean) =>
    ({ name: 'phase', steps: 2, peakLr, warmupSteps: 1, trainable, objective: (m: typeof aligned) => new VideoQuestions(new TrainingData(dataset, m, 'train', 1)) });
  const byHand = await runTraining(aligned, {
    runDir: path.join(root, 'vit-phase-by-hand'), batchSize: 8, weightDecay: 0.01, maxGradNorm: 1, checkpointEvery: 1000, seed: 1,
    stages: [phase(3e-3, decoderOnly), phase(1e-3, (n) => !isVisionHead(n))],
  });
  for (const [name, p] of straight.model.params) assert.deepEqual(byHand.model.params.get(name)!.data, p.data, name);

  const extended = path.join(root, 'vit-phase-extended');
  const before = await train(settings(extended, first));
  assert.deepEqual(moved(before.model, await loadVideoLM(path.join(extended, 'align', 'checkpoint'))), [], 'a decoder phase leaves the ViT as it was');
  const runFile = path.join(extended, 'instruct', 'run.json');
  await fs.writeFile(runFile, JSON.stringify({ ...JSON.parse(await fs.readFile(runFile, 'utf8')), instructTrainable: 'all', curriculum: [...first, last] }));
  const resumed = await train({ resume: path.join(extended, 'instruct') });
  for (const [name, p] of straight.model.params) assert.deepEqual(resumed.model.params.get(name)!.data, p.data, name);
});

test('balanceDimensions trains every curriculum phase and the final steps with equal shares per dimension, as the same stages written by hand', async () => {
  const formats = ['yes_no', 'caption_matching'] as const;
  const curriculum = [{ dimensions: ['perception' as const, 'order' as const], steps: 2 }];
  const out = path.join(root, 'balanced-curriculum');
  const straight = await train(base(out, 2, { stages: { ...base(out, 2).stages, instruct: { steps: 2, lr: 3e-3, batchSize: 8, perceptionFormats: [...formats], curriculum, balanceDimensions: true } } }));
  assert.equal(JSON.parse(await fs.readFile(path.join(out, 'instruct', 'run.json'), 'utf8')).balanceDimensions, true);

  const dataset = openDataset(data);
  const aligned = await loadVideoLM(path.join(out, 'align', 'checkpoint'));
  const trainable = (n: string) => n.startsWith('visual.merger.') || n.startsWith('model.') || n.startsWith('lm_head.');
  const byDimension = (q: { dimension: string }) => q.dimension;
  const phase = (name: string, filter?: (q: { dimension: string; format: string }) => boolean) =>
    ({ name, steps: 2, peakLr: 3e-3, warmupSteps: 1, trainable, objective: (m: typeof aligned) => new VideoQuestions(new TrainingData(dataset, m, 'train', 1, filter, byDimension)) });
  const inPhase = (q: { dimension: string; format: string }) => ['perception', 'order'].includes(q.dimension) && (formats as readonly string[]).includes(q.format);
  const byHand = await runTraining(aligned, {
    runDir: path.join(root, 'balanced-curriculum-by-hand'), batchSize: 8, weightDecay: 0.01, maxGradNorm: 1, checkpointEvery: 1000, seed: 1,
    stages: [phase('curriculum perception+order', inPhase), phase('instruct')],
  });
  for (const [name, p] of straight.model.params) assert.deepEqual(byHand.model.params.get(name)!.data, p.data, name);
});

test('each stage learns its own objective on the tiny preset: vision heads, language model, alignment, instruction tuning', async () => {
  const out = path.join(root, 'learns');
  await train(base(out, 60, {}, 1e-2));
  const losses = async (stage: string) => (await fs.readFile(path.join(out, stage, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).loss as number);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [stage, below] of [['vision', 2.0], ['language', 2.0], ['align', 1.5], ['instruct', 1.5]] as const) {
    const l = await losses(stage);
    const end = mean(l.slice(-10));
    console.log(stage, mean(l.slice(0, 5)).toFixed(3), end.toFixed(3));
    assert.ok(end < mean(l.slice(0, 5)) && end < below, `${stage}: loss ${mean(l.slice(0, 5)).toFixed(3)} → ${end.toFixed(3)} (must fall below ${below})`);
  }
  // The image-pretrained ViT makes the subject's colour linearly readable from the video embeddings.
  const dataset = openDataset(data);
  const vision = await loadVideoLM(path.join(out, 'vision', 'checkpoint'));
  const d = await embeddingDiagnostics(vision, dataset, { fitClips: 24, scoreClips: 24, scoreSplit: 'train' });
  assert.ok(d.probe.colour > 1 / 6 + 0.15, `colour probe ${d.probe.colour}`);
});

test('train classify: the ViT ± STA with a linear head over the 26 outcomes, evaluated with pair accuracy', async () => {
  const visionRun = path.join(root, 'classify-vision');
  await train({ kind: 'vision', preset: 'tiny', data, out: visionRun, steps: 4, lr: 3e-3, warmupSteps: 1, seed: 1, batchSize: 4, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1 });
  for (const sta of [true, false]) {
    const out = path.join(root, `classify-${sta}`);
    const result = await train({ kind: 'classify', from: visionRun, sta, data, out, steps: 6, lr: 3e-3, seed: 1, batchSize: 4, checkpointEvery: 1000, weightDecay: 0.01, maxGradNorm: 1 });
    assert.equal([...result.model.params.keys()].some(isTemporalAttention), sta);
    const evaluation = await evaluateClassifierRun(out, 'train');
    assert.equal(evaluation.accuracy.n, 24);
    assert.equal(evaluation.pairAccuracy.n, 12);
    assert.ok(evaluation.accuracy.mean >= 0 && evaluation.accuracy.mean <= 1);
  }
});

test('a NaN loss stops the run with a clear message and keeps the last good checkpoint', async () => {
  const out = path.join(root, 'nan');
  await assert.rejects(train(base(out, 40, { checkpointEvery: 1, maxGradNorm: 0 }, 1e9)), /training diverged at step \d+ of vision \(loss .*, gradient norm .*\); the last good checkpoint \(step \d+\) is in .*checkpoint/);
  const state = JSON.parse(await fs.readFile(path.join(out, 'vision', 'checkpoint', 'trainer_state.json'), 'utf8'));
  assert.ok(state.step >= 1);
});

test('train base --vision-data: the vision stage trains on its own clips, the later stages on --data', async () => {
  const visionData = path.join(root, 'vision-data');
  await synthesizeDataset(visionData, { train: 12, val: 2, test: 2, frames: 4, size: 16, seed: 9 });
  const out = path.join(root, 'vision-data-base');
  await train(base(out, 2, { visionData }));
  const ran = async (stage: string) => JSON.parse(await fs.readFile(path.join(out, stage, 'run.json'), 'utf8')).data;
  assert.equal(await ran('vision'), visionData);
  for (const stage of ['language', 'align', 'instruct']) assert.equal(await ran(stage), data);
  const identity = async (dir: string) => JSON.parse(await fs.readFile(path.join(dir, 'dataset.json'), 'utf8'));
  assert.notDeepEqual(await identity(path.join(out, 'vision')), await identity(path.join(out, 'language')), 'each stage records the data it trained on');
  await assert.rejects(train(base(path.join(root, 'no-vision-data'), 2, { visionData: path.join(root, 'missing') })), /missing/);
  assert.equal(existsSync(path.join(root, 'no-vision-data')), false, 'a failed start leaves nothing');
});
