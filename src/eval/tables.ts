/**
 * Evaluation results as tables of text cells, shared by the Markdown and HTML renderers so both
 * reports show the same numbers. Cells read "62.5 (55.0–70.1, n=40)": mean, 95% interval, items.
 */
import { DIMENSIONS, FORMATS } from '../data/types.js';
import { compareOnDimensions, type CompareOptions } from './compare.js';
import type { Breakdown, Estimate, EvaluationResult } from './result.js';

export interface Table {
  caption?: string;
  header: string[];
  rows: string[][];
}

/** Percent with one decimal for rates, three decimals for probabilities; "—" when there are no items. */
export function formatEstimate(e: Estimate, options: { percent?: boolean } = {}): string {
  if (e.mean === null || e.low === null || e.high === null) return `— (n=${e.n})`;
  const percent = options.percent ?? true;
  const f = (v: number) => (percent ? (100 * v).toFixed(1) : v.toFixed(3));
  return `${f(e.mean)} (${f(e.low)}–${f(e.high)}, n=${e.n})`;
}

const SUBSET_NAMES = { all: 'all questions', heldOut: 'held-out compositions' } as const;

/** Accuracy by format (rows) and dimension (columns), with the marginals in the last row and column. */
export function accuracyTable(result: EvaluationResult, subset: 'all' | 'heldOut' = 'all'): Table {
  const s = result[subset];
  return {
    caption: `Accuracy (%) of ${result.model} by task format and temporal dimension, ${SUBSET_NAMES[subset]}`,
    header: ['format', ...DIMENSIONS, 'all'],
    rows: [
      ...FORMATS.map((f) => [f, ...DIMENSIONS.map((d) => formatEstimate(s.byFormatDimension[f][d])), formatEstimate(s.byFormat[f])]),
      ['all', ...DIMENSIONS.map((d) => formatEstimate(s.byDimension[d])), formatEstimate(s.overall)],
    ],
  };
}

/** Opposing-pair accuracy by dimension, on all questions and on the held-out subset. */
export function pairTable(result: EvaluationResult): Table {
  const row = (label: string, pick: (b: Breakdown) => Estimate) => [label, formatEstimate(pick(result.all.pairs)), formatEstimate(pick(result.heldOut.pairs))];
  return {
    caption: `Opposing-pair accuracy (%) of ${result.model}: both questions of a pair right`,
    header: ['dimension', 'all pairs', 'held-out pairs'],
    rows: [...DIMENSIONS.map((d) => row(d, (b) => b.byDimension[d])), row('all', (b) => b.overall)],
  };
}

/** The caption subject slot by dimension and pooled over the temporal ones; null without captions. */
export function captionSubjectTable(result: EvaluationResult): Table | null {
  const c = result.captionSubject;
  // results.json written before the subject slot was measured has none.
  if (!c || DIMENSIONS.every((d) => c.byDimension[d].n === 0)) return null;
  return {
    caption: `Captions that name the right subject (%), ${result.model} (in order clips the subject is the object that moves first)`,
    header: ['dimension', 'subject slot', 'held-out compositions'],
    rows: [
      ...DIMENSIONS.map((d) => [d, formatEstimate(c.byDimension[d]), c.heldOut ? formatEstimate(c.heldOut.byDimension[d]) : '—']),
      ['temporal', formatEstimate(c.temporal), c.heldOut ? formatEstimate(c.heldOut.temporal) : '—'],
    ],
  };
}

/** Mean P(ground-truth first answer token) by format and by dimension; null when not measured. */
export function firstTokenTable(result: EvaluationResult): Table | null {
  const p = result.firstTokenProbability;
  if (!p) return null;
  const cell = (e: Estimate) => formatEstimate(e, { percent: false });
  return {
    caption: `Mean probability of the ground-truth first answer token, ${result.model}`,
    header: ['group', 'P(first answer token)'],
    rows: [
      ...FORMATS.map((f) => [f, cell(p.byFormat[f])]),
      ...DIMENSIONS.map((d) => [d, cell(p.byDimension[d])]),
      ['all', cell(p.overall)],
    ],
  };
}

/** Several models side by side (one column each): overall, by format, by dimension. */
export function comparisonTable(results: readonly EvaluationResult[], options: CompareOptions = {}): Table {
  const measure = options.measure ?? 'accuracy';
  const subset = options.subset ?? 'all';
  const pick = (r: EvaluationResult): Breakdown => (measure === 'pairs' ? r[subset].pairs : r[subset]);
  return {
    caption: `${measure === 'pairs' ? 'Opposing-pair accuracy' : 'Accuracy'} (%), ${SUBSET_NAMES[subset]}`,
    header: ['', ...results.map((r) => r.model)],
    rows: [
      ['all', ...results.map((r) => formatEstimate(pick(r).overall))],
      ...FORMATS.map((f) => [f, ...results.map((r) => formatEstimate(pick(r).byFormat[f]))]),
      ...DIMENSIONS.map((d) => [d, ...results.map((r) => formatEstimate(pick(r).byDimension[d]))]),
    ],
  };
}

/** x against y per dimension, with the verdict of the "beyond the intervals" rule. */
export function verdictTable(x: EvaluationResult, y: EvaluationResult, options: CompareOptions = {}): Table {
  const measure = options.measure ?? 'accuracy';
  return {
    caption: `${x.model} against ${y.model}: ${measure === 'pairs' ? 'opposing-pair accuracy' : 'accuracy'} (%), ${SUBSET_NAMES[options.subset ?? 'all']}; "yes" when ${x.model}'s lower bound is above ${y.model}'s upper bound`,
    header: ['dimension', x.model, y.model, 'beyond the intervals'],
    rows: compareOnDimensions(x, y, options).map((v) => [v.dimension, formatEstimate(v.x), formatEstimate(v.y), v.beats ? 'yes' : 'no']),
  };
}
