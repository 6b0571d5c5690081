/**
 * Benchmark figures from scored answers: accuracy by task format and temporal dimension,
 * opposing-pair accuracy, the held-out-composition subset, mean first-token probability and the
 * caption subject slot, each with a 95% percentile-bootstrap interval over its items.
 */
import { bootstrapInterval } from '../data/statistics.js';
import { DIMENSIONS, FORMATS, type Dimension, type Format } from '../data/types.js';
import type { AccuracySummary, Breakdown, Estimate, EvaluationResult } from './result.js';
import type { ScoredAnswer } from './score.js';

export interface EvaluateOptions {
  model: string;
  split?: string | null;
  /** Bootstrap seed (default 0) and resamples (default 1000): the same inputs give the same intervals. */
  seed?: number;
  resamples?: number;
}

interface Bootstrap {
  seed: number;
  resamples: number;
}

/** The mean of `values` with its interval; n = 0 gives null figures rather than NaN. */
export function estimate(values: readonly number[], bootstrap: Partial<Bootstrap> = {}): Estimate {
  if (values.length === 0) return { mean: null, low: null, high: null, n: 0 };
  const { mean, low, high, n } = bootstrapInterval(values, { seed: bootstrap.seed ?? 0, resamples: bootstrap.resamples ?? 1000, level: 0.95 });
  return { mean, low, high, n };
}

/** A record over `keys` (in their order) of the estimate of each key's items. */
function byKey<K extends string, T>(keys: readonly K[], items: readonly T[], keyOf: (item: T) => K, value: (item: T) => number, b: Bootstrap): Record<K, Estimate> {
  const out = {} as Record<K, Estimate>;
  for (const k of keys) out[k] = estimate(items.filter((i) => keyOf(i) === k).map(value), b);
  return out;
}

function breakdown<T extends { format: Format; dimension: Dimension }>(items: readonly T[], value: (item: T) => number, b: Bootstrap): Breakdown {
  return {
    overall: estimate(items.map(value), b),
    byFormat: byKey(FORMATS, items, (i) => i.format, value, b),
    byDimension: byKey(DIMENSIONS, items, (i) => i.dimension, value, b),
  };
}

export interface OpposingPair {
  format: Format;
  dimension: Dimension;
  members: [ScoredAnswer, ScoredAnswer];
  /** Both members right. */
  correct: boolean;
}

/**
 * The opposing pairs among `answers`, each once (in the order its first member appears), and the
 * answers left without a partner in the set.
 */
export function opposingPairs(answers: readonly ScoredAnswer[]): { pairs: OpposingPair[]; unpaired: number } {
  const byId = new Map(answers.map((a) => [a.questionId, a]));
  const seen = new Set<string>();
  const pairs: OpposingPair[] = [];
  let unpaired = 0;
  for (const a of answers) {
    if (seen.has(a.questionId)) continue;
    const partner = a.partnerId !== null && a.partnerId !== a.questionId ? byId.get(a.partnerId) : undefined;
    if (!partner || seen.has(partner.questionId)) {
      unpaired++;
      continue;
    }
    seen.add(a.questionId);
    seen.add(partner.questionId);
    pairs.push({ format: a.format, dimension: a.dimension, members: [a, partner], correct: a.correct && partner.correct });
  }
  return { pairs, unpaired };
}

function summarise(answers: readonly ScoredAnswer[], b: Bootstrap): AccuracySummary {
  const right = (a: { correct: boolean }) => (a.correct ? 1 : 0);
  const byFormatDimension = {} as Record<Format, Record<Dimension, Estimate>>;
  for (const f of FORMATS) {
    byFormatDimension[f] = byKey(DIMENSIONS, answers.filter((a) => a.format === f), (a) => a.dimension, right, b);
  }
  const { pairs, unpaired } = opposingPairs(answers);
  return {
    ...breakdown(answers, right, b),
    byFormatDimension,
    pairs: { ...breakdown(pairs, right, b), unpaired },
    matchRate: breakdown(answers, (a) => (a.choice === null ? 0 : 1), b),
  };
}

/** Every figure of the evaluation of one model. */
export function evaluate(answers: readonly ScoredAnswer[], options: EvaluateOptions): EvaluationResult {
  const b: Bootstrap = { seed: options.seed ?? 0, resamples: options.resamples ?? 1000 };
  const measured = answers.filter((a) => a.firstTokenProbability !== undefined);
  return {
    schema: 'tempolab-evaluation',
    version: 1,
    model: options.model,
    split: options.split ?? null,
    bootstrap: { ...b, level: 0.95 },
    questions: answers.length,
    all: summarise(answers, b),
    // Pairs are formed inside the subset: both clips of a pair share the composition, so a held-out
    // question's partner is held out too.
    heldOut: summarise(answers.filter((a) => a.heldOut), b),
    firstTokenProbability: measured.length > 0 ? breakdown(measured, (a) => a.firstTokenProbability!, b) : null,
    captionSubject: captionSubjectSlot(answers, b),
  };
}

/** How often a caption names the right subject: pooled over the temporal dimensions, and by dimension; all captions and the held-out compositions'. */
function captionSubjectSlot(answers: readonly ScoredAnswer[], b: Bootstrap): EvaluationResult['captionSubject'] {
  const subject = (a: ScoredAnswer) => (a.slots!.subject ? 1 : 0);
  const slot = (captions: readonly ScoredAnswer[]) => ({
    temporal: estimate(captions.filter((a) => a.dimension !== 'perception').map(subject), b),
    byDimension: byKey(DIMENSIONS, captions, (a) => a.dimension, subject, b),
  });
  const captions = answers.filter((a) => a.format === 'captioning' && a.slots);
  return { ...slot(captions), heldOut: slot(captions.filter((a) => a.heldOut)) };
}
