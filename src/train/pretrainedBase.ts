/**
 * A finished base run used as it is, as a real Video-LLM lab starts from a released checkpoint: the
 * demo fine-tunes STAVE and the control from it instead of rebuilding the base (about 25 minutes on
 * 2 cores). The repository ships one, `pretrained/base-small`, made by `npm run make:base` on the
 * demo's own data. A base is only used on the data it was trained on: its dataset.json must name
 * the same data (origin, seed, generator settings, split sizes) as the dataset at hand, or its
 * training clips could be another dataset's test clips — except that a synthetic set with more or
 * fewer training clips of the same seed is the same data for this purpose (heldOutIdentity).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { datasetIdentity, heldOutIdentity, type Dataset } from '../data/dataset.js';
import type { Manifest } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { canonicalJson, packageRoot } from '../engine/provenance.js';
import { RUN_DATASET_FILE, PRETRAINING_STAGES, type BaseSettings } from './recipes.js';

/** The base shipped with tempolab: the small preset on the default demo's data (seed 0, 20000/100/400 clips). */
export const SHIPPED_BASE = path.join(packageRoot(), 'pretrained', 'base-small');

/** Whether a model trained on the data `trainedOn` names may be evaluated on `manifest`'s test split (heldOutIdentity). */
export function sameHeldOutData(trainedOn: Record<string, unknown>, manifest: Manifest): boolean {
  return canonicalJson(heldOutIdentity(trainedOn)) === canonicalJson(heldOutIdentity(datasetIdentity(manifest)));
}

/** The settings of a finished base run, after checking it was trained on `dataset`'s data. */
export function readPretrainedBase(runDir: string, dataset: Dataset): BaseSettings {
  const settings = readFinishedBase(runDir);
  const identityFile = path.join(runDir, RUN_DATASET_FILE);
  if (!existsSync(identityFile)) throw new TempolabError(`base run ${runDir} has no ${RUN_DATASET_FILE}, so the data it was trained on is unknown: retrain it with tempolab train base`);
  const trainedOn = JSON.parse(readFileSync(identityFile, 'utf8')) as Record<string, unknown>;
  if (!sameHeldOutData(trainedOn, dataset.manifest)) {
    throw new TempolabError(`base run ${runDir} was trained on other data (${describe(trainedOn)}) than ${dataset.dir} (${describe(datasetIdentity(dataset.manifest))}): use the data it was trained on, or train a base on this data`);
  }
  return settings;
}

/** The settings of a base run whose four stages are finished (before any data is at hand to check). */
export function readFinishedBase(runDir: string): BaseSettings {
  const settingsFile = path.join(runDir, 'run.json');
  if (!existsSync(settingsFile)) throw new TempolabError(`${runDir} is not a base run (no run.json): make one with tempolab train base --data DIR --out ${runDir}`);
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as BaseSettings;
  if (settings.kind !== 'base') throw new TempolabError(`${runDir} is a ${settings.kind} run, not a base run: give the directory tempolab train base wrote`);
  const unfinished = PRETRAINING_STAGES.filter((stage) => !existsSync(path.join(runDir, stage, 'checkpoint', 'config.json')));
  if (unfinished.length) throw new TempolabError(`base run ${runDir} has no checkpoint for ${unfinished.join(', ')}: finish it with tempolab train base --resume --out ${runDir}`);
  return settings;
}

/** The settings of `runDir` when it is a finished base trained on `dataset`'s data, else null. */
export function pretrainedBaseFor(runDir: string, dataset: Dataset): BaseSettings | null {
  try {
    return readPretrainedBase(runDir, dataset);
  } catch (error) {
    if (error instanceof TempolabError) return null;
    throw error;
  }
}

function describe(identity: Record<string, unknown>): string {
  const splits = identity.splits as Record<string, { videos: number }> | undefined;
  const counts = splits ? Object.values(splits).map((s) => s.videos).join('/') : '?';
  return `${String(identity.origin)}, seed ${String(identity.seed)}, ${counts} clips`;
}
