/**
 * Probe numbers whose intervals are over questions only. A probe run has one row per question ×
 * condition × layer; resampling those rows would treat the layers and conditions of one question as
 * independent evidence. Here each question is first reduced to one number (its mean P_C over the
 * rows asked for), and the bootstrap resamples those per-question numbers.
 */
import { bootstrapInterval, type Interval } from '../data/statistics.js';
import type { ProbeRow } from '../probe/runner.js';
import { groundTruthProbabilityChange } from '../probe/pc.js';

export interface StatsOptions {
  seed?: number;
  resamples?: number;
}

const pcOf = (r: ProbeRow) => groundTruthProbabilityChange(r.baseline, r.intervened);

/** Each question's mean P_C over the rows `keep` selects, in order of first appearance. */
export function questionMeans(rows: readonly ProbeRow[], keep: (r: ProbeRow) => boolean): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of rows) {
    if (!keep(r)) continue;
    const s = sums.get(r.questionId) ?? { sum: 0, n: 0 };
    s.sum += pcOf(r);
    s.n += 1;
    sums.set(r.questionId, s);
  }
  return new Map([...sums].map(([q, s]) => [q, s.sum / s.n]));
}

/** Mean P_C of the selected rows, each question weighted once, with a bootstrap over questions. */
export function meanOverQuestions(rows: readonly ProbeRow[], keep: (r: ProbeRow) => boolean, options: StatsOptions = {}): Interval {
  return bootstrapInterval([...questionMeans(rows, keep).values()], { seed: options.seed ?? 0, resamples: options.resamples });
}

/**
 * The paired contrast mean_a(q) − mean_b(q) over the questions that have rows in both selections,
 * with a bootstrap over those questions: "does condition a hurt more than condition b?".
 */
export function pairedContrast(rows: readonly ProbeRow[], a: (r: ProbeRow) => boolean, b: (r: ProbeRow) => boolean, options: StatsOptions = {}): Interval {
  const ma = questionMeans(rows, a);
  const mb = questionMeans(rows, b);
  const diffs = [...ma].filter(([q]) => mb.has(q)).map(([q, v]) => v - mb.get(q)!);
  return bootstrapInterval(diffs, { seed: options.seed ?? 0, resamples: options.resamples });
}
