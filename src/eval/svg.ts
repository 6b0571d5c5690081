/**
 * Charts as self-contained SVG text, with no dependencies, for reports that open offline: a line
 * chart (training curves, layer sweeps), a grouped bar chart with error bars (single-layer and
 * whole-model conditions, accuracy by dimension), and a figure of several such panels on one shared
 * y scale with one shared legend (a probe figure: one panel per model and task format). The same
 * spec always gives the same bytes, and every piece of text is escaped.
 *
 * Layout, fixed so a point's pixel position follows from the spec alone: the plot area spans
 * x from the left margin (MARGIN.left, or wider when the y tick labels need it) to
 * width − MARGIN.right − LEGEND_WIDTH (the legend is a column at the right) and y from MARGIN.top
 * (+ TITLE_HEIGHT per title line) down to height − MARGIN.bottom. Data map linearly onto it,
 * y upwards. Coordinates are rounded to 2 decimals.
 *
 * Legibility rules a reader of a figure relies on: legend entries are wrapped, never cut; long
 * titles wrap; no colour repeats within a chart (past the 10-colour palette, further hues are
 * spread around the colour wheel); every data point is drawn as a dot, so a series with a single
 * point still shows; integer axes (layers) get integer ticks only.
 */
import { TempolabError } from '../engine/errors.js';

export const MARGIN = { top: 20, right: 20, bottom: 50, left: 60 } as const;
export const TITLE_HEIGHT = 24;
export const LEGEND_WIDTH = 160;
/** Legend labels wrap at word boundaries to lines of at most this many characters. */
const LEGEND_CHARS = 22;
const LEGEND_LINE = 14;
const CLIP_PAD = 3;
/** Rough advance of one character at 12 px and at 14 px bold, for wrapping and margins. */
const CHAR_12 = 7;
const CHAR_14 = 8.5;

