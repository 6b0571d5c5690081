/**
 * The STA settings sweep (`npm run bench:sweep`): STAVE and the control fine-tuned from one base
 * over stage lengths, learning rates, head_scale and the blocks that get STA, each arm scored on the
 * validation split. A base can carry the sweep measured on it (RUN/sta-sweep.json), and the demo's
 * report then shows it beside the test-split comparison, so a reader sees how the demo's settings
 * were chosen and whether any setting made STA beat the control.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TEMPORAL_DIMENSIONS } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { resolveModelDir } from '../train/recipes.js';
import type { Estimate } from './result.js';
import type { Table } from './tables.js';

export const STA_SWEEP_FILE = 'sta-sweep.json';

/** One arm of the sweep: its fine-tuning flags and its validation figures. */
export interface SweepArm {
  name: string;
  kind: 'stave' | 'control';
  /** The fine-tuning schedule (stage lengths and learning rates) it shares with one control arm. */
  schedule: string;
  /** The `tempolab train stave|control` flags that differ from their defaults. */
  flags: Record<string, string>;
  seconds: number;
  overall: Estimate;
  perception: Estimate;
  pairs: Estimate;
  pairsByDimension: Record<string, Estimate>;
}

export interface StaSweep {
  base: string;
  /** The base model's weights it was measured on (baseModelDigest): a retrained base's sweep is another's. */
  baseModel: string;
  data: string;
  split: 'val';
  arms: SweepArm[];
}

/** sha256 of a base run's final weights (its model.safetensors), first 16 hex digits. */
export function baseModelDigest(baseRun: string): string {
  return createHash('sha256').update(readFileSync(path.join(resolveModelDir(baseRun), 'model.safetensors'))).digest('hex').slice(0, 16);
}

/** The sweep stored beside a base run, or null when it has none; a sweep of other weights than the run's is refused. */
export function readStaSweep(baseRun: string): StaSweep | null {
  const file = path.join(baseRun, STA_SWEEP_FILE);
  if (!existsSync(file)) return null;
  const sweep = JSON.parse(readFileSync(file, 'utf8')) as StaSweep;
  if (sweep.split !== 'val' || !Array.isArray(sweep.arms)) throw new TempolabError(`${file} is not an STA sweep on the validation split: remake it with npm run bench:sweep`);
  if (sweep.baseModel !== baseModelDigest(baseRun)) throw new TempolabError(`${file} was measured on other weights than ${baseRun}'s model (${sweep.baseModel ? 'the base was retrained since' : 'it names none'}): remake it with npm run bench:sweep, or delete it`);
  return sweep;
}

const cell = (e: Estimate | undefined) => (!e || e.mean === null ? '—' : `${(100 * e.mean).toFixed(1)} [${(100 * e.low!).toFixed(1)}, ${(100 * e.high!).toFixed(1)}]`);

/** Every arm with its validation accuracy, perception and opposing-pair accuracy overall and per dimension. */
export function staSweepTable(arms: readonly SweepArm[]): Table {
  return {
    header: ['arm', 'overall', 'perception', 'opposing pairs', ...TEMPORAL_DIMENSIONS.map((d) => `pairs: ${d}`)],
    rows: arms.map((a) => [a.name, cell(a.overall), cell(a.perception), cell(a.pairs), ...TEMPORAL_DIMENSIONS.map((d) => cell(a.pairsByDimension[d]))]),
  };
}

/** The STAVE arms whose validation pair accuracy beats the control arm of their schedule beyond both 95% intervals. */
export function armsBeatingControl(arms: readonly SweepArm[]): SweepArm[] {
  return arms.filter((a) => {
    if (a.kind !== 'stave') return false;
    const control = arms.find((c) => c.kind === 'control' && c.schedule === a.schedule);
    return !!control && a.pairs.low !== null && control.pairs.high !== null && a.pairs.low > control.pairs.high;
  });
}
