/** Flag parsing with one-line errors that name the flag and what it accepts. */
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