/** Tableau's 10-colour palette: distinguishable, and readable in greyscale print. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

/** `n` colours, all different: the palette first, then hues spread by the golden angle. */
export function distinctColours(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i < PALETTE.length ? PALETTE[i]! : `hsl(${Math.round(((i - PALETTE.length) * 137.508 + 15) % 360)}, ${i % 2 ? 45 : 65}%, ${i % 3 ? 42 : 55}%)`));
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Words packed into lines of at most `width` characters; a longer word is split, never dropped. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w)) {
    for (let rest = word; rest.length > 0;) {
      const room = line ? width - line.length - 1 : width;
      if (rest.length <= room) {
        line = line ? `${line} ${rest}` : rest;
        rest = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** A point of a line; a null or non-finite y breaks the line there (e.g. a NaN loss). */
export interface ChartPoint {
  x: number;
  y: number | null;
  /** The shaded band around the line (an interval); drawn where both bounds are finite. */
  low?: number | null;
  high?: number | null;
}

export interface LineSeries {
  name: string;
  /** Drawn in the given order: sort by x first. */
  points: readonly ChartPoint[];
  colour?: string;
  dashed?: boolean;
}

interface AxesSpec {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixels; default 640 × 400. */
  width?: number;
  height?: number;
  /** Fixes the y axis (e.g. [0, 1] for accuracy); default: the data's range widened to round ticks. */
  yDomain?: readonly [number, number];
  /** Label y ticks as percentages (0.25 → "25%"). */
  yPercent?: boolean;
}

interface LinePlot {
  series: readonly LineSeries[];
  /** Fixes the x axis; default: the data's range. */
  xDomain?: readonly [number, number];
  /** x is a count (a layer): ticks at whole numbers only. */
  xInteger?: boolean;
}

export interface LineChartSpec extends AxesSpec, LinePlot {}

export interface BarSeries {
  name: string;
  /** One value per category; null leaves the slot empty. */
  values: readonly (number | null)[];
  /** Error bar bounds per category (e.g. a 95% interval). */
  low?: readonly (number | null)[];
  high?: readonly (number | null)[];
  colour?: string;
}

interface BarPlot {
  categories: readonly string[];
  series: readonly BarSeries[];
}

export interface BarChartSpec extends AxesSpec, BarPlot {}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const num = (v: number) => String(Math.round(v * 100) / 100 || 0);

/** A round tick step (1, 2 or 5 × 10^k) giving about `target` ticks over `span`. */
function tickStep(span: number, target = 5): number {
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power;
}

const decimalsOf = (step: number) => Math.max(0, -Math.floor(Math.log10(step) + 1e-9));

/** The ticks inside [lo, hi], on multiples of a round step (a whole step when `integer`). */
export function niceTicks(lo: number, hi: number, target = 5, integer = false): number[] {
  const step = integer ? Math.max(1, Math.round(tickStep(hi - lo, target))) : tickStep(hi - lo, target);
  const digits = decimalsOf(step);
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toFixed(digits)));
  return ticks;
}

/** A domain that is never empty: a single value is widened so it sits in the middle. */
function spread(lo: number, hi: number, integer = false): [number, number] {
  if (lo < hi) return [lo, hi];
  const pad = integer ? 1 : lo === 0 ? 1 : Math.abs(lo) / 10;
  return [lo - pad, hi + pad];
}

/** The smallest and largest value (a fold: spreading a long series into Math.min overflows the stack). */
function extent(values: readonly number[]): [number, number] {
  return [values.reduce((a, b) => Math.min(a, b)), values.reduce((a, b) => Math.max(a, b))];
}

/** The data range widened outwards to whole tick steps. */
function niceDomain(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  const [lo, hi] = spread(...extent(values));
  const step = tickStep(hi - lo);
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

interface Frame extends Box {
  y: (v: number) => number;
  yDomain: [number, number];
  yTicks: { value: number; label: string }[];
}

function tickLabel(v: number, step: number, percent: boolean): string {
  return percent ? `${(100 * v).toFixed(decimalsOf(100 * step))}%` : v.toFixed(decimalsOf(step));
}

function yTicksOf(domain: [number, number], percent: boolean): { value: number; label: string }[] {
  const ticks = niceTicks(domain[0], domain[1]);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : tickStep(domain[1] - domain[0]);
  return ticks.map((value) => ({ value, label: tickLabel(value, step, percent) }));
}

/** Room left of the plot for the tick labels and, beyond them, the rotated y label. */
const leftMarginFor = (ticks: readonly { label: string }[]) => Math.max(MARGIN.left, 32 + CHAR_12 * Math.max(0, ...ticks.map((t) => t.label.length)));

function frameIn(box: Box, yDomain: [number, number]): Frame {
  const y = (v: number) => box.bottom - ((v - yDomain[0]) / (yDomain[1] - yDomain[0])) * (box.bottom - box.top);
  return { ...box, y, yDomain, yTicks: [] };
}

const svgOpen = (width: number, height: number) => [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="sans-serif" font-size="12">`,
  `<rect width="${num(width)}" height="${num(height)}" fill="#ffffff"/>`,
];

/** Title lines centred over the whole width; wraps rather than running past the edges. */
function titleLines(title: string | undefined, width: number): string[] {
  return title ? wrapText(title, Math.max(10, Math.floor((width - 20) / CHAR_14))) : [];
}

function titleText(lines: readonly string[], width: number, top: number, size = 14): string[] {
  return lines.map((l, i) => `<text class="title" x="${num(width / 2)}" y="${num(top + 6 + i * TITLE_HEIGHT * (size / 14))}" text-anchor="middle" font-size="${size}" font-weight="bold">${escapeXml(l)}</text>`);
}

/** Y grid with tick labels and the two axis lines. */
function yAxis(f: Frame, percent: boolean): string[] {
  const out: string[] = [];
  for (const t of yTicksOf(f.yDomain, percent)) {
    const py = num(f.y(t.value));
    out.push(`<line class="grid" x1="${num(f.left)}" y1="${py}" x2="${num(f.right)}" y2="${py}" stroke="#e0e0e0"/>`);
    out.push(`<text class="tick" x="${num(f.left - 6)}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(t.label)}</text>`);
  }
  out.push(`<line class="axis" x1="${num(f.left)}" y1="${num(f.top)}" x2="${num(f.left)}" y2="${num(f.bottom)}" stroke="#333333"/>`);
  out.push(`<line class="axis" x1="${num(f.left)}" y1="${num(f.bottom)}" x2="${num(f.right)}" y2="${num(f.bottom)}" stroke="#333333"/>`);
  if (f.yDomain[0] < 0 && f.yDomain[1] > 0) out.push(`<line class="zero" x1="${num(f.left)}" y1="${num(f.y(0))}" x2="${num(f.right)}" y2="${num(f.y(0))}" stroke="#888888"/>`);
  return out;
}

function axisLabels(spec: { xLabel?: string; yLabel?: string }, box: Box, xLabelY: number, yLabelX: number): string[] {
  const out: string[] = [];
  if (spec.xLabel) out.push(`<text class="axis-label" x="${num((box.left + box.right) / 2)}" y="${num(xLabelY)}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  if (spec.yLabel) {
    const cy = num((box.top + box.bottom) / 2);
    out.push(`<text class="axis-label" x="${num(yLabelX)}" y="${cy}" text-anchor="middle" transform="rotate(-90 ${num(yLabelX)} ${cy})">${escapeXml(spec.yLabel)}</text>`);
  }
  return out;
}

interface LegendEntry {
  name: string;
  colour: string;
  dashed?: boolean;
  swatch: 'line' | 'box';
}

/** The legend column at x, from y downwards; each entry's full name, wrapped. */
function legend(x: number, top: number, entries: readonly LegendEntry[]): string[] {
  let y = top + 8;
  return entries.map((e) => {
    const lines = wrapText(e.name, LEGEND_CHARS);
    const mark = e.swatch === 'line'
      ? `<line x1="${num(x)}" y1="${num(y)}" x2="${num(x + 20)}" y2="${num(y)}" stroke="${e.colour}" stroke-width="2"${e.dashed ? ' stroke-dasharray="5 3"' : ''}/>`
      : `<rect x="${num(x + 4)}" y="${num(y - 6)}" width="12" height="12" fill="${e.colour}"/>`;
    const text = lines.map((l, i) => `<tspan x="${num(x + 26)}" dy="${i === 0 ? 0 : LEGEND_LINE}">${escapeXml(l)}</tspan>`).join('');
    const out = `<g class="legend" data-series="${escapeXml(e.name)}">${mark}<text x="${num(x + 26)}" y="${num(y)}" dominant-baseline="middle">${text}</text></g>`;
    y += lines.length * LEGEND_LINE + 6;
    return out;
  });
}

const legendHeight = (names: readonly string[]) => 8 + names.reduce((h, n) => h + wrapText(n, LEGEND_CHARS).length * LEGEND_LINE + 6, 0);

function checkColour(c: string): string {
  // Colours go into attributes unescaped, so only plain colour syntax is accepted.
  if (!/^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+|rgba?\([0-9., %]+\)|hsla?\([0-9., %]+\))$/.test(c)) throw new TempolabError(`'${c}' is not a colour; use '#rrggbb', a colour name, rgb(…) or hsl(…)`);
  return c;
}

/** Colours per series name: given ones kept, the rest from distinctColours, skipping taken ones. */
function coloursFor(series: readonly { name: string; colour?: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of series) if (s.colour !== undefined && !out.has(s.name)) out.set(s.name, checkColour(s.colour));
  const taken = new Set(out.values());
  const pool = distinctColours(series.length + taken.size).filter((c) => !taken.has(c));
  for (const s of series) if (!out.has(s.name)) out.set(s.name, pool.shift()!);
  return out;
}

/** Runs of consecutive points for which `keep` holds: a line or band is drawn per run. */
function runs(points: readonly ChartPoint[], keep: (p: ChartPoint) => boolean): ChartPoint[][] {
  const out: ChartPoint[][] = [];
  let current: ChartPoint[] = [];
  for (const p of points) {
    if (keep(p)) current.push(p);
    else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

const lineYValues = (plot: LinePlot) => plot.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x)).flatMap((p) => [p.y, p.low, p.high]).filter(finite);
const barYValues = (plot: BarPlot) => [0, ...plot.series.flatMap((s) => [...s.values, ...(s.low ?? []), ...(s.high ?? [])]).filter(finite)];

/** The marks of a line plot inside frame f: x ticks, bands, lines and a dot per point. */
function linePlot(plot: LinePlot, f: Frame, colours: Map<string, string>): string[] {
  const xs = plot.series.flatMap((s) => s.points).map((p) => p.x).filter((x) => Number.isFinite(x));
  const integer = plot.xInteger ?? false;
  const [x0, x1] = plot.xDomain ? spread(plot.xDomain[0], plot.xDomain[1], integer) : xs.length > 0 ? spread(...extent(xs), integer) : [0, 1];
  const px = (v: number) => f.left + ((v - x0) / (x1 - x0)) * (f.right - f.left);
  const out: string[] = [];
  const ticks = niceTicks(x0, x1, Math.max(2, Math.min(8, Math.floor((f.right - f.left) / 40))), integer);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : tickStep(x1 - x0);
  for (const t of ticks) {
    const tx = num(px(t));
    out.push(`<line x1="${tx}" y1="${num(f.bottom)}" x2="${tx}" y2="${num(f.bottom + 5)}" stroke="#333333"/>`);
    out.push(`<text class="tick" x="${tx}" y="${num(f.bottom + 18)}" text-anchor="middle">${escapeXml(tickLabel(t, step, false))}</text>`);
  }
  // Several charts share one HTML page, and ids are page-wide: naming the clip by its rectangle
  // makes any two charts that share an id share the same rectangle too.
  const clip = `plot-${[f.left, f.top, f.right - f.left, f.bottom - f.top].map((v) => num(v).replace('.', '_')).join('-')}`;
  // The clip reaches CLIP_PAD beyond the axes so a line along the domain's edge keeps its full width.
  out.push(`<defs><clipPath id="${clip}"><rect x="${num(f.left - CLIP_PAD)}" y="${num(f.top - CLIP_PAD)}" width="${num(f.right - f.left + 2 * CLIP_PAD)}" height="${num(f.bottom - f.top + 2 * CLIP_PAD)}"/></clipPath></defs>`);
  out.push(`<g clip-path="url(#${clip})">`);
  for (const s of plot.series) {
    for (const run of runs(s.points, (p) => Number.isFinite(p.x) && finite(p.low) && finite(p.high))) {
      const upper = run.map((p) => `${num(px(p.x))},${num(f.y(p.high!))}`);
      const lower = [...run].reverse().map((p) => `${num(px(p.x))},${num(f.y(p.low!))}`);
      out.push(`<path class="band" d="M${[...upper, ...lower].join('L')}Z" fill="${colours.get(s.name)}" fill-opacity="0.15" stroke="none"/>`);
    }
  }
  for (const s of plot.series) {
    const colour = colours.get(s.name)!;
    const d = runs(s.points, (p) => Number.isFinite(p.x) && finite(p.y))
      .map((run) => `M${run.map((p) => `${num(px(p.x))},${num(f.y(p.y!))}`).join('L')}`)
      .join('');
    out.push(`<path class="line" data-series="${escapeXml(s.name)}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    for (const p of s.points) {
      if (Number.isFinite(p.x) && finite(p.y)) out.push(`<circle class="point" data-series="${escapeXml(s.name)}" cx="${num(px(p.x))}" cy="${num(f.y(p.y))}" r="2.5" fill="${colour}"/>`);
    }
  }
  out.push('</g>');
  return out;
}

