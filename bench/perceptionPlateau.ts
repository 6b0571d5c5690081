import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openDataset, synthesizeDataset, type Dataset, type Format, type Question } from '../src/data/index.js';
import { answerQuestions } from '../src/eval/answer.js';
import { scorePredictions } from '../src/eval/score.js';
import { warmupCosine } from '../src/engine/schedule.js';
import { compileTrainStep } from '../src/engine/trainStep.js';
import { loadVideoLM } from '../src/models/checkpoint.js';
import { VideoQuestions } from '../src/train/objectives.js';
import { isDecoder, isMerger, train, warmupSteps } from '../src/train/recipes.js';
import { TrainingData } from '../src/train/trainingData.js';

/**
 * How long does the perception plateau last, and how reliably is it crossed?
 *
 * The base's instruct stage has to teach the decoder to bind a question's words to the video
 * tokens ("is there a yellow diamond?"). The loss sits on a plateau first (the balanced answers are
 * independent of the question alone and of the video alone), then, sometimes, drops through it.
 * This bench measures when: the ViT is pretrained on images (the vision stage) and frozen, merger +
 * decoder are trained from scratch on the perception questions alone, and every PLATEAU_EVERY steps
 * greedy answers to test questions are scored per format — for each training-set size and seed.
 *
 * Knobs (environment): PLATEAU_CLIPS (training clips per data set, comma-separated; default
 * 2000,20000), PLATEAU_SEEDS (data-order seeds; 0,1), PLATEAU_STEPS (2500), PLATEAU_BATCH (32),
 * PLATEAU_LR (peak, warmup 5 % + cosine; 2e-3), PLATEAU_EVERY (500), PLATEAU_FORMATS (the formats
 * trained on; all four), PLATEAU_VISION_STEPS (300), PLATEAU_SCORED (test questions per format; 100).
 * The defaults take about 2 h on 2 cores; README cites its table.
 */
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const numbers = (name: string, fallback: string) => env(name, fallback).split(',').map(Number);
const CLIPS = numbers('PLATEAU_CLIPS', '2000,20000');
const SEEDS = numbers('PLATEAU_SEEDS', '0,1');
const STEPS = Number(env('PLATEAU_STEPS', '2500'));
const BATCH = Number(env('PLATEAU_BATCH', '32'));
const LR = Number(env('PLATEAU_LR', '2e-3'));
const EVERY = Number(env('PLATEAU_EVERY', '500'));
const VISION_STEPS = Number(env('PLATEAU_VISION_STEPS', '300'));
const SCORED = Number(env('PLATEAU_SCORED', '100'));
const FORMATS: Format[] = ['yes_no', 'caption_matching', 'multi_choice', 'captioning'];
const TRAINED = env('PLATEAU_FORMATS', FORMATS.join(',')).split(',') as Format[];

const perception = (dataset: Dataset, split: 'train' | 'test') => dataset.questions(split).filter((q) => q.dimension === 'perception');
// A clip's four questions sit together; a stride prime to the count mixes clips and formats.
const spread = (qs: Question[], n: number) => Array.from({ length: Math.min(n, qs.length) }, (_, i) => qs[(i * 7919) % qs.length]!);

const dir = mkdtempSync(path.join(os.tmpdir(), 'tempolab-bench-plateau-'));
try {
  const datasets = new Map<number, Dataset>();
  for (const clips of CLIPS) {
    await synthesizeDataset(path.join(dir, `data-${clips}`), { train: clips, val: 0, test: 400, seed: 0 });
    datasets.set(clips, openDataset(path.join(dir, `data-${clips}`)));
  }
  const common = { seed: 0, batchSize: 8, checkpointEvery: 100_000, weightDecay: 0.01, maxGradNorm: 1 };
  await train({ ...common, data: path.join(dir, `data-${CLIPS[0]}`), kind: 'vision', preset: 'small', out: path.join(dir, 'vision'), steps: VISION_STEPS, lr: 2e-3, warmupSteps: 15 });
  console.log(`vision stage: ${VISION_STEPS} steps; merger + decoder on perception questions (${TRAINED.join(', ')}): ${STEPS} steps, batch ${BATCH}, lr ${LR}`);

  const rows: string[][] = [];
  const started = performance.now();
  for (const clips of CLIPS) {
    const dataset = datasets.get(clips)!;
    const tested = FORMATS.map((f) => spread(perception(dataset, 'test').filter((q) => q.format === f), SCORED));
    for (const seed of SEEDS) {
      const model = await loadVideoLM(path.join(dir, 'vision', 'checkpoint'));
      const objective = new VideoQuestions(new TrainingData(dataset, model, perception(dataset, 'train').filter((q) => TRAINED.includes(q.format)), seed));
      const step = await compileTrainStep(objective.graph(model, BATCH), { trainable: (n) => isMerger(n) || isDecoder(n), weightDecay: 0.01, maxGradNorm: 1 });
      const state = step.initState();
      const schedule = { peak: LR, warmupSteps: warmupSteps(STEPS), totalSteps: STEPS };
      let losses: number[] = [];
      for (let i = 0; i < STEPS; i++) {
        const { loss } = await step.run(model.params, state, objective.batch(model, i, BATCH).feeds, warmupCosine(schedule, i));
        losses.push(loss);
        if ((i + 1) % EVERY !== 0 && i + 1 !== STEPS) continue;
        const scores = [];
        for (const qs of tested) {
          const scored = scorePredictions(qs, await answerQuestions(model, dataset, qs));
          scores.push((100 * scored.filter((a) => a.correct).length / scored.length).toFixed(1));
        }
        const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
        rows.push([String(clips), String(seed), String(i + 1), mean.toFixed(3), ...scores]);
        losses = [];
        console.log(`${rows.at(-1)!.join(' | ')} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    }
  }
  const header = ['training clips', 'seed', 'step', 'train loss (since last row)', ...FORMATS.map((f) => `${f} %`)];
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log(`\nchance: yes/no 50, caption matching 50, multi-choice 33, captioning ≈ 25 (shape named right); ${SCORED} test questions per format (±10 points)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
