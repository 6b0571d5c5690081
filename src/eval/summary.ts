/**
 * The standard report sections for evaluation results — one model, or several side by side — as
 * report blocks, and as Markdown (results.md / the table the CLI prints).
 */
import { DIMENSIONS } from '../data/types.js';
import type { CompareOptions } from './compare.js';
import { heading, paragraph, renderMarkdown, svgBlock, tableBlock, type ReportBlock } from './report.js';
import type { EvaluationResult } from './result.js';
import { barChart } from './svg.js';
import { accuracyTable, captionSubjectTable, comparisonTable, firstTokenTable, pairTable, verdictTable } from './tables.js';

/** Accuracy by format × dimension (all and held-out), pair accuracy, first-token probability, the caption subject slot. */
export function evaluationBlocks(result: EvaluationResult): ReportBlock[] {
  const ftp = firstTokenTable(result);
  const subject = captionSubjectTable(result);
  return [
    heading(`Evaluation of ${result.model}`),
    paragraph(
      `${result.questions} questions${result.split ? ` (${result.split} split)` : ''}; ` +
        `figures are means with ${Math.round(result.bootstrap.level * 100)}% bootstrap intervals ` +
        `(${result.bootstrap.resamples} resamples, seed ${result.bootstrap.seed}) and their number of items.`,
    ),
    tableBlock(accuracyTable(result, 'all')),
    tableBlock(accuracyTable(result, 'heldOut')),
    tableBlock(pairTable(result)),
    ...(ftp ? [tableBlock(ftp)] : []),
    ...(subject ? [tableBlock(subject)] : []),
  ];
}

/** A bar chart of accuracy (or pair accuracy) by dimension, one bar per model, with interval bars. */
export function dimensionChart(results: readonly EvaluationResult[], options: CompareOptions = {}): string {
  const measure = options.measure ?? 'accuracy';
  const subset = options.subset ?? 'all';
  const figures = results.map((r) => (measure === 'pairs' ? r[subset].pairs : r[subset]).byDimension);
  return barChart({
    title: `${measure === 'pairs' ? 'Opposing-pair accuracy' : 'Accuracy'} by temporal dimension`,
    yLabel: measure === 'pairs' ? 'pair accuracy' : 'accuracy',
    categories: [...DIMENSIONS],
    yDomain: [0, 1],
    yPercent: true,
    series: results.map((r, i) => ({
      name: r.model,
      values: DIMENSIONS.map((d) => figures[i]![d].mean),
      low: DIMENSIONS.map((d) => figures[i]![d].low),
      high: DIMENSIONS.map((d) => figures[i]![d].high),
    })),
  });
}

/**
 * Several models side by side, e.g. base / control / STAVE: accuracy and pair accuracy tables, the
 * bar charts, and — when `challenger` and `baseline` name two of the models — the per-dimension
 * verdict of whether the challenger beats the baseline beyond the intervals.
 */
export function comparisonBlocks(results: readonly EvaluationResult[], verdict?: { challenger: string; baseline: string }): ReportBlock[] {
  const blocks: ReportBlock[] = [
    heading('Models side by side'),
    tableBlock(comparisonTable(results, { measure: 'accuracy' })),
    tableBlock(comparisonTable(results, { measure: 'pairs' })),
    tableBlock(comparisonTable(results, { measure: 'accuracy', subset: 'heldOut' })),
    svgBlock(dimensionChart(results, { measure: 'accuracy' }), 'Accuracy by dimension; bars are 95% bootstrap intervals.'),
    svgBlock(dimensionChart(results, { measure: 'pairs' }), 'Opposing-pair accuracy by dimension; bars are 95% bootstrap intervals.'),
  ];
  const x = results.find((r) => r.model === verdict?.challenger);
  const y = results.find((r) => r.model === verdict?.baseline);
  if (x && y) blocks.push(tableBlock(verdictTable(x, y, { measure: 'accuracy' })), tableBlock(verdictTable(x, y, { measure: 'pairs' })));
  return blocks;
}

/** One model's results as Markdown (tables only). */
export function evaluationMarkdown(result: EvaluationResult): string {
  // The blocks open with their own heading, for embedding in a larger report; here the title says it.
  return renderMarkdown({ title: `Evaluation of ${result.model}`, blocks: evaluationBlocks(result).slice(1) }).markdown;
}

/** Several models' results side by side as Markdown tables (charts are left to the HTML report). */
export function comparisonMarkdown(results: readonly EvaluationResult[], verdict?: { challenger: string; baseline: string }): string {
  const blocks = comparisonBlocks(results, verdict).filter((b) => b.kind !== 'svg');
  return renderMarkdown({ title: 'Evaluation', blocks }).markdown;
}
