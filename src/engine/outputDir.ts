/**
 * The rules for an output directory: a command replaces only what it made itself (or anything, when
 * the user passes --overwrite), says so in one line before doing any work, and on its next run
 * tidies the temps and set-aside copies that a killed run left beside the target.
 */
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { TempolabError } from './errors.js';

export interface OutputDirPolicy {
  /** True when `dir` (existing, non-empty) is this command's own earlier output, which it may replace. */
  owned?: (dir: string) => boolean;
  /** Replace whatever is there (the user said --overwrite). */
  overwrite?: boolean;
  /** What this command writes, for the message: "a tempolab dataset". */
  what?: string;
  /** Whether the command has an --overwrite flag to offer in the message (default true). */
  offerOverwrite?: boolean;
}

const errnoCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** The nearest existing ancestor of `p` (p itself when it exists). */
function nearestExisting(p: string): string {
  let at = path.resolve(p);
  while (!existsSync(at)) {
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  return at;
}

/** Fails with one line unless a directory can be created or written at `dir`. */
export async function assertWritableDir(dir: string): Promise<void> {
  const resolved = path.resolve(dir);
  let stat;
  try {
    stat = await fs.stat(resolved);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ENOTDIR') throw new TempolabError(`cannot use ${dir} as an output directory (${errnoCode(error) ?? String(error)})`);
  }
  if (stat && !stat.isDirectory()) throw new TempolabError(`${dir} is a file, not a directory; give --out a directory path`);
  const ancestor = nearestExisting(stat ? path.dirname(resolved) : resolved);
  if (!(await fs.stat(ancestor)).isDirectory()) throw new TempolabError(`cannot create ${dir}: ${ancestor} is a file, not a directory; give --out a directory path`);
  try {
    await fs.access(ancestor, fs.constants.W_OK);
    if (stat) await fs.access(resolved, fs.constants.W_OK);
  } catch {
    throw new TempolabError(`cannot write to ${dir}: ${stat ? resolved : ancestor} is read-only for this user; choose a writable --out`);
  }
}

/**
 * Checks, before any work, that `target` may be (re)written under `policy`: it does not exist, is
 * empty, is this command's own output, or the user passed --overwrite.
 */
export async function guardOutputDir(target: string, policy: OutputDirPolicy = {}): Promise<void> {
  await assertWritableDir(target);
  if (!existsSync(target)) return;
  const entries = await fs.readdir(target);
  if (!entries.length || policy.overwrite || policy.owned?.(target)) return;
  throw new TempolabError(
    `${target} already exists and is not ${policy.what ?? "this command's output"} (it holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. '${entries.sort()[0]}'); choose a new or empty --out${policy.offerOverwrite === false ? '' : ', or pass --overwrite to replace it'}`,
  );
}

/** Fails when the output directory is, holds or lies inside one of the inputs (importing a folder into itself). */
export function assertOutsideInputs(out: string, inputs: readonly string[]): void {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : path.resolve(p));
  const outReal = path.join(real(path.dirname(path.resolve(out))), path.basename(path.resolve(out)));
  const inside = (child: string, parent: string) => {
    const rel = path.relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  for (const input of inputs) {
    const inReal = real(input);
    if (inside(inReal, outReal) || inside(outReal, inReal)) {
      throw new TempolabError(`--out ${out} overlaps the input ${input}; write the dataset to a directory outside the inputs`);
    }
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Tidies what a killed writer of `target` left beside it: its temps (`.tmp-<name>-<pid>-<t>`) are
 * removed, and a set-aside previous copy (`.old-<name>-<pid>-<t>`) is renamed back when `target`
 * itself is missing, else removed. Entries of live processes are left alone.
 */
export async function removeStaleTemps(target: string): Promise<{ removed: string[]; restored: string | null }> {
  const dir = path.dirname(path.resolve(target));
  const base = path.basename(target);
  const pattern = new RegExp(`^\\.(tmp|old)-${escape(base)}-(\\d+)-[0-9a-z]+$`);
  const removed: string[] = [];
  let restored: string | null = null;
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return { removed, restored };
  }
  const stale = entries.map((e) => ({ name: e, m: pattern.exec(e) })).filter((e) => e.m && !alive(Number(e.m[2])));
  for (const { name, m } of stale.sort((a, b) => b.name.localeCompare(a.name))) {
    const full = path.join(dir, name);
    if (m![1] === 'old' && !existsSync(target) && restored === null) {
      await fs.rename(full, target);
      restored = full;
    } else {
      await fs.rm(full, { recursive: true, force: true });
      removed.push(full);
    }
  }
  return { removed, restored };
}
