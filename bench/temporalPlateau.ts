import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openDataset, synthesizeDataset, type Dataset, type Question } from '../src/data/index.js';
import type { Feed } from '../src/engine/runtime.js';
import { warmupCosine } from '../src/engine/schedule.js';
import { compileTrainStep } from '../src/engine/trainStep.js';
import { loadVideoLM } from '../src/models/checkpoint.js';
import type { VideoLM } from '../src/models/videoLM.js';
import { SceneQuestions } from '../src/train/objectives.js';
import { DEFAULT_BASE_STAGES, isDecoder, train, warmupSteps } from '../src/train/recipes.js';
import { TrainingData } from '../src/train/trainingData.js';
import { firstTokenScorer } from './firstTokenScorer.js';

/**
 * Can the decoder learn to answer temporal questions when it sees perfectly — and is reading the
 * order of the video tokens what stops it?
 *
 * Every video token is replaced by the bag of the colour and shape words of the objects it shows
 * (scene tokens: perfect perception, no pixels), and a decoder pretrained on the benchmark's text
 * (the base's language stage) is trained on the temporal questions alone. In Qwen2-VL the only
 * thing that tells a video token's time is its M-RoPE position. The `time words` condition adds one
 * more word to every bag, a different one per temporal group, so time is also in the tokens'
 * content: if order-reading through M-RoPE were the obstacle, that condition would learn and the
 * other would not. Every TEMPORAL_EVERY steps, yes/no and caption-matching test questions are scored
 * by the first answer token (teacher-forced argmax), overall and per dimension.
 *
 * Knobs (environment): TEMPORAL_CLIPS (training clips; default 20000), TEMPORAL_SEEDS (data-order
 * seeds; 0), TEMPORAL_TIME_WORDS (conditions; off,on), TEMPORAL_DIMENSIONS (the temporal dimensions
 * trained and scored; all five), TEMPORAL_STEPS (3000), TEMPORAL_BATCH (32),
 * TEMPORAL_LR (peak, warmup 5 % + cosine; 2e-3), TEMPORAL_EVERY (1000), TEMPORAL_TEST_CLIPS (2000),
 * TEMPORAL_SCORED (test questions per format, at most; 600). The defaults take about 50 min on 2 cores; README cites its table.
 */
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const CLIPS = Number(env('TEMPORAL_CLIPS', '20000'));
const SEEDS = env('TEMPORAL_SEEDS', '0').split(',').map(Number);
const CONDITIONS = env('TEMPORAL_TIME_WORDS', 'off,on').split(',').map((c) => c === 'on');
const STEPS = Number(env('TEMPORAL_STEPS', '3000'));
const BATCH = Number(env('TEMPORAL_BATCH', '32'));
const LR = Number(env('TEMPORAL_LR', '2e-3'));
const EVERY = Number(env('TEMPORAL_EVERY', '1000'));
const SCORED = Number(env('TEMPORAL_SCORED', '600'));
const TEST_CLIPS = Number(env('TEMPORAL_TEST_CLIPS', '2000'));
const DIMENSIONS = env('TEMPORAL_DIMENSIONS', 'direction,speed,order,attribute_change,action').split(',');
const SCORED_FORMATS = ['yes_no', 'caption_matching'] as const;
/** One word per temporal group: bags hold vocabulary words; which four does not matter, only that each group has its own. */
const TIME_WORDS = ['first', 'forth', 'back', 'way'];

const temporal = (dataset: Dataset, split: 'train' | 'test') => dataset.questions(split).filter((q) => DIMENSIONS.includes(q.dimension));
// A clip's questions sit together; a stride prime to the count mixes clips and dimensions.
const spread = (qs: Question[], n: number) => Array.from({ length: Math.min(n, qs.length) }, (_, i) => qs[(i * 7919) % qs.length]!);

/** The scene bags with one time word added to each video token: its temporal group's. */
function withTimeWords(feeds: Record<string, Feed>, model: VideoLM, dataset: Dataset): Record<string, Feed> {
  const vision = model.config.vision_config;
  const { frames, height, width } = dataset.manifest;
  const groups = frames / vision.temporal_patch_size;
  const tokensPerGroup = (height / vision.patch_size) * (width / vision.patch_size) / vision.spatial_merge_size ** 2;
  if (groups > TIME_WORDS.length) throw new Error(`${groups} temporal groups but only ${TIME_WORDS.length} time words`);
  const ids = TIME_WORDS.map((w) => {
    const id = model.tokenizer!.tokenToId(w);
    if (id === undefined) throw new Error(`time word '${w}' is not in the model's vocabulary`);
    return id;
  });
  const vocab = model.config.vocab_size;
  const bags = Float32Array.from(feeds.scene_bags as Float32Array);
  for (let row = 0; row < bags.length / vocab; row++) bags[row * vocab + ids[Math.floor((row % (groups * tokensPerGroup)) / tokensPerGroup)]!] += 1;
  return { ...feeds, scene_bags: bags };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'tempolab-bench-temporal-'));
