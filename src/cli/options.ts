/** Flag parsing with one-line errors that name the flag and what it accepts. */
import type { Command } from 'commander';
import { TempolabError } from '../engine/errors.js';

export function int(flag: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new TempolabError(`${flag} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

export function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new TempolabError(`${flag} must be a positive number, got '${value}'`);
  return n;
}

export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new TempolabError(`${flag} must be one of ${allowed.join(', ')}; got '${value}'`);
  return value as T;
}

/** "all" or a comma-separated list of non-negative integers. */
export function layerList(flag: string, value: string): 'all' | number[] {
  if (value === 'all') return 'all';
  const parts = value.split(',').map((v) => v.trim());
  if (!parts.length || parts.some((p) => !/^\d+$/.test(p))) throw new TempolabError(`${flag} must be "all" or comma-separated block indices like 0,2,3; got '${value}'`);
  return parts.map(Number);
}

/**
 * `--resume` takes every setting from the run's run.json, so a flag given with it would be silently
 * ignored: refuse it instead. `allowed` are the flags that resuming does use (e.g. --out).
 */
export function rejectFlagsWithResume(command: Command, allowed: readonly string[] = ['out', 'resume']): void {
  const given = command.options
    .filter((o) => !allowed.includes(o.attributeName()) && command.getOptionValueSource(o.attributeName()) === 'cli')
    .map((o) => o.long ?? o.flags);
  if (given.length > 0) {
    throw new TempolabError(`--resume continues the run with the settings saved in its run.json, so ${given.join(', ')} would be ignored; drop ${given.length > 1 ? 'them' : 'it'}, or start a new run with another --out to change settings`);
  }
}