function checkBars(plot: BarPlot): void {
  for (const s of plot.series) {
    for (const [field, list] of [['values', s.values], ['low', s.low], ['high', s.high]] as const) {
      if (list && list.length !== plot.categories.length) throw new TempolabError(`bar series '${s.name}' has ${list.length} ${field} for ${plot.categories.length} categories; give one per category`);
    }
  }
}

/** Grouped bars inside frame f, one group per category and one bar per series, with error bars. */
function barPlot(plot: BarPlot, f: Frame, colours: Map<string, string>): string[] {
  const out: string[] = [];
  const band = (f.right - f.left) / Math.max(1, plot.categories.length);
  const barWidth = (0.8 * band) / Math.max(1, plot.series.length);
  const clamp = (v: number) => Math.min(f.bottom, Math.max(f.top, f.y(v)));
  const base = clamp(0);
  const labelChars = Math.max(4, Math.floor(band / CHAR_12));
  plot.categories.forEach((c, j) => {
    const lines = wrapText(c.replace(/_/g, ' '), labelChars);
    out.push(`<text class="tick" x="${num(f.left + (j + 0.5) * band)}" y="${num(f.bottom + 18)}" text-anchor="middle">${lines.map((l, i) => `<tspan x="${num(f.left + (j + 0.5) * band)}" dy="${i === 0 ? 0 : 13}">${escapeXml(l)}</tspan>`).join('')}</text>`);
  });
  plot.series.forEach((s, i) => {
    const colour = colours.get(s.name)!;
    plot.categories.forEach((c, j) => {
      const v = s.values[j];
      if (!finite(v)) return;
      const x = f.left + j * band + 0.1 * band + i * barWidth;
      // A bar of value 0 keeps a hairline, so the reader sees it was measured.
      const height = Math.max(Math.abs(clamp(v) - base), 1);
      const y = v >= 0 ? base - height : base;
      out.push(`<rect class="bar" data-series="${escapeXml(s.name)}" x="${num(x)}" y="${num(y)}" width="${num(barWidth)}" height="${num(height)}" fill="${colour}"><title>${escapeXml(`${s.name}, ${c}: ${v}`)}</title></rect>`);
      const lo = s.low?.[j];
      const hi = s.high?.[j];
      if (finite(lo) && finite(hi)) {
        const cx = num(x + barWidth / 2);
        const cap = Math.min(6, barWidth / 3);
        const [yl, yh] = [num(clamp(lo)), num(clamp(hi))];
        out.push(`<path class="error-bar" d="M${cx},${yl}L${cx},${yh}M${num(x + barWidth / 2 - cap)},${yl}L${num(x + barWidth / 2 + cap)},${yl}M${num(x + barWidth / 2 - cap)},${yh}L${num(x + barWidth / 2 + cap)},${yh}" stroke="#222222" stroke-width="1.2" fill="none"/>`);
      }
    });
  });
  return out;
}

