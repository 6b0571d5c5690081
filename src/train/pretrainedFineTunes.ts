/**
 * STAVE and control runs used as they are, as the shipped base is: the demo's own fine-tunes of the
 * shipped base, `pretrained/fine-tunes-small/{stave,control}`, made by `npm run make:fine-tunes`
 * (33–60 minutes per pair on 2 cores, more than the demo's whole budget). They stand in for what
 * the demo would train only where they are exactly that: each run's settings equal the ones the demo
 * would train (paths aside), the run is finished, and it was trained on this data (heldOutIdentity).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { canonicalJson, packageRoot } from '../engine/provenance.js';
import { sameHeldOutData } from './pretrainedBase.js';
import { finished, RUN_DATASET_FILE, type FineTuneSettings } from './recipes.js';

export const SHIPPED_FINE_TUNES = path.join(packageRoot(), 'pretrained', 'fine-tunes-small');

export const FINE_TUNE_KINDS = ['stave', 'control'] as const;
export type FineTuneKind = (typeof FINE_TUNE_KINDS)[number];

/** Where a run was made and how often it saved change nothing it learned. */
const recipeOf = (s: FineTuneSettings) => {
  const { data: _data, out: _out, from: _from, checkpointEvery: _every, ...recipe } = s;
  return canonicalJson(recipe);
};

/**
 * The run directories in `dir` (dir/stave, dir/control) when each is the finished run of `expected`
 * on `dataset`'s data; otherwise the reason it is not, in one line.
 */
export async function pretrainedFineTunesFor(dir: string, dataset: Dataset, expected: Record<FineTuneKind, FineTuneSettings>): Promise<{ runs: Record<FineTuneKind, string> } | { reason: string }> {
  const runs = {} as Record<FineTuneKind, string>;
  for (const kind of FINE_TUNE_KINDS) {
    const run = path.join(dir, kind);
    const identityFile = path.join(run, RUN_DATASET_FILE);
    // A finished run writes its dataset.json last (recipes.train).
    if (!(await finished(run)) || !existsSync(identityFile)) return { reason: `${run} is not a finished ${kind} run` };
    const trainedOn = JSON.parse(readFileSync(identityFile, 'utf8')) as Record<string, unknown>;
    if (!sameHeldOutData(trainedOn, dataset.manifest)) return { reason: `${run} was trained on other data than ${dataset.dir}` };
    const settings = JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')) as FineTuneSettings;
    if (recipeOf(settings) !== recipeOf(expected[kind])) return { reason: `${run} was trained with other settings than this demo's ${kind}` };
    runs[kind] = run;
  }
  return { runs };
}