try {
  const dataDir = path.join(dir, 'data');
  await synthesizeDataset(dataDir, { train: CLIPS, val: 0, test: TEST_CLIPS, seed: 0 });
  const dataset = openDataset(dataDir);
  const common = { data: dataDir, seed: 0, checkpointEvery: 100_000, weightDecay: 0.01, maxGradNorm: 1 };
  // The vision stage only makes the model (scene tokens bypass the ViT); the language stage is the base's.
  await train({ ...common, kind: 'vision', preset: 'small', out: path.join(dir, 'vision'), steps: 1, lr: 2e-3, warmupSteps: 1, batchSize: 8 });
  const language = DEFAULT_BASE_STAGES.language;
  await train({ ...common, kind: 'language', from: path.join(dir, 'vision'), out: path.join(dir, 'language'), steps: language.steps, lr: language.lr, warmupSteps: warmupSteps(language.scheduleSteps ?? language.steps), batchSize: language.batchSize, ...(language.scheduleSteps ? { scheduleSteps: language.scheduleSteps } : {}), ...(language.described ? { described: true } : {}) });
  if (!temporal(dataset, 'train').length) throw new Error(`no training questions of dimension ${DIMENSIONS.join(', ')}`);
  console.log(`scene tokens, decoder only, ${DIMENSIONS.join(', ')} questions of ${CLIPS} clips: ${STEPS} steps, batch ${BATCH}, lr ${LR}`);

  const tested = SCORED_FORMATS.flatMap((f) => spread(temporal(dataset, 'test').filter((q) => q.format === f), SCORED));
  const dimensions = [...new Set(tested.map((q) => q.dimension))].sort();
  const rows: string[][] = [];
  const started = performance.now();
  for (const timeWords of CONDITIONS) {
    for (const seed of SEEDS) {
      const model = await loadVideoLM(path.join(dir, 'language', 'checkpoint'));
      const objective = new SceneQuestions(new TrainingData(dataset, model, temporal(dataset, 'train'), seed));
      const step = await compileTrainStep(objective.graph(model, BATCH), { trainable: isDecoder, weightDecay: 0.01, maxGradNorm: 1 });
      const state = step.initState();
      const score = await firstTokenScorer(model, new SceneQuestions(new TrainingData(dataset, model, tested, 0)), timeWords ? (feeds) => withTimeWords(feeds, model, dataset) : undefined);
      const schedule = { peak: LR, warmupSteps: warmupSteps(STEPS), totalSteps: STEPS };
      let losses: number[] = [];
      for (let i = 0; i < STEPS; i++) {
        let feeds: Record<string, Feed> = objective.batch(model, i, BATCH).feeds;
        if (timeWords) feeds = withTimeWords(feeds, model, dataset);
        losses.push((await step.run(model.params, state, feeds, warmupCosine(schedule, i))).loss);
        if ((i + 1) % EVERY !== 0 && i + 1 !== STEPS) continue;
        const scores = await score();
        const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
        const perDimension = SCORED_FORMATS.map((f) => dimensions.map((d) => scores.get(`${f} ${d}`)!.toFixed(0)).join(' / '));
        rows.push([timeWords ? 'on' : 'off', String(seed), String(i + 1), mean.toFixed(3), ...SCORED_FORMATS.map((f) => scores.get(f)!.toFixed(1)), ...perDimension]);
        losses = [];
        console.log(`${rows.at(-1)!.join(' | ')} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    }
  }
  const header = ['time words', 'seed', 'step', 'train loss (since last row)', 'yes/no %', 'caption matching %', `yes/no by dimension (${dimensions.join(' / ')})`, 'caption matching by dimension'];
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  const halfWidth = (n: number) => (100 * 1.96 * 0.5) / Math.sqrt(n);
  const perFormat = tested.length / SCORED_FORMATS.length;
  console.log(`\nchance 50 in both formats; ${perFormat} test questions per format (95% half-width at chance ±${halfWidth(perFormat).toFixed(0)} points overall, ±${halfWidth(perFormat / dimensions.length).toFixed(0)} per dimension)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