/** The frame of a single chart: plot area from the spec, left margin wide enough for the y ticks. */
function singleFrame(spec: AxesSpec, yValues: readonly number[]): { frame: Frame; titles: string[]; width: number; height: number } {
  const width = spec.width ?? 640;
  const height = spec.height ?? 400;
  const titles = titleLines(spec.title, width);
  const yDomain = spec.yDomain ? spread(spec.yDomain[0], spec.yDomain[1]) : niceDomain(yValues);
  const left = leftMarginFor(yTicksOf(yDomain, spec.yPercent ?? false));
  const right = width - MARGIN.right - LEGEND_WIDTH;
  const top = MARGIN.top + titles.length * TITLE_HEIGHT;
  const bottom = height - MARGIN.bottom;
  if (right - left < 10 || bottom - top < 10) throw new TempolabError(`chart of ${width} × ${height} pixels leaves no room to plot; make it at least ${left + MARGIN.right + LEGEND_WIDTH + 10} × ${top + MARGIN.bottom + 10}`);
  return { frame: frameIn({ left, right, top, bottom }, yDomain), titles, width, height };
}

/** A line chart, one `<path class="line">` per series, a dot per point, optional interval bands. */
export function lineChart(spec: LineChartSpec): string {
  const { frame: f, titles, width, height } = singleFrame(spec, lineYValues(spec));
  const colours = coloursFor(spec.series);
  const out = [
    ...svgOpen(width, height),
    ...titleText(titles, width, MARGIN.top),
    ...yAxis(f, spec.yPercent ?? false),
    ...axisLabels(spec, f, height - 12, 16),
    ...linePlot(spec, f, colours),
    ...legend(f.right + 16, f.top, spec.series.map((s) => ({ name: s.name, colour: colours.get(s.name)!, dashed: s.dashed, swatch: 'line' as const }))),
    '</svg>',
  ];
  return `${out.join('\n')}\n`;
}

