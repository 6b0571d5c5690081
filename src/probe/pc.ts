/**
 * The paper's measure (Eq. 3): P_C = P̃(ground-truth first answer token) − P(same), the change in
 * the probability of the right answer's first token when an intervention is applied. Values are
 * probabilities (−1…1); the paper prints them as percentages. Averages come with percentile
 * bootstrap 95% intervals over questions, seeded so a report is reproducible.
 */
import { TempolabError } from '../engine/errors.js';
import { bootstrapInterval, type Interval } from '../data/statistics.js';
import { FORMATS } from '../data/types.js';

/** P_C for one question: intervened − baseline probability of the ground-truth first answer token. */
export function groundTruthProbabilityChange(baseline: number, intervened: number): number {
  for (const [name, p] of [['baseline', baseline], ['intervened', intervened]] as const)
    if (!(Number.isFinite(p) && p >= 0 && p <= 1)) throw new TempolabError(`P_C: the ${name} probability must be a number in [0, 1], got ${p}: pass softmax probabilities, not logits`);
  return intervened - baseline;
}

export interface PCRecord {
  /** Task format (yes_no, multi_choice, caption_matching, captioning, or any other name). */
  format: string;
  /** Temporal dimension (direction, speed, order, attribute_change, action). */
  dimension?: string;
  /** The layer (window start) the intervention was applied at; absent for whole-model interventions. */
  layer?: number | null;
  pc: number;
}

export type PCInterval = Interval;

export interface PCSummary {
  /** Mean P_C per format over every record of that format. */
  byFormat: ({ format: string } & PCInterval)[];
  /** Mean P_C per temporal dimension (records without one are left out). */
  byDimension: ({ dimension: string } & PCInterval)[];
  /** Mean P_C per format and layer, for records that name a layer. */
  byFormatAndLayer: ({ format: string; layer: number } & PCInterval)[];
}

export interface SummaryOptions {
  seed?: number;
  resamples?: number;
}

/** Mean P_C with 95% bootstrap intervals by format, by dimension, and by format × layer. */
export function summarizePC(records: readonly PCRecord[], options: SummaryOptions = {}): PCSummary {
  for (const r of records)
    if (!Number.isFinite(r.pc)) throw new TempolabError(`P_C record ${JSON.stringify(r)} has no finite pc: compute it with groundTruthProbabilityChange`);
  const interval = (values: number[]) => bootstrapInterval(values, { seed: options.seed ?? 0, resamples: options.resamples });
  const byFormat = groups(records, (r) => r.format).map(([format, rs]) => ({ format, ...interval(rs.map((r) => r.pc)) }));
  const byDimension = groups(records.filter((r) => r.dimension !== undefined), (r) => r.dimension!)
    .map(([dimension, rs]) => ({ dimension, ...interval(rs.map((r) => r.pc)) }));
  const byFormatAndLayer: PCSummary['byFormatAndLayer'] = [];
  for (const [format, rs] of groups(records, (r) => r.format)) {
    const layered = rs.filter((r): r is PCRecord & { layer: number } => typeof r.layer === 'number');
    for (const [layer, ls] of groups(layered, (r) => r.layer)) byFormatAndLayer.push({ format, layer, ...interval(ls.map((r) => r.pc)) });
  }
  return { byFormat, byDimension, byFormatAndLayer };
}

/** One row of a probe run: a question's ground-truth probability without and with the intervention. */
export interface ProbabilityRow {
  format: string;
  dimension?: string;
  /** Window start (or single layer); null or absent for whole-model interventions. */
  layer?: number | null;
  /** The experiment condition, e.g. "blocked query" or "frame 1"; absent when there is one. */
  label?: string;
  baseline: number;
  intervened: number;
}

export interface PCSeries {
  label: string;
  format: string;
  /** In increasing layer order; a whole-model condition has one point with layer null. */
  points: ({ layer: number | null } & PCInterval)[];
}

/**
 * A probability table as plot data: layer on x, mean P_C (with interval) on y, one series per
 * condition label and task format — the axes of the paper's figures.
 */
export function pcSeries(rows: readonly ProbabilityRow[], options: SummaryOptions = {}): PCSeries[] {
  const withPc = rows.map((r) => ({ ...r, pc: groundTruthProbabilityChange(r.baseline, r.intervened) }));
  const out: PCSeries[] = [];
  for (const [label, byLabel] of groups(withPc, (r) => r.label ?? '')) {
    for (const [format, rs] of groups(byLabel, (r) => r.format)) {
      const points = groups(rs, (r) => r.layer ?? null).map(([layer, ls]) => ({
        layer,
        ...bootstrapInterval(ls.map((r) => r.pc), { seed: options.seed ?? 0, resamples: options.resamples }),
      }));
      out.push({ label, format, points });
    }
  }
  return out;
}

/**
 * Records grouped by key, in a stable order: task formats in TempCompass' order, numbers
 * ascending (null first), other strings in order of first appearance.
 */
function groups<R, K extends string | number | null>(records: readonly R[], key: (r: R) => K): [K, R[]][] {
  const map = new Map<K, R[]>();
  for (const r of records) {
    const k = key(r);
    const list = map.get(k);
    if (list) list.push(r);
    else map.set(k, [r]);
  }
  const rank = (k: K) => (typeof k === 'string' && (FORMATS as readonly string[]).includes(k) ? (FORMATS as readonly string[]).indexOf(k) : FORMATS.length);
  const seen = [...map.keys()];
  return [...map.entries()].sort(([a], [b]) => {
    if (typeof a === 'number' || typeof b === 'number' || a === null || b === null) return (a === null ? -Infinity : Number(a)) - (b === null ? -Infinity : Number(b));
    return rank(a) - rank(b) || seen.indexOf(a) - seen.indexOf(b);
  });
}
