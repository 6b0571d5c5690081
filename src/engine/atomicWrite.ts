import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { guardOutputDir, removeStaleTemps, type OutputDirPolicy } from './outputDir.js';

/** A sibling temp name that cannot collide with another process writing the same target. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.tmp-${path.basename(target)}-${process.pid}-${Date.now().toString(36)}`);
}

/** Where the previous copy of `target` waits while the new one is renamed in. */
export function asidePathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.old-${path.basename(target)}-${process.pid}-${Date.now().toString(36)}`);
}

/**
 * Writes a file so that readers see either the old content or the complete new one: the bytes go
 * to a temp file in the same directory, are flushed, and the temp file is renamed over the target.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string | Iterable<Uint8Array>): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  const handle = await fs.open(tmp, 'w');
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else for (const chunk of data) await handle.write(chunk);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await fs.rename(tmp, target);
}

/** The moments of a directory swap, in order; a crash between any two leaves a loadable copy. */
export type SwapPhase = 'aside' | 'swapped';

/**
 * Puts the finished directory `tmp` at `target` in two renames: the old `target` (if any) is first
 * renamed aside, then `tmp` is renamed in, and only then is the old copy deleted. At every instant
 * one complete copy exists under a name `removeStaleTemps` recognises.
 */
export async function swapDirectory(tmp: string, target: string, onPhase?: (phase: SwapPhase) => void | Promise<void>): Promise<void> {
  let aside: string | null = null;
  try {
    await fs.rename(target, (aside = asidePathFor(target)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    aside = null;
  }
  await onPhase?.('aside');
  await fs.rename(tmp, target);
  await onPhase?.('swapped');
  if (aside) await fs.rm(aside, { recursive: true, force: true });
}

/**
 * Builds a whole directory atomically: `build` fills a temp directory beside `target`, which is
 * swapped in only if `build` succeeds. `policy` says which existing contents of `target` this
 * command may replace (its own earlier output, or anything with `overwrite`); anything else is an
 * error before any work starts. Ctrl-C or SIGTERM removes the temp directory and exits 130 / 143.
 */
export async function writeDirAtomic(target: string, build: (tmpDir: string) => Promise<void>, policy: OutputDirPolicy = {}): Promise<void> {
  const resolved = path.resolve(target);
  await removeStaleTemps(resolved);
  await guardOutputDir(resolved, policy);
  await fs.mkdir(path.dirname(resolved), { recursive: true });
  const tmp = tempPathFor(resolved);
  await fs.mkdir(tmp, { recursive: true });
  const cleanup = () => fs.rm(tmp, { recursive: true, force: true });
  const onSigint = () => { void cleanup().finally(() => process.exit(130)); };
  const onSigterm = () => { void cleanup().finally(() => process.exit(143)); };
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  try {
    await build(tmp);
    await swapDirectory(tmp, resolved);
  } catch (error) {
    await cleanup();
    throw error;
  } finally {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigterm);
  }
}
