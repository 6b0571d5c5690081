import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchmarkVocabulary, COLOUR_NAMES, openDataset, splitWords, synthesizeDataset, type Dataset, type Question, type SceneObject, type Split, type VideoRecord } from '../src/data/index.js';
import { answerQuestions } from '../src/eval/answer.js';
import { loadVideoLM } from '../src/models/checkpoint.js';
import { VideoQuestions } from '../src/train/objectives.js';
import { isDecoder, isMerger, train } from '../src/train/recipes.js';
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
 * Every number is measured in one run with one seed; the table is what README cites.
 */
const STEPS = Number(process.env.BINDING_STEPS ?? 800);
const VISION_STEPS = Number(process.env.BINDING_VISION_STEPS ?? 1500);
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

async function accuracy(model: Awaited<ReturnType<typeof loadVideoLM>>, dataset: Dataset, questions: ProbeQuestion[]): Promise<number> {
  const predictions = await answerQuestions(model, dataset, questions);
  return predictions.filter((p, i) => p.prediction.trim() === questions[i]!.answer).length / questions.length;
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
} finally {
  rmSync(dir, { recursive: true, force: true });
}
