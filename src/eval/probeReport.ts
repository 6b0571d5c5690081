/**
 * The probe report: for every experiment, one figure in the paper's chart type — bars for
 * conditions at a single layer or over the whole model (Fig. 3, Fig. 4), lines over layers for
 * layer sweeps (Fig. 2, Fig. 5–9) — with one panel per model and task format on a shared y scale,
 * and a table of mean P_C per condition. Conditions are never averaged together (blocking the query
 * and blocking the frames are different questions), and every interval is over questions.
 */
import type { Experiment } from '../probe/experiments.js';
import { pcSeries, type PCSeries } from '../probe/pc.js';
import type { ProbeRow } from '../probe/runner.js';
import { FORMATS } from '../data/types.js';
import { meanOverQuestions } from './probeStats.js';
import { heading, paragraph, svgBlock, tableBlock, type ReportBlock } from './report.js';
import { panelFigure, type Panel } from './svg.js';

export interface ProbeRun {
  experiment: Pick<Experiment, 'name' | 'figure' | 'section' | 'title'>;
  /** One entry per model, in the order they are shown. */
  models: { model: string; rows: ProbeRow[] }[];
}

const signed = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);

/** Formats present in the rows, in TempCompass' order. */
function formatsOf(rows: readonly ProbeRow[]): string[] {
  const present = new Set(rows.map((r) => r.format));
  return [...FORMATS.filter((f) => present.has(f)), ...[...present].filter((f) => !(FORMATS as readonly string[]).includes(f))];
}

/** Labels present in the rows, in order of first appearance. */
const labelsOf = (rows: readonly ProbeRow[]) => [...new Set(rows.map((r) => r.label ?? ''))];

/** A layer sweep has some condition measured at more than one layer; otherwise bars. */
export function isLayerSweep(run: ProbeRun): boolean {
  return run.models.some(({ rows }) => {
    const layers = new Map<string, Set<number | null>>();
    for (const r of rows) {
      const key = r.label ?? '';
      const set = layers.get(key) ?? new Set();
      set.add(r.layer ?? null);
      layers.set(key, set);
    }
    return [...layers.values()].some((s) => s.size > 1);
  });
}

/** "reversed order: frame 2" → facet "reversed order", series "frame 2"; labels without a colon are their own series. */
function splitLabel(label: string): { facet: string; series: string } {
  const i = label.indexOf(': ');
  return i < 0 ? { facet: '', series: label } : { facet: label.slice(0, i), series: label.slice(i + 2) };
}

/** The experiment's figure: one SVG with a panel per model (bars) or per model × format (lines). */
export function probeFigure(run: ProbeRun): string {
  const title = `${run.experiment.figure} (${run.experiment.section}) ${run.experiment.title}`;
  const panels: Panel[] = [];
  if (isLayerSweep(run)) {
    const formats = formatsOf(run.models.flatMap((m) => m.rows));
    const facets = [...new Set(run.models.flatMap((m) => labelsOf(m.rows).map((l) => splitLabel(l).facet)))];
    for (const { model, rows } of run.models) {
      const series = pcSeries(rows);
      for (const facet of facets) {
        for (const format of formats) {
          panels.push({
            kind: 'line', xInteger: true,
            title: [model, format, facet].filter((t) => t).join(' · '),
            series: series.filter((s) => s.format === format && splitLabel(s.label).facet === facet).map((s: PCSeries) => ({
              name: splitLabel(s.label).series || 'P_C',
              points: s.points.filter((p) => p.layer !== null).map((p) => ({ x: p.layer!, y: p.mean, low: p.low, high: p.high })),
            })),
          });
        }
      }
    }
    return panelFigure({ title, xLabel: 'decoder layer (window start)', yLabel: 'P_C', panels, columns: formats.length * facets.length > 4 ? 4 : formats.length * facets.length });
  }
  for (const { model, rows } of run.models) {
    const series = pcSeries(rows);
    const formats = formatsOf(rows);
    const labels = labelsOf(rows);
    const pick = (label: string, format: string) => series.find((s) => s.label === label && s.format === format)?.points[0];
    panels.push({
      kind: 'bar', title: model, categories: formats,
      series: labels.map((label) => ({
        name: label || 'P_C',
        values: formats.map((f) => pick(label, f)?.mean ?? null),
        low: formats.map((f) => pick(label, f)?.low ?? null),
        high: formats.map((f) => pick(label, f)?.high ?? null),
      })),
    });
  }
  return panelFigure({ title, yLabel: 'P_C', panels, panelWidth: 330 });
}

/** Mean P_C per model × condition and task format; layer sweeps also name the layer of the largest drop. */
function probeTable(run: ProbeRun, sweep: boolean): ReportBlock {
  const formats = formatsOf(run.models.flatMap((m) => m.rows));
  const rows: string[][] = [];
  for (const { model, rows: data } of run.models) {
    for (const label of labelsOf(data)) {
      const cells = formats.map((f) => {
        const e = meanOverQuestions(data, (r) => (r.label ?? '') === label && r.format === f);
        return e.n === 0 ? '—' : `${signed(e.mean)} (${signed(e.low)}…${signed(e.high)})`;
      });
      const extra: string[] = [];
      if (sweep) {
        const layers = [...new Set(data.filter((r) => (r.label ?? '') === label && r.layer !== null && r.layer !== undefined).map((r) => r.layer!))].sort((a, b) => a - b);
        const byLayer = layers.map((layer) => ({ layer, e: meanOverQuestions(data, (r) => (r.label ?? '') === label && r.layer === layer) }));
        const worst = byLayer.reduce<(typeof byLayer)[number] | null>((w, x) => (w === null || x.e.mean < w.e.mean ? x : w), null);
        extra.push(worst ? `${worst.layer}: ${signed(worst.e.mean)} (${signed(worst.e.low)}…${signed(worst.e.high)})` : '—');
      }
      rows.push([model, label || '—', ...cells, ...extra, String(new Set(data.filter((r) => (r.label ?? '') === label).map((r) => r.questionId)).size)]);
    }
  }
  return tableBlock({
    caption: sweep
      ? 'Mean P_C per condition: each question’s P_C averaged over the condition’s layers, then a 95% bootstrap over questions; and the layer with the lowest mean P_C (all formats)'
      : 'Mean P_C per condition, 95% bootstrap over questions',
    header: ['model', 'condition', ...formats, ...(sweep ? ['largest drop at layer'] : []), 'questions'],
    rows,
  });
}

export function probeReportBlocks(runs: readonly ProbeRun[]): ReportBlock[] {
  const blocks: ReportBlock[] = [
    paragraph('P_C = P̃(ground-truth first answer token) − P(same): how much an intervention changes the model’s belief in the right answer. Negative = the intervention hurts. Bands and error bars are 95% bootstrap intervals over questions; every panel of a figure shares its y scale.'),
  ];
  for (const run of runs) {
    const sweep = isLayerSweep(run);
    blocks.push(heading(`${run.experiment.figure} (${run.experiment.section}): ${run.experiment.title}`, 3));
    blocks.push(svgBlock(probeFigure(run)));
    blocks.push(probeTable(run, sweep));
  }
  return blocks;
}
