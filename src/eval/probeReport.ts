/**
 * The probe report: for every experiment, one chart per model with the paper's axes — layer on x,
 * P_C on y, one line per condition and task format (a bar chart for whole-model interventions) —
 * and a table of mean P_C by format, so base, control and STAVE sit side by side.
 */
import type { Experiment } from '../probe/experiments.js';
import { pcSeries, summarizePC } from '../probe/pc.js';
import type { ProbeRow } from '../probe/runner.js';
import { groundTruthProbabilityChange } from '../probe/pc.js';
import { heading, paragraph, svgBlock, tableBlock, type ReportBlock } from './report.js';
import { barChart, lineChart } from './svg.js';

export interface ProbeRun {
  experiment: Pick<Experiment, 'name' | 'figure' | 'section' | 'title'>;
  /** One entry per model, in the order they are shown. */
  models: { model: string; rows: ProbeRow[] }[];
}

const signed = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);

function chart(model: string, run: ProbeRun): string {
  const series = pcSeries(model === '' ? [] : run.models.find((m) => m.model === model)!.rows);
  const layered = series.some((s) => s.points.some((p) => p.layer !== null));
  const title = `${run.experiment.figure} ${run.experiment.title} — ${model}`;
  if (layered) {
    return lineChart({
      title, xLabel: 'layer (window start)', yLabel: 'P_C',
      series: series.map((s) => ({ name: `${s.label ? s.label + ', ' : ''}${s.format}`, points: s.points.filter((p) => p.layer !== null).map((p) => ({ x: p.layer!, y: p.mean, low: p.low, high: p.high })) })),
    });
  }
  const labels = [...new Set(series.map((s) => s.label))];
  const formats = [...new Set(series.map((s) => s.format))];
  const pick = (label: string, format: string) => series.find((s) => s.label === label && s.format === format)?.points[0];
  return barChart({
    title, yLabel: 'P_C', categories: labels,
    series: formats.map((format) => ({
      name: format,
      values: labels.map((l) => pick(l, format)?.mean ?? null),
      low: labels.map((l) => pick(l, format)?.low ?? null),
      high: labels.map((l) => pick(l, format)?.high ?? null),
    })),
  });
}

export function probeReportBlocks(runs: readonly ProbeRun[]): ReportBlock[] {
  const blocks: ReportBlock[] = [
    paragraph('P_C = P̃(ground-truth first answer token) − P(same): how much an intervention changes the model’s belief in the right answer. Negative = the intervention hurts. Intervals are 95% bootstrap intervals over questions.'),
  ];
  for (const run of runs) {
    blocks.push(heading(`${run.experiment.figure} (${run.experiment.section}): ${run.experiment.title}`));
    for (const { model } of run.models) blocks.push(svgBlock(chart(model, run)));
    const formats = [...new Set(run.models.flatMap((m) => m.rows.map((r) => r.format)))];
    blocks.push(tableBlock({
      caption: 'Mean P_C over all conditions and layers, by task format',
      header: ['model', ...formats, 'questions'],
      rows: run.models.map(({ model, rows }) => {
        const summary = summarizePC(rows.map((r) => ({ format: r.format, pc: groundTruthProbabilityChange(r.baseline, r.intervened) })));
        return [model, ...formats.map((f) => { const s = summary.byFormat.find((b) => b.format === f); return s ? `${signed(s.mean)} (${signed(s.low)}…${signed(s.high)})` : '—'; }), String(new Set(rows.map((r) => r.questionId)).size)];
      }),
    }));
  }
  return blocks;
}
