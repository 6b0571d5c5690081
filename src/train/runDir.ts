/**
 * A run directory's lifecycle around its checkpoints: a new run starts only in a new or empty
 * directory (or over a failed start of its own), and a start that fails before its first checkpoint
 * removes what it wrote, so the corrected command can start again in the same place.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { TempolabError } from '../engine/errors.js';
import { assertWritableDir } from '../engine/outputDir.js';
import { latestCheckpoint } from './checkpointSwap.js';

export const RUN_SETTINGS = 'run.json';
export const RUN_LOG = 'log.jsonl';

/**
 * A run.json with nothing else but an empty log (no checkpoint, no logged step, no stage runs of a
 * pipeline): a start that failed before training.
 */
async function isFailedStart(runDir: string): Promise<boolean> {
  const entries = await fs.readdir(runDir);
  if (entries.some((e) => e !== RUN_SETTINGS && e !== RUN_LOG)) return false;
  const log = path.join(runDir, RUN_LOG);
  return !existsSync(log) || (await fs.stat(log)).size === 0;
}

/** Fails with one line unless a new run may start in `runDir`. */
export async function assertNewRunDir(runDir: string): Promise<void> {
  await assertWritableDir(runDir);
  if (!existsSync(runDir)) return;
  const entries = await fs.readdir(runDir);
  if (!entries.length) return;
  if (entries.includes(RUN_SETTINGS)) {
    if (await isFailedStart(runDir)) return;
    throw new TempolabError(`${runDir} already holds a run; pass --resume to continue it or choose another --out`);
  }
  throw new TempolabError(`${runDir} already exists and is not a training run (it holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. '${entries.sort()[0]}'); choose a new or empty --out`);
}

/**
 * Removes what a failed start wrote (run.json, log.jsonl, and the directory when this start created
 * it and nothing else is in it) — unless a checkpoint was saved or a pipeline stage run exists, in
 * which case the run stays resumable.
 */
export async function abandonFailedStart(runDir: string, createdDir: boolean): Promise<void> {
  if (await latestCheckpoint(runDir)) return;
  if ((await fs.readdir(runDir).catch(() => [] as string[])).some((e) => e !== RUN_SETTINGS && e !== RUN_LOG)) return;
  await fs.rm(path.join(runDir, RUN_SETTINGS), { force: true });
  await fs.rm(path.join(runDir, RUN_LOG), { force: true });
  if (createdDir) await fs.rmdir(runDir).catch(() => undefined);
}
