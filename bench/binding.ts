import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchmarkVocabulary, COLOUR_NAMES, openDataset, splitWords, synthesizeDataset, type Dataset, type Question, type SceneObject, type Split, type VideoRecord } from '../src/data/index.js';
import { answerQuestions } from '../src/eval/answer.js';
import { compile } from '../src/engine/runtime.js';
import { loadVideoLM } from '../src/models/checkpoint.js';
import type { VideoLM } from '../src/models/videoLM.js';
import { SceneAlignment, SceneQuestions, VideoQuestions, type Objective } from '../src/train/objectives.js';
import { isDecoder, isMerger, isVisionTower, train, warmupSteps } from '../src/train/recipes.js';
import { runTraining } from '../src/train/trainer.js';
import { TrainingData } from '../src/train/trainingData.js';

/**
 * Can the decoder learn to read the video at all, and which kind of question can it learn?
 *
 * The ViT is pretrained on images (the base pipeline's vision stage) and frozen; merger + decoder are
 * trained from scratch on one probe task at a time, on the synthetic clips, and scored on the
 * training and the test clips. The tasks differ in how the answer depends on the inputs:
 *
 * - readout: "what color is the object?" — the answer is a function of the video alone
 *   (first-order: the gradient says "read the colour" from the first step).
 * - colour of a shape: "what colour is the diamond?" — first-order up to choosing between the
 *   objects; on two-object clips reading one colour at random scores 50%, so above 50% is binding.
 * - presence yes/no: "is there a red object in the video?", balanced — the answer is independent of
 *   the video alone and of the question alone (a pure interaction, like every balanced yes/no,
 *   multi-choice and caption-matching question of the benchmark).
 * - presence yes/no, scene in text: the same question after a sentence that names the objects — the
 *   same interaction between two pieces of text, no video needed.
 *
 * The second table asks whether perfect perception helps: the decoder first learns the benchmark's
 * own perception questions (all four formats) with the clip's scene written as words in the video's
 * place (scene tokens), then ViT + merger learn to write those words from pixels (alignment), then
 * merger + decoder are tuned on the video (instruct) — against the same instruct steps from a
 * decoder that never read a scene. Scored by exact answer (teacher-forced argmax for scene words,
 * greedy generation for video: the same test).
 *
 * Every number is measured in one run with one seed; the tables are what README cites.
 * BINDING_PARTS=probes or =scene runs one table.
 */
const STEPS = Number(process.env.BINDING_STEPS ?? 800);
const VISION_STEPS = Number(process.env.BINDING_VISION_STEPS ?? 1500);
const READ_STEPS = Number(process.env.BINDING_READ_STEPS ?? 1500);
const ALIGN_STEPS = Number(process.env.BINDING_ALIGN_STEPS ?? 1500);
const PARTS = (process.env.BINDING_PARTS ?? 'probes,scene').split(',');
const LR = 1e-3;
const SCORED = 300;

interface ProbeQuestion extends Question {
  /** Objects in the clip's first frame (the clip's cast, without distractors). */
  objects: number;
}

const firstFrame = (v: VideoRecord): SceneObject[] => v.scene!.objects[0]!;
const coloursPresent = (v: VideoRecord) => new Set([...firstFrame(v), ...v.scene!.distractors].map((o) => o.colour));
const describe = (v: VideoRecord) => `the video shows ${[...firstFrame(v)].sort((a, b) => a.x - b.x).map((o) => `a ${o.colour} ${o.shape}`).join(' and ')}.`;

/** One probe question per clip (the first member of each opposing pair: partners show the same objects). */
function probeQuestions(dataset: Dataset, split: Split, task: string): ProbeQuestion[] {
  const clips = dataset.videos(split).filter((v) => v.scene && (v.partnerId === null || v.id < v.partnerId));
  return clips.map((v, i) => {
    const objects = firstFrame(v);
    const pick = objects[i % objects.length]!;
    const ask = (question: string, answer: string): ProbeQuestion => ({
      id: `${v.id}-${task}`, videoId: v.id, split, dimension: 'perception', format: 'captioning', partnerId: null, heldOut: false,
      question, answer, objects: objects.length,
    });
    const present = coloursPresent(v);
    const yes = i % 2 === 0;
    const candidates = COLOUR_NAMES.filter((c) => present.has(c) === yes);
    const colour = candidates[(i >> 1) % candidates.length]!;
    const presence = `is there a ${colour} object in the video?`;
    switch (task) {
      case 'readout': return ask('what color is the object?', objects[0]!.colour);
      case 'colour of a shape': return ask(`what color is the ${pick.shape}?`, pick.colour);
      case 'presence yes/no': return ask(presence, yes ? 'yes' : 'no');
      case 'presence yes/no, scene in text': return ask(`${describe(v)} ${presence}`, yes ? 'yes' : 'no');
      default: throw new Error(`unknown task ${task}`);
    }
  });
}

