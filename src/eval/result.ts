/**
 * The evaluation result: the schema of results.json. Every group key (each format, each dimension)
 * is always present, in the fixed order of FORMATS and DIMENSIONS, so a reader can index it
 * without checking; a group with no questions has n = 0 and null figures (JSON has no NaN).
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { TempolabError } from '../engine/errors.js';
import type { Dimension, Format } from '../data/types.js';

/** A mean (a rate for accuracies) with its 95% percentile-bootstrap interval over `n` items. */
export interface Estimate {
  mean: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

/** One figure broken down the ways the benchmark is read. */
export interface Breakdown {
  overall: Estimate;
  byFormat: Record<Format, Estimate>;
  byDimension: Record<Dimension, Estimate>;
}

/** Accuracy figures for one set of questions (all of them, or the held-out compositions). */
export interface AccuracySummary extends Breakdown {
  byFormatDimension: Record<Format, Record<Dimension, Estimate>>;
  /**
   * Opposing-pair accuracy: a question and its partner (the opposing clip's question) count once,
   * as right only when both are right. Items are pairs, so n counts pairs.
   */
  pairs: Breakdown & {
    /** Questions whose partner is not in this set (or that have none): left out of pair figures. */
    unpaired: number;
  };
  /** Share of predictions the rules could read at all (TempCompass' "match rate"). */
  matchRate: Breakdown;
}

export interface CaptionSubject {
  temporal: Estimate;
  byDimension: Record<Dimension, Estimate>;
}

export interface EvaluationResult {
  schema: 'tempolab-evaluation';
  version: 1;
  /** A label for the model: a run directory, or "base" / "control" / "STAVE". */
  model: string;
  split: string | null;
  /** How the intervals were drawn, so a figure can be reproduced. */
  bootstrap: { seed: number; resamples: number; level: number };
  questions: number;
  all: AccuracySummary;
  /** The same figures on questions whose composition was held out of train and val. */
  heldOut: AccuracySummary;
  /** Mean P(ground-truth first answer token); null when the harness did not measure it. */
  firstTokenProbability: Breakdown | null;
  /**
   * Captioning: the share of captions that name the right subject, whether or not the rest is right —
   * does the model see what the clip is about? Pooled over the temporal dimensions, and by dimension.
   * In an order clip the subject is the object that moves first, so there it is a temporal judgement.
   * `heldOut`: the same on the held-out compositions (absent in results.json written before it was).
   */
  captionSubject: CaptionSubject & { heldOut?: CaptionSubject };
}

/** results.json text: two-space indented, keys in the schema's order. */
export function evaluationToJson(result: EvaluationResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export async function writeEvaluationJson(file: string, result: EvaluationResult): Promise<void> {
  await writeFileAtomic(file, evaluationToJson(result));
}

/** Reads a results.json written by tempolab, refusing other files and other schema versions. */
export async function readEvaluationJson(file: string): Promise<EvaluationResult> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new TempolabError(`cannot read evaluation results '${file}': ${(error as Error).message}; pass a results.json written by 'tempolab eval'`);
  }
  const v = value as Partial<EvaluationResult> | null;
  if (v?.schema !== 'tempolab-evaluation' || v.version !== 1) {
    throw new TempolabError(`'${file}' is not a tempolab evaluation result (version 1); pass a results.json written by 'tempolab eval'`);
  }
  return v as EvaluationResult;
}
