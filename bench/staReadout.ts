import * as path from 'node:path';
import { openDataset, type Dataset, type Question } from '../src/data/index.js';
import { warmupCosine } from '../src/engine/schedule.js';
import { compileTrainStep } from '../src/engine/trainStep.js';
import { addTemporalAttention } from '../src/models/addTemporalAttention.js';
import { loadVideoLM, saveVideoLM } from '../src/models/checkpoint.js';
import { VideoQuestions } from '../src/train/objectives.js';
import { isDecoder, isMerger, isTemporalAttention, isVisionLayerNorm, resolveModelDir, warmupSteps } from '../src/train/recipes.js';
import { SHIPPED_BASE } from '../src/train/pretrainedBase.js';
import { BatchSchedule } from '../src/train/batches.js';
import { statesFirstOutcome } from '../src/train/symmetryBreaking.js';
import { balancedSlots, TrainingData } from '../src/train/trainingData.js';
import { firstTokenScorer } from './firstTokenScorer.js';

/**
 * Does time in the video tokens' content let the decoder learn temporal questions, and does breaking
 * the questions' symmetry first? From one base, two arms train merger + decoder (+ the vision
 * LayerNorms) on the temporal and perception questions of READOUT_FORMATS, every dimension with an
 * equal share: one with zero-initialised STA added to every vision block and trained with them (STA
 * can write each patch's past and future into its token), one without.
 *
 * A balanced temporal yes/no question is an exclusive or: the answer flips with the video and with
 * the outcome the question states, so neither alone predicts it and gradient descent from a decoder
 * that reads neither sits on a plateau. With READOUT_BIASED_STEPS = N, the first N steps train only
 * the temporal questions whose stated outcome is the phenomenon's first one (yes/no: "does it move
 * from left to right?"; caption matching: that caption listed first) — there the answer is a
 * function of the video alone, a readout with a first-order gradient, as a biased distribution
 * breaks an exclusive or's symmetry — then everything.
 *
 * Every READOUT_EVERY steps, questions of the scoring data's validation split (never test) are
 * scored by the teacher-forced argmax: yes/no and caption matching by the first answer token,
 * captioning (when trained) by its temporal slot, per format and dimension, and the temporal yes/no
 * and caption-matching questions that state outcome 0 apart ("stating outcome 0": what a model that
 * reads the video but not the question's outcome gets right; on all of them it gets 50 %).
 *
 * Knobs (environment): READOUT_DATA (training data; required), READOUT_SCORE_DATA (data whose val
 * split is scored; default READOUT_DATA), READOUT_BASE (default the shipped base), READOUT_ARMS
 * (sta,none), READOUT_FORMATS (the formats trained: yes_no,caption_matching, may add captioning;
 * perception is trained in yes/no and caption matching only, whose answer is the colour the ViT sees),
 * READOUT_BIASED_STEPS (0), READOUT_STEPS (3000, biased ones included), READOUT_BATCH (32),
 * READOUT_LR (2e-3, warmup 5 % + cosine), READOUT_EVERY (500), READOUT_SCORED (val questions per
 * format and dimension, at most; 50), READOUT_SEED (data order and STA init; 0), READOUT_OUT (a
 * directory: each arm's final model is saved in OUT/<arm>, for `tempolab eval`). Run one arm per
 * process to use both cores.
 */
const env = (name: string, fallback?: string) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};
const DATA = env('READOUT_DATA');
const SCORE_DATA = env('READOUT_SCORE_DATA', DATA);
const BASE = env('READOUT_BASE', SHIPPED_BASE);
const ARMS = env('READOUT_ARMS', 'sta,none').split(',');
const STEPS = Number(env('READOUT_STEPS', '3000'));
const BATCH = Number(env('READOUT_BATCH', '32'));
const LR = Number(env('READOUT_LR', '2e-3'));
const EVERY = Number(env('READOUT_EVERY', '500'));
const SCORED = Number(env('READOUT_SCORED', '50'));
const SEED = Number(env('READOUT_SEED', '0'));
const OUT = process.env.READOUT_OUT;
const BIASED_STEPS = Number(env('READOUT_BIASED_STEPS', '0'));
const TRAINED_FORMATS = env('READOUT_FORMATS', 'yes_no,caption_matching').split(',');
const PERCEPTION_FORMATS = ['yes_no', 'caption_matching'];

