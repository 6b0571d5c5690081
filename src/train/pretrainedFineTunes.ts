/**
 * Runs from the shipped base used as they are, as the shipped base is: the demo's own STAVE and
 * control fine-tunes, `pretrained/fine-tunes-small/{stave,control}` (`npm run make:fine-tunes`,
 * 33–60 minutes per pair on 2 cores, more than the demo's whole budget), and the two arms of its
 * vision-only check, `pretrained/fine-tunes-small/classify-{no-sta,sta}` (`npm run make:classifiers`,
 * about 5 minutes of the demo's). They stand in for what the demo would train only where they are
 * exactly that: each run's settings equal the ones the demo would train (paths aside), the run is
 * finished, and it was trained on this data (heldOutIdentity).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { canonicalJson, packageRoot } from '../engine/provenance.js';
import { sameHeldOutData } from './pretrainedBase.js';
import { finished, RUN_DATASET_FILE, type ClassifySettings, type FineTuneSettings } from './recipes.js';

export const SHIPPED_FINE_TUNES = path.join(packageRoot(), 'pretrained', 'fine-tunes-small');

export const FINE_TUNE_KINDS = ['stave', 'control'] as const;
export type FineTuneKind = (typeof FINE_TUNE_KINDS)[number];

/** The vision-only check's two runs, named as the demo names their directories. */
export const CLASSIFIER_RUNS = ['classify-no-sta', 'classify-sta'] as const;
export type ClassifierRun = (typeof CLASSIFIER_RUNS)[number];
export const classifierRun = (sta: boolean): ClassifierRun => (sta ? 'classify-sta' : 'classify-no-sta');

/** Where a run was made and how often it saved change nothing it learned. */
const recipeOf = (s: FineTuneSettings | ClassifySettings) => {
  const { data: _data, out: _out, from: _from, checkpointEvery: _every, ...recipe } = s;
  return canonicalJson(recipe);
};

/**
 * The run directories dir/<name> for each name of `expected` when each is the finished run of its
 * settings on `dataset`'s data; otherwise the reason the first one is not, in one line.
 */
export async function pretrainedRunsFor<Name extends string>(dir: string, dataset: Dataset, expected: Record<Name, FineTuneSettings | ClassifySettings>): Promise<{ runs: Record<Name, string> } | { reason: string }> {
  const runs = {} as Record<Name, string>;
  for (const name of Object.keys(expected) as Name[]) {
    const run = path.join(dir, name);
    const identityFile = path.join(run, RUN_DATASET_FILE);
    // A finished run writes its dataset.json last (recipes.train).
    if (!(await finished(run)) || !existsSync(identityFile)) return { reason: `${run} is not a finished ${name} run` };
    const trainedOn = JSON.parse(readFileSync(identityFile, 'utf8')) as Record<string, unknown>;
    if (!sameHeldOutData(trainedOn, dataset.manifest)) return { reason: `${run} was trained on other data than ${dataset.dir}` };
    const settings = JSON.parse(readFileSync(path.join(run, 'run.json'), 'utf8')) as FineTuneSettings | ClassifySettings;
    if (recipeOf(settings) !== recipeOf(expected[name])) return { reason: `${run} was trained with other settings than this demo's ${name}` };
    runs[name] = run;
  }
  return { runs };
}
