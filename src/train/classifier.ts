/**
 * Evaluation of the vision-only video classifier (`train classify`): accuracy over the 26 phenomenon
 * outcomes and opposing-pair accuracy (a clip and its partner both right), with 95% bootstrap
 * intervals over clips and over pairs.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { openDataset, type Dataset } from '../data/dataset.js';
import { bootstrapInterval, type Interval } from '../data/statistics.js';
import type { Split, VideoRecord } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { readSafetensors } from '../engine/safetensors.js';
import { compile } from '../engine/runtime.js';
import { loadVideoLM } from '../models/checkpoint.js';
import { isVideoClassifierHead } from '../models/pretraining.js';
import type { VideoLM } from '../models/videoLM.js';
import { VideoClassification } from './objectives.js';
import type { ClassifySettings } from './recipes.js';
import { checkpointDir } from './trainer.js';

export interface ClassifierResult {
  model: string;
  split: Split;
  sta: boolean;
  accuracy: Interval;
  pairAccuracy: Interval;
  /** Accuracy by temporal dimension (the phenomenon's). */
  byDimension: Record<string, Interval>;
}

/** Predicted outcome class of every clip of `split` that has one. */
export async function classifyClips(model: VideoLM, dataset: Dataset, split: Split, batchSize = 16): Promise<{ clip: VideoRecord; predicted: number; label: number }[]> {
  const objective = new VideoClassification(dataset, split, 0);
  if (![...model.params.keys()].some(isVideoClassifierHead)) throw new TempolabError('the model has no video_classifier head: train one with tempolab train classify');
  const graph = objective.graph(model, batchSize);
  const session = await compile(graph, { logits: graph.outputs.get('logits')! });
  const out: { clip: VideoRecord; predicted: number; label: number }[] = [];
  for (let i = 0; i < objective.clips.length; i += batchSize) {
    const clips = objective.clips.slice(i, i + batchSize);
    const padded = [...clips, ...new Array<VideoRecord>(batchSize - clips.length).fill(clips[0]!)];
    const feeds = new Map([...Object.entries(objective.inputs(model, padded)), ...[...model.params].map(([k, p]) => [k, p.data] as const)]);
    const logits = (await session.run(feeds)).logits!.data as Float32Array;
    const classes = logits.length / batchSize;
    clips.forEach((clip, b) => {
      const row = logits.subarray(b * classes, (b + 1) * classes);
      out.push({ clip, predicted: row.indexOf(Math.max(...row)), label: objective.label(clip) });
    });
  }
  return out;
}

export async function evaluateClassifier(model: VideoLM, dataset: Dataset, split: Split, info: { name: string; sta: boolean; seed?: number }): Promise<ClassifierResult> {
  const rows = await classifyClips(model, dataset, split);
  const right = new Map(rows.map((r) => [r.clip.id, r.predicted === r.label ? 1 : 0]));
  const pairs = rows.filter((r) => r.clip.partnerId && right.has(r.clip.partnerId) && r.clip.id < r.clip.partnerId).map((r) => right.get(r.clip.id)! * right.get(r.clip.partnerId!)!);
  const seed = info.seed ?? 0;
  const byDimension: Record<string, Interval> = {};
  for (const dimension of new Set(rows.map((r) => r.clip.phenomenon!.split('.')[0]!))) {
    byDimension[dimension] = bootstrapInterval(rows.filter((r) => r.clip.phenomenon!.startsWith(`${dimension}.`)).map((r) => right.get(r.clip.id)!), { seed });
  }
  return { model: info.name, split, sta: info.sta, accuracy: bootstrapInterval([...right.values()], { seed }), pairAccuracy: bootstrapInterval(pairs, { seed }), byDimension };
}

/** A classify run's final model with its head, and the run's settings. */
export async function loadClassifierRun(runDir: string): Promise<{ model: VideoLM; settings: ClassifySettings }> {
  const file = path.join(runDir, 'run.json');
  if (!existsSync(file)) throw new TempolabError(`${runDir} has no run.json: not a classify run`);
  const settings = JSON.parse(await fs.readFile(file, 'utf8')) as ClassifySettings;
  if (settings.kind !== 'classify') throw new TempolabError(`${runDir} is a ${settings.kind} run, not a classify run`);
  const dir = checkpointDir(runDir);
  // loadVideoLM keeps the VideoLM's own parameters; the head is the classify run's addition.
  const model = await loadVideoLM(dir);
  for (const [name, t] of (await readSafetensors(path.join(dir, 'model.safetensors'))).tensors) {
    if (isVideoClassifierHead(name) && t.data instanceof Float32Array) model.params.set(name, { shape: t.shape, data: t.data });
  }
  return { model, settings };
}

/** Loads a classify run's final model (with its head) and evaluates it. */
export async function evaluateClassifierRun(runDir: string, split: Split): Promise<ClassifierResult> {
  const { model, settings } = await loadClassifierRun(runDir);
  return evaluateClassifier(model, openDataset(settings.data), split, { name: path.basename(runDir), sta: settings.sta, seed: settings.seed });
}

/** An accuracy with its interval as "47.3% [42.5, 51.7]" (— when there were no items). */
export const percentInterval = (i: Interval) => (Number.isNaN(i.mean) ? '—' : `${(100 * i.mean).toFixed(1)}% [${(100 * i.low).toFixed(1)}, ${(100 * i.high).toFixed(1)}]`);

export function classifierSummary(r: ClassifierResult): string {
  return `${r.model} (${r.sta ? 'with STA' : 'no STA'}), ${r.split}: accuracy ${percentInterval(r.accuracy)} over ${r.accuracy.n} clips (chance 3.8%); opposing-pair accuracy ${percentInterval(r.pairAccuracy)} over ${r.pairAccuracy.n} pairs`;
}