/** Grouped bars, one group per category and one bar per series, with error bars from low to high. */
export function barChart(spec: BarChartSpec): string {
  checkBars(spec);
  const { frame: f, titles, width, height } = singleFrame(spec, barYValues(spec));
  const colours = coloursFor(spec.series);
  const out = [
    ...svgOpen(width, height),
    ...titleText(titles, width, MARGIN.top),
    ...yAxis(f, spec.yPercent ?? false),
    ...axisLabels(spec, f, height - 8, 16),
    ...barPlot(spec, f, colours),
    ...legend(f.right + 16, f.top, spec.series.map((s) => ({ name: s.name, colour: colours.get(s.name)!, swatch: 'box' as const }))),
    '</svg>',
  ];
  return `${out.join('\n')}\n`;
}

/** One panel of a figure: a line plot or a bar plot with its own small title. */
export type Panel = { title: string } & (({ kind: 'line' } & LinePlot) | ({ kind: 'bar' } & BarPlot));

export interface PanelFigureSpec {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  yPercent?: boolean;
  /** Shared by every panel; default: the range of all panels' data widened to round ticks. */
  yDomain?: readonly [number, number];
  panels: readonly Panel[];
  /** Panels per row (default: all in one row, at most 4). */
  columns?: number;
  /** Size of one panel in pixels, margins included; default 250 × 210. */
  panelWidth?: number;
  panelHeight?: number;
}