async function accuracy(model: VideoLM, dataset: Dataset, questions: readonly Question[]): Promise<number> {
  const predictions = await answerQuestions(model, dataset, questions);
  return predictions.filter((p, i) => p.prediction.trim() === questions[i]!.answer).length / questions.length;
}

/** Exact answers with scene words in the video's place: every answer token (and the end token) is the argmax. */
async function sceneAccuracy(model: VideoLM, data: TrainingData): Promise<number> {
  const objective = new SceneQuestions(data);
  const batch = 16;
  const graph = objective.graph(model, batch);
  const session = await compile(graph, { logits: graph.outputs.get('logits')! });
  const vocab = model.config.vocab_size;
  let correct = 0;
  let scored = 0;
  for (let start = 0; start + batch <= data.questions.length; start += batch) {
    const indices = Array.from({ length: batch }, (_, k) => start + k);
    const { feeds } = objective.batchOf(model, indices);
    const logits = (await session.run(new Map([...Object.entries(feeds), ...[...model.params].map(([k, p]) => [k, p.data] as const)]))).logits!.data as Float32Array;
    indices.forEach((i, b) => {
      const right = data.encoded[i]!.labels.every((label, s) => {
        if (label < 0) return true;
        const row = logits.subarray((b * data.length + s) * vocab, (b * data.length + s + 1) * vocab);
        return row.indexOf(Math.max(...row)) === label;
      });
      correct += right ? 1 : 0;
      scored++;
    });
  }
  return correct / scored;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'tempolab-bench-binding-'));
