/**
 * A limited set of questions that still covers the benchmark: `--limit 16` should not mean "the
 * first 16", which in file order is two dimensions of one format. Questions are grouped by format ×
 * dimension and taken one per group in turn, the groups visited along diagonals of the format ×
 * dimension grid, so the first picks already span every format and every dimension.
 */
import { TempolabError } from '../engine/errors.js';
import { DIMENSIONS, FORMATS } from './types.js';

const ordered = (present: Set<string>, canonical: readonly string[]) => [...canonical.filter((c) => present.has(c)), ...[...present].filter((p) => !canonical.includes(p))];

/** Up to `n` of `questions`, balanced over format × dimension, each group in its original order. */
export function stratifiedSample<Q extends { format: string; dimension: string }>(questions: readonly Q[], n: number): Q[] {
  if (!Number.isInteger(n) || n < 0) throw new TempolabError(`a question limit must be a non-negative integer, got ${n}`);
  if (n >= questions.length) return [...questions];
  const formats = ordered(new Set(questions.map((q) => q.format)), FORMATS);
  const dimensions = ordered(new Set(questions.map((q) => q.dimension)), DIMENSIONS);
  const groups = new Map<string, Q[]>();
  for (const q of questions) {
    const key = `${q.format}\u0000${q.dimension}`;
    const list = groups.get(key);
    if (list) list.push(q);
    else groups.set(key, [q]);
  }
  const visit: Q[][] = [];
  for (let d = 0; d < dimensions.length; d++) {
    for (let f = 0; f < formats.length; f++) {
      const group = groups.get(`${formats[f]}\u0000${dimensions[(f + d) % dimensions.length]}`);
      if (group) visit.push(group);
    }
  }
  const picked: Q[] = [];
  for (let round = 0; picked.length < n; round++) {
    for (const group of visit) {
      if (picked.length >= n) break;
      const q = group[round];
      if (q) picked.push(q);
    }
  }
  const chosen = new Set(picked);
  return questions.filter((q) => chosen.has(q));
}
