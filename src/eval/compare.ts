/**
 * Comparing models: does one beat another "beyond the intervals", i.e. is its lower 95% bound above
 * the other's upper bound? A conservative rule (non-overlapping intervals), chosen because it can be
 * read straight off the report's tables.
 */
import { DIMENSIONS, type Dimension } from '../data/types.js';
import type { Estimate, EvaluationResult } from './result.js';

/** `x.low > y.high`; false when either figure has no items. */
export function beatsBeyondIntervals(x: Estimate, y: Estimate): boolean {
  return x.low !== null && y.high !== null && x.low > y.high;
}

/** Which figure to compare: per-question accuracy, or opposing-pair accuracy. */
export type Measure = 'accuracy' | 'pairs';
/** All test questions, or only those of held-out compositions. */
export type Subset = 'all' | 'heldOut';

export interface CompareOptions {
  measure?: Measure;
  subset?: Subset;
}

/** The estimate a comparison reads from a result, for one dimension or overall. */
export function figureOf(result: EvaluationResult, dimension: Dimension | 'overall', options: CompareOptions = {}): Estimate {
  const summary = result[options.subset ?? 'all'];
  const breakdown = (options.measure ?? 'accuracy') === 'pairs' ? summary.pairs : summary;
  return dimension === 'overall' ? breakdown.overall : breakdown.byDimension[dimension];
}

/** Whether model `x` beats model `y` on `dimension` beyond the intervals. */
export function beatsOnDimension(x: EvaluationResult, y: EvaluationResult, dimension: Dimension | 'overall', options: CompareOptions = {}): boolean {
  return beatsBeyondIntervals(figureOf(x, dimension, options), figureOf(y, dimension, options));
}

export interface DimensionVerdict {
  dimension: Dimension | 'overall';
  x: Estimate;
  y: Estimate;
  beats: boolean;
}

/** x against y on every dimension and overall, e.g. STAVE against the control. */
export function compareOnDimensions(x: EvaluationResult, y: EvaluationResult, options: CompareOptions = {}): DimensionVerdict[] {
  return [...DIMENSIONS, 'overall' as const].map((dimension) => {
    const fx = figureOf(x, dimension, options);
    const fy = figureOf(y, dimension, options);
    return { dimension, x: fx, y: fy, beats: beatsBeyondIntervals(fx, fy) };
  });
}
