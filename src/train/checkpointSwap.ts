/**
 * Crash-proof checkpoints. A new checkpoint is written to a temp directory beside `checkpoint/`,
 * marked complete by its trainer_state.json (written last, atomically), and swapped in with two
 * renames (old aside, new in) before the old copy is deleted. A kill at any instant therefore leaves
 * at least one complete checkpoint under a name `latestCheckpoint` recognises; resume adopts the
 * newest one and tidies the rest.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { swapDirectory, tempPathFor, writeFileAtomic, type SwapPhase } from '../engine/atomicWrite.js';

export const CHECKPOINT = 'checkpoint';
export const TRAINER_STATE = 'trainer_state.json';

export const checkpointDir = (runDir: string): string => path.join(runDir, CHECKPOINT);

/**
 * The moments of a checkpoint save, in order: `partial` (weights written, not yet marked complete),
 * `complete` (the temp is complete, the old checkpoint untouched), `aside` (the old checkpoint
 * renamed aside, the new one not yet in), `swapped` (the new one in, the old one not yet deleted).
 */
export type CheckpointPhase = 'partial' | 'complete' | SwapPhase;
export const CHECKPOINT_PHASES: readonly CheckpointPhase[] = ['partial', 'complete', 'aside', 'swapped'];

/** What trainer_state.json records: where in the stages the checkpoint was taken. */
export interface SavedState {
  stageIndex: number;
  step: number;
  globalStep: number;
  optimizerStep: number;
}

/** Writes a checkpoint with `writeFiles` (everything but trainer_state.json) and swaps it in. */
export async function writeCheckpoint(
  runDir: string,
  state: SavedState,
  writeFiles: (dir: string) => Promise<void>,
  onPhase?: (phase: CheckpointPhase) => void | Promise<void>,
): Promise<void> {
  const target = path.resolve(checkpointDir(runDir));
  const tmp = tempPathFor(target);
  await fs.mkdir(tmp, { recursive: true });
  try {
    await writeFiles(tmp);
    await onPhase?.('partial');
    await writeFileAtomic(path.join(tmp, TRAINER_STATE), JSON.stringify(state, null, 2) + '\n');
  } catch (error) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await onPhase?.('complete');
  await swapDirectory(tmp, target, onPhase);
}

/** The saved state of a checkpoint directory, or null when it is not complete. */
export async function readSavedState(dir: string): Promise<SavedState | null> {
  try {
    const s = JSON.parse(await fs.readFile(path.join(dir, TRAINER_STATE), 'utf8')) as Partial<SavedState> | null;
    const ok = s !== null && typeof s === 'object' && (['stageIndex', 'step', 'globalStep'] as const).every((k) => Number.isInteger(s[k]) && s[k]! >= 0);
    return ok ? { stageIndex: s.stageIndex!, step: s.step!, globalStep: s.globalStep!, optimizerStep: Number.isInteger(s.optimizerStep) ? s.optimizerStep! : 0 } : null;
  } catch {
    return null;
  }
}

const LEFTOVER = new RegExp(`^\\.(tmp|old)-${CHECKPOINT}-(\\d+)-[0-9a-z]+$`);

function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Finds the newest complete checkpoint of a run — `checkpoint/`, a finished temp, or an old copy set
 * aside by a swap that a kill interrupted — makes it `checkpoint/`, and removes the other leftovers
 * (all of them written by earlier saves of this run). Returns its saved state, or null when the run
 * has no complete checkpoint.
 */
export async function latestCheckpoint(runDir: string): Promise<SavedState | null> {
  if (!existsSync(runDir)) return null;
  const target = path.resolve(checkpointDir(runDir));
  const leftovers = (await fs.readdir(runDir)).filter((name) => {
    const m = LEFTOVER.exec(name);
    return m !== null && !alive(Number(m[2]));
  }).map((name) => path.resolve(runDir, name));
  const candidates: { dir: string; state: SavedState }[] = [];
  for (const dir of [target, ...leftovers]) {
    const state = await readSavedState(dir);
    if (state) candidates.push({ dir, state });
  }
  const order = (s: SavedState) => [s.globalStep, s.stageIndex, s.step];
  let best: { dir: string; state: SavedState } | null = null;
  for (const c of candidates) {
    if (!best) best = c;
    else {
      const a = order(c.state);
      const b = order(best.state);
      const i = a.findIndex((x, k) => x !== b[k]);
      if (i >= 0 && a[i]! > b[i]!) best = c;
    }
  }
  if (best && best.dir !== target) await swapDirectory(best.dir, target);
  for (const dir of leftovers) if (dir !== best?.dir) await fs.rm(dir, { recursive: true, force: true });
  return best?.state ?? null;
}

/**
 * Cuts log.jsonl back to the steps up to `globalStep` (the resumed checkpoint), so that after a
 * resume the curve continues instead of doubling back. A torn last line (a kill mid-append) goes too.
 */
export async function truncateLog(logFile: string, globalStep: number): Promise<void> {
  if (!existsSync(logFile)) return;
  if (globalStep === 0) {
    await fs.rm(logFile, { force: true });
    return;
  }
  const kept: string[] = [];
  for (const line of (await fs.readFile(logFile, 'utf8')).split('\n')) {
    let entry: { globalStep?: unknown };
    try {
      entry = JSON.parse(line) as { globalStep?: unknown };
    } catch {
      break;
    }
    if (typeof entry?.globalStep !== 'number' || entry.globalStep > globalStep) break;
    kept.push(line + '\n');
  }
  await writeFileAtomic(logFile, kept.join(''));
}