try {
  const data = path.join(dir, 'data');
  await synthesizeDataset(data, { train: 2000, val: 0, test: 400, seed: 0 });
  const dataset = openDataset(data);
  const common = { data, seed: 0, batchSize: 8, checkpointEvery: 100_000, weightDecay: 0.01, maxGradNorm: 1 };
  let start = performance.now();
  await train({ ...common, kind: 'vision', preset: 'small', out: path.join(dir, 'vision'), steps: VISION_STEPS, lr: 2e-3, warmupSteps: 15 });
  console.log(`vision stage: ${VISION_STEPS} steps in ${((performance.now() - start) / 1000).toFixed(0)} s; merger + decoder: ${STEPS} steps per task, lr ${LR}, batch 16`);

  if (PARTS.includes('probes')) {
    const vocabulary = new Set(benchmarkVocabulary());
    const rows: string[][] = [];
    for (const task of ['readout', 'colour of a shape', 'presence yes/no', 'presence yes/no, scene in text']) {
      const questions = { train: probeQuestions(dataset, 'train', task), test: probeQuestions(dataset, 'test', task) };
      const unknown = [...new Set(questions.train.flatMap((q) => splitWords(`${q.question} ${q.answer}`)))].filter((w) => !vocabulary.has(w));
      if (unknown.length) throw new Error(`probe words outside the benchmark vocabulary: ${unknown.join(', ')}`);
      const model = await loadVideoLM(path.join(dir, 'vision', 'checkpoint'));
      const examples = new TrainingData(dataset, model, questions.train, 0);
      start = performance.now();
      const losses: number[] = [];
      const result = await runTraining(model, {
        runDir: path.join(dir, task.replace(/\W+/g, '-')), batchSize: 16, weightDecay: 0.01, maxGradNorm: 1, checkpointEvery: 100_000, seed: 0,
        stages: [{ name: task, steps: STEPS, peakLr: LR, warmupSteps: 10, trainable: (n) => isMerger(n) || isDecoder(n), objective: () => new VideoQuestions(examples) }],
        onStep: (p) => losses.push(p.loss),
      });
      const lastLoss = losses.slice(-50).reduce((a, b) => a + b, 0) / 50;
      const scored = (qs: ProbeQuestion[]) => qs.slice(0, SCORED);
      const twoObjects = (qs: ProbeQuestion[]) => scored(qs.filter((q) => q.objects === 2));
      const pct = (x: number) => (100 * x).toFixed(1);
      rows.push([
        task, lastLoss.toFixed(3),
        pct(await accuracy(result.model, dataset, scored(questions.train))), pct(await accuracy(result.model, dataset, scored(questions.test))),
        task === 'colour of a shape' ? pct(await accuracy(result.model, dataset, twoObjects(questions.test))) : '',
        ((performance.now() - start) / 1000).toFixed(0),
      ]);
      console.log(rows.at(-1)!.join(' | '));
    }
    const header = ['task', 'loss (last 50)', 'train %', 'test %', 'test, 2 objects %', 'seconds'];
    console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log('\nchance: readout 1/6; colour of a shape 1/6 (50% on two-object clips by reading one object at random); yes/no 50% (loss ln 2 / 2 = 0.347 per answer token + end token)');
  }

  if (PARTS.includes('scene')) {
    const formats = ['yes_no', 'multi_choice', 'caption_matching', 'captioning'] as const;
    const perception = (split: Split) => dataset.questions(split).filter((q) => q.dimension === 'perception');
    // Every clip's four questions sit together; a stride prime to the count mixes clips and formats.
    const sample = (qs: Question[], n: number) => Array.from({ length: Math.min(n, qs.length) }, (_, i) => qs[(i * 7919) % qs.length]!);
    const byFormat = (qs: Question[], f: string) => qs.filter((q) => q.format === f);
    const testQuestions = sample(perception('test'), 4 * SCORED);
    const pct = (x: number) => (100 * x).toFixed(1);
    const stage = async (model: VideoLM, name: string, steps: number, lr: number, batchSize: number, trainable: (n: string) => boolean, objective: (m: VideoLM) => Objective) => {
      const started = performance.now();
      const result = await runTraining(model, {
        runDir: path.join(dir, `scene-${name}`), batchSize, weightDecay: 0.01, maxGradNorm: 1, checkpointEvery: 100_000, seed: 0,
        stages: [{ name, steps, peakLr: lr, warmupSteps: warmupSteps(steps), trainable, objective }],
      });
      console.log(`${name}: ${steps} steps in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      return result.model;
    };
    const videoRow = async (label: string, model: VideoLM) => [label, ...(await Promise.all(formats.map(async (f) => pct(await accuracy(model, dataset, byFormat(testQuestions, f))))))];
    const sceneRows: string[][] = [];
    const vision = () => loadVideoLM(path.join(dir, 'vision', 'checkpoint'));
    const instruct = (model: VideoLM, name: string) => stage(model, name, STEPS, LR, 16, (n) => isMerger(n) || isDecoder(n), (m) => new VideoQuestions(new TrainingData(dataset, m, perception('train'), 0)));

    sceneRows.push(await videoRow(`video, instruct ${STEPS} steps from a decoder that never read (baseline)`, await instruct(await vision(), 'baseline')));
    console.log(sceneRows.at(-1)!.join(' | '));
    const reader = await stage(await vision(), 'read', READ_STEPS, 2e-3, 16, isDecoder, (m) => new SceneQuestions(new TrainingData(dataset, m, perception('train'), 0)));
    const sceneScores: string[] = [];
    for (const f of formats) sceneScores.push(pct(await sceneAccuracy(reader, new TrainingData(dataset, reader, byFormat(testQuestions, f), 0))));
    sceneRows.push([`scene words, after reading ${READ_STEPS} steps (perfect perception)`, ...sceneScores]);
    console.log(sceneRows.at(-1)!.join(' | '));
    const aligned = await stage(reader, 'align', ALIGN_STEPS, 2e-3, 8, (n) => isVisionTower(n) || isMerger(n), () => new SceneAlignment(dataset, 'train', 0));
    sceneRows.push(await videoRow(`video, after aligning ViT + merger to the words ${ALIGN_STEPS} steps`, aligned));
    console.log(sceneRows.at(-1)!.join(' | '));
    sceneRows.push(await videoRow(`video, then instruct ${STEPS} steps`, await instruct(aligned, 'instruct')));
    console.log(sceneRows.at(-1)!.join(' | '));
    const header = ['perception, test (exact answer)', 'yes/no %', 'multi-choice %', 'caption matching %', 'captioning %'];
    console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
    for (const r of sceneRows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\nchance: yes/no 50, multi-choice 33, caption matching 50; ${SCORED} questions per format (±7 points)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