const trained = (q: Question) => TRAINED_FORMATS.includes(q.format) && (q.dimension !== 'perception' || PERCEPTION_FORMATS.includes(q.format));

/** Up to SCORED questions of each trained format × dimension, spread over the split. */
function scoredQuestions(dataset: Dataset): Question[] {
  const groups = new Map<string, Question[]>();
  for (const q of dataset.questions('val').filter(trained)) {
    const key = `${q.format} ${q.dimension}`;
    const group = groups.get(key);
    if (group) group.push(q);
    else groups.set(key, [q]);
  }
  return [...groups.values()].flatMap((g) => Array.from({ length: Math.min(SCORED, g.length) }, (_, i) => g[Math.floor((i * g.length) / Math.min(SCORED, g.length))]!));
}

const dataset = openDataset(DATA);
const scoreSet = openDataset(SCORE_DATA);
const tested = scoredQuestions(scoreSet);
const dimensions = [...new Set(tested.map((q) => q.dimension))];
const scoredKeys = [...new Set(tested.map((q) => (q.format === 'captioning' ? 'captioning direction' : q.format)))];
const reportedGroups = [...dimensions, 'stating outcome 0'];
const started = performance.now();
for (const arm of ARMS) {
  const base = await loadVideoLM(resolveModelDir(BASE));
  const model = arm === 'sta' ? addTemporalAttention(base, { seed: SEED + 1 }) : base;
  const trainable = (n: string) => isMerger(n) || isDecoder(n) || isVisionLayerNorm(n) || isTemporalAttention(n);
  const data = new TrainingData(dataset, model, 'train', SEED, trained, (q) => q.dimension);
  const objective = new VideoQuestions(data);
  const biased = data.questions.flatMap((q, i) => (statesFirstOutcome(dataset, q) ? [i] : []));
  const biasedSlots = balancedSlots(biased.map((i) => data.questions[i]!), (q) => q.dimension).map((k) => biased[k]!);
  const biasedSchedule = new BatchSchedule(biasedSlots.length, SEED);
  if (BIASED_STEPS) console.log(`${arm}: biased phase on ${biased.length} of ${data.questions.length} training questions for ${BIASED_STEPS} steps`);
  const batchAt = (i: number) => (i < BIASED_STEPS ? objective.batchOf(model, biasedSchedule.indices(i, BATCH).map((k) => biasedSlots[k]!)) : objective.batch(model, i, BATCH));
  const step = await compileTrainStep(objective.graph(model, BATCH), { trainable, weightDecay: 0.01, maxGradNorm: 1 });
  const state = step.initState();
  // The symmetric-broken side of the scored questions: what the biased phase alone can get right.
  const statedFirst = (q: Question) => (q.dimension !== 'perception' && q.format !== 'captioning' && statesFirstOutcome(scoreSet, q) ? 'stating outcome 0' : undefined);
  const score = await firstTokenScorer(model, new VideoQuestions(new TrainingData(scoreSet, model, tested, 0)), undefined, statedFirst);
  const schedule = { peak: LR, warmupSteps: warmupSteps(STEPS), totalSteps: STEPS };
  let losses: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    losses.push((await step.run(model.params, state, batchAt(i).feeds, warmupCosine(schedule, i))).loss);
    if ((i + 1) % EVERY !== 0 && i + 1 !== STEPS) continue;
    const scores = await score();
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    losses = [];
    const cells = scoredKeys.map((f) => `${f} ${scores.get(f)!.toFixed(1)} (${reportedGroups.filter((d) => scores.has(`${f} ${d}`)).map((d) => `${d} ${scores.get(`${f} ${d}`)!.toFixed(0)}`).join(', ')})`);
    console.log(`| ${arm} | ${i + 1}${i < BIASED_STEPS ? ' (biased)' : ''} | ${mean.toFixed(3)} | ${cells.join(' | ')} | ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  if (OUT) await saveVideoLM(model, path.join(OUT, arm));
}