/**
 * Several panels on one shared y scale, laid out in rows, with one legend for all of them: a
 * series name has the same colour in every panel and no two names share a colour.
 */
export function panelFigure(spec: PanelFigureSpec): string {
  if (spec.panels.length === 0) throw new TempolabError('a panel figure needs at least one panel');
  for (const p of spec.panels) if (p.kind === 'bar') checkBars(p);
  const yValues = spec.panels.flatMap((p) => (p.kind === 'line' ? lineYValues(p) : barYValues(p)));
  const yDomain = spec.yDomain ? spread(spec.yDomain[0], spec.yDomain[1]) : niceDomain(yValues);
  const ticks = yTicksOf(yDomain, spec.yPercent ?? false);
  const columns = Math.max(1, Math.min(spec.columns ?? Math.min(4, spec.panels.length), spec.panels.length));
  const rows = Math.ceil(spec.panels.length / columns);
  const panelWidth = spec.panelWidth ?? 250;
  const panelHeight = spec.panelHeight ?? 210;
  const inner = leftMarginFor(ticks) - 24;
  const outer = 24;
  const width = outer + columns * panelWidth + MARGIN.right + LEGEND_WIDTH;
  const titles = titleLines(spec.title, width);
  const top0 = MARGIN.top + titles.length * TITLE_HEIGHT;
  const allSeries = spec.panels.flatMap((p) => p.series.map((s) => ({ name: s.name, colour: s.colour, kind: p.kind, dashed: p.kind === 'line' ? (s as LineSeries).dashed : undefined })));
  const names = [...new Map(allSeries.map((s) => [s.name, s])).values()];
  const colours = coloursFor(names);
  const barLabelLines = Math.max(1, ...spec.panels.filter((p) => p.kind === 'bar').flatMap((p) => (p as BarPlot).categories.map((c) => wrapText(c.replace(/_/g, ' '), Math.max(4, Math.floor((panelWidth - inner - 10) / Math.max(1, (p as BarPlot).categories.length) / CHAR_12))).length)));
  const panelBottom = 30 + (barLabelLines - 1) * 13;
  const height = Math.max(top0 + rows * panelHeight + (spec.xLabel ? 20 : 0) + 10, top0 + legendHeight(names.map((n) => n.name)) + 10);
  const out = [...svgOpen(width, height), ...titleText(titles, width, MARGIN.top)];
  const titleChars = Math.max(10, Math.floor((panelWidth - inner) / CHAR_12));
  const titleRows = Math.max(...spec.panels.map((p) => wrapText(p.title, titleChars).length));
  spec.panels.forEach((p, i) => {
    const x0 = outer + (i % columns) * panelWidth;
    const y0 = top0 + Math.floor(i / columns) * panelHeight;
    const panelTitles = wrapText(p.title, titleChars);
    // Every panel's plot starts below the tallest panel title, so panels side by side align.
    const box = { left: x0 + inner, right: x0 + panelWidth - 10, top: y0 + 8 + titleRows * 15, bottom: y0 + panelHeight - panelBottom };
    if (box.right - box.left < 10 || box.bottom - box.top < 10) throw new TempolabError(`panels of ${panelWidth} × ${panelHeight} pixels leave no room to plot; make them larger`);
    const f = frameIn(box, yDomain);
    out.push(`<g class="panel" data-panel="${escapeXml(p.title)}">`);
    panelTitles.forEach((l, k) => out.push(`<text class="panel-title" x="${num((box.left + box.right) / 2)}" y="${num(y0 + 4 + k * 15)}" text-anchor="middle" font-weight="bold">${escapeXml(l)}</text>`));
    out.push(...yAxis(f, spec.yPercent ?? false));
    out.push(...(p.kind === 'line' ? linePlot(p, f, colours) : barPlot(p, f, colours)));
    out.push('</g>');
  });
  const grid = { left: outer + inner, right: outer + columns * panelWidth - 10, top: top0, bottom: top0 + rows * panelHeight };
  out.push(...axisLabels({ xLabel: spec.xLabel }, grid, grid.bottom + 12, 12));
  if (spec.yLabel) out.push(...axisLabels({ yLabel: spec.yLabel }, grid, 0, 12));
  out.push(...legend(outer + columns * panelWidth + 16, top0, names.map((s) => ({ name: s.name, colour: colours.get(s.name)!, dashed: s.dashed, swatch: s.kind === 'line' ? 'line' as const : 'box' as const }))));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
