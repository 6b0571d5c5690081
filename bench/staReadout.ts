import { openDataset, type Dataset, type Question } from '../src/data/index.js';
import { compile, type Feed } from '../src/engine/runtime.js';
import { warmupCosine } from '../src/engine/schedule.js';
import { compileTrainStep } from '../src/engine/trainStep.js';
import { addTemporalAttention } from '../src/models/addTemporalAttention.js';
import { loadVideoLM } from '../src/models/checkpoint.js';
import type { VideoLM } from '../src/models/videoLM.js';
import { VideoQuestions } from '../src/train/objectives.js';
import { isDecoder, isMerger, isTemporalAttention, isVisionLayerNorm, resolveModelDir } from '../src/train/recipes.js';
import { SHIPPED_BASE } from '../src/train/pretrainedBase.js';
import { TrainingData } from '../src/train/trainingData.js';

/**
 * Does time in the video tokens' content let the decoder learn temporal questions? From one base,
 * two arms train merger + decoder (+ the vision LayerNorms) on the temporal and perception questions
 * in yes/no and caption matching (READOUT_FORMATS), every dimension with an equal share: one with zero-initialised STA
 * added to every vision block and trained with them (STA can write each patch's past and future
 * into its token), one without. Every READOUT_EVERY steps, questions of the scoring data's
 * validation split (never test) are scored by the first answer token (teacher-forced argmax), per
 * format and dimension.
 *
 * Knobs (environment): READOUT_DATA (training data; required), READOUT_SCORE_DATA (data whose val
 * split is scored; default READOUT_DATA), READOUT_BASE (default the shipped base), READOUT_ARMS
 * (sta,none), READOUT_FORMATS (the formats trained; yes_no,caption_matching — the two scored), READOUT_STEPS (3000), READOUT_BATCH (32), READOUT_LR (2e-3, warmup 5 % + cosine),
 * READOUT_EVERY (500), READOUT_SCORED (val questions per format and dimension, at most; 50),
 * READOUT_SEED (data order and STA init; 0). Run one arm per process to use both cores.
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
const FORMATS = ['yes_no', 'caption_matching'] as const;
const TRAINED_FORMATS = env('READOUT_FORMATS', FORMATS.join(',')).split(',');
const EVAL_BATCH = 16;

const inFormats = (q: Question) => (FORMATS as readonly string[]).includes(q.format);
// Perception stays in the scored formats: its multi-choice and captioning answers name the shape the ViT barely sees.
const trained = (q: Question) => TRAINED_FORMATS.includes(q.format) && (q.dimension !== 'perception' || inFormats(q));

/** Up to SCORED questions of each format × dimension, spread over the split. */
function scoredQuestions(dataset: Dataset): Question[] {
  const groups = new Map<string, Question[]>();
  for (const q of dataset.questions('val').filter(inFormats)) groups.set(`${q.format} ${q.dimension}`, [...(groups.get(`${q.format} ${q.dimension}`) ?? []), q]);
  return [...groups.values()].flatMap((g) => Array.from({ length: Math.min(SCORED, g.length) }, (_, i) => g[Math.floor((i * g.length) / Math.min(SCORED, g.length))]!));
}

/** First-token accuracy of `questions`, per format and per format × dimension, for the model's current parameters. */
async function scorer(model: VideoLM, dataset: Dataset, questions: Question[]): Promise<() => Promise<Map<string, number>>> {
  const data = new TrainingData(dataset, model, questions, 0);
  const objective = new VideoQuestions(data);
  const graph = objective.graph(model, EVAL_BATCH);
  const forward = await compile(graph, { logits: graph.outputs.get('logits')! });
  const vocab = model.config.vocab_size;
  return async () => {
    const tally = new Map<string, [number, number]>();
    const count = (key: string, ok: boolean) => {
      const t = tally.get(key) ?? [0, 0];
      tally.set(key, [t[0] + (ok ? 1 : 0), t[1] + 1]);
    };
    for (let start = 0; start < questions.length; start += EVAL_BATCH) {
      const indices = Array.from({ length: EVAL_BATCH }, (_, k) => Math.min(start + k, questions.length - 1));
      const feeds = objective.batchOf(model, indices).feeds;
      const logits = (await forward.run(new Map<string, Feed>([...Object.entries(feeds), ...[...model.params].map(([k, p]) => [k, p.data] as [string, Feed])]))).logits!.data as Float32Array;
      indices.forEach((i, b) => {
        if (start + b >= questions.length) return;
        const labels = data.encoded[i]!.labels;
        const p = labels.findIndex((l) => l >= 0);
        const row = logits.subarray((b * data.length + p) * vocab, (b * data.length + p + 1) * vocab);
        let best = 0;
        for (let v = 1; v < vocab; v++) if (row[v]! > row[best]!) best = v;
        const q = questions[i]!;
        count(q.format, best === labels[p]);
        count(`${q.format} ${q.dimension}`, best === labels[p]);
      });
    }
    return new Map([...tally].map(([k, [ok, n]]) => [k, (100 * ok) / n]));
  };
}

const dataset = openDataset(DATA);
const scoreSet = openDataset(SCORE_DATA);
const tested = scoredQuestions(scoreSet);
const dimensions = [...new Set(tested.map((q) => q.dimension))];
const started = performance.now();
for (const arm of ARMS) {
  const base = await loadVideoLM(resolveModelDir(BASE));
  const model = arm === 'sta' ? addTemporalAttention(base, { seed: SEED + 1 }) : base;
  const trainable = (n: string) => isMerger(n) || isDecoder(n) || isVisionLayerNorm(n) || isTemporalAttention(n);
  const objective = new VideoQuestions(new TrainingData(dataset, model, 'train', SEED, trained, (q) => q.dimension));
  const step = await compileTrainStep(objective.graph(model, BATCH), { trainable, weightDecay: 0.01, maxGradNorm: 1 });
  const state = step.initState();
  const score = await scorer(model, scoreSet, tested);
  const schedule = { peak: LR, warmupSteps: Math.max(1, Math.round(STEPS * 0.05)), totalSteps: STEPS };
  let losses: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    losses.push((await step.run(model.params, state, objective.batch(model, i, BATCH).feeds, warmupCosine(schedule, i))).loss);
    if ((i + 1) % EVERY !== 0 && i + 1 !== STEPS) continue;
    const scores = await score();
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    losses = [];
    const cells = FORMATS.map((f) => `${f} ${scores.get(f)!.toFixed(1)} (${dimensions.map((d) => `${d} ${scores.get(`${f} ${d}`)!.toFixed(0)}`).join(', ')})`);
    console.log(`| ${arm} | ${i + 1} | ${mean.toFixed(3)} | ${cells.join(' | ')} | ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
}
