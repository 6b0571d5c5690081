/**
 * Charts as self-contained SVG text, with no dependencies, for reports that open offline: a line
 * chart (training curves; the probe figures, layer on x and P_C on y, one line per task format) and
 * a grouped bar chart with error bars (accuracy by dimension for several models). The same spec
 * always gives the same bytes, and every piece of text is escaped.
 *
 * Layout, fixed so a point's pixel position follows from the spec alone: the plot area spans
 * x from MARGIN.left to width − MARGIN.right − LEGEND_WIDTH (the legend is a column at the right)
 * and y from MARGIN.top (+ TITLE_HEIGHT with a title) down to height − MARGIN.bottom. Data map
 * linearly onto it, y upwards. Coordinates are rounded to 2 decimals.
 */
import { TempolabError } from '../engine/errors.js';

export const MARGIN = { top: 20, right: 20, bottom: 50, left: 60 } as const;
export const TITLE_HEIGHT = 24;
export const LEGEND_WIDTH = 160;
const LEGEND_ROW = 18;
/** Legend labels longer than this are cut with an ellipsis (the full name is in a tooltip). */
const LEGEND_CHARS = 20;
const CLIP_PAD = 3;

/** Tableau's 10-colour palette: distinguishable, and readable in greyscale print. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
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

export interface LineChartSpec extends AxesSpec {
  series: readonly LineSeries[];
  /** Fixes the x axis; default: the data's range. */
  xDomain?: readonly [number, number];
}

export interface BarSeries {
  name: string;
  /** One value per category; null leaves the slot empty. */
  values: readonly (number | null)[];
  /** Error bar bounds per category (e.g. a 95% interval). */
  low?: readonly (number | null)[];
  high?: readonly (number | null)[];
  colour?: string;
}

export interface BarChartSpec extends AxesSpec {
  categories: readonly string[];
  series: readonly BarSeries[];
}

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

/** The ticks inside [lo, hi], on multiples of a round step. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  const step = tickStep(hi - lo, target);
  const digits = decimalsOf(step);
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toFixed(digits)));
  return ticks;
}

/** A domain that is never empty: a single value is widened so it sits in the middle. */
function spread(lo: number, hi: number): [number, number] {
  if (lo < hi) return [lo, hi];
  const pad = lo === 0 ? 1 : Math.abs(lo) / 10;
  return [lo - pad, hi + pad];
}

/** The data range widened outwards to whole tick steps. */
function niceDomain(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  const [lo, hi] = spread(Math.min(...values), Math.max(...values));
  const step = tickStep(hi - lo);
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  y: (v: number) => number;
  yDomain: [number, number];
}

function frameFor(spec: AxesSpec, yValues: readonly number[]): Frame {
  const width = spec.width ?? 640;
  const height = spec.height ?? 400;
  const left = MARGIN.left;
  const right = width - MARGIN.right - LEGEND_WIDTH;
  const top = MARGIN.top + (spec.title ? TITLE_HEIGHT : 0);
  const bottom = height - MARGIN.bottom;
  if (right - left < 10 || bottom - top < 10) throw new TempolabError(`chart of ${width} × ${height} pixels leaves no room to plot; make it at least ${left + MARGIN.right + LEGEND_WIDTH + 10} × ${top + MARGIN.bottom + 10}`);
  const yDomain = spec.yDomain ? spread(spec.yDomain[0], spec.yDomain[1]) : niceDomain(yValues);
  const y = (v: number) => bottom - ((v - yDomain[0]) / (yDomain[1] - yDomain[0])) * (bottom - top);
  return { width, height, left, right, top, bottom, y, yDomain };
}

function tickLabel(v: number, step: number, percent: boolean): string {
  return percent ? `${(100 * v).toFixed(decimalsOf(100 * step))}%` : v.toFixed(decimalsOf(step));
}

/** Background, title, y grid with tick labels, axis lines and axis labels. */
function axes(spec: AxesSpec, f: Frame): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${f.width}" height="${f.height}" fill="#ffffff"/>`,
  ];
  if (spec.title) out.push(`<text x="${num((f.left + f.right) / 2)}" y="${MARGIN.top + 6}" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(spec.title)}</text>`);
  const ticks = niceTicks(f.yDomain[0], f.yDomain[1]);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : tickStep(f.yDomain[1] - f.yDomain[0]);
  for (const t of ticks) {
    const py = num(f.y(t));
    out.push(`<line class="grid" x1="${f.left}" y1="${py}" x2="${num(f.right)}" y2="${py}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${f.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${escapeXml(tickLabel(t, step, spec.yPercent ?? false))}</text>`);
  }
  out.push(`<line class="axis" x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="#333333"/>`);
  out.push(`<line class="axis" x1="${f.left}" y1="${f.bottom}" x2="${num(f.right)}" y2="${f.bottom}" stroke="#333333"/>`);
  if (spec.xLabel) out.push(`<text x="${num((f.left + f.right) / 2)}" y="${f.height - 12}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  if (spec.yLabel) {
    const cy = num((f.top + f.bottom) / 2);
    out.push(`<text x="16" y="${cy}" text-anchor="middle" transform="rotate(-90 16 ${cy})">${escapeXml(spec.yLabel)}</text>`);
  }
  return out;
}

function legend(f: Frame, entries: readonly { name: string; colour: string; dashed?: boolean }[], swatch: 'line' | 'box'): string[] {
  const x = f.right + 16;
  return entries.map((e, i) => {
    const y = f.top + 8 + i * LEGEND_ROW;
    const label = e.name.length > LEGEND_CHARS ? `${e.name.slice(0, LEGEND_CHARS - 1)}…` : e.name;
    const mark = swatch === 'line'
      ? `<line x1="${x}" y1="${y}" x2="${x + 20}" y2="${y}" stroke="${e.colour}" stroke-width="2"${e.dashed ? ' stroke-dasharray="5 3"' : ''}/>`
      : `<rect x="${x + 4}" y="${y - 6}" width="12" height="12" fill="${e.colour}"/>`;
    return `<g class="legend"><title>${escapeXml(e.name)}</title>${mark}<text x="${x + 26}" y="${y}" dominant-baseline="middle">${escapeXml(label)}</text></g>`;
  });
}

function colourOf(colour: string | undefined, index: number): string {
  const c = colour ?? PALETTE[index % PALETTE.length]!;
  // Colours go into attributes unescaped, so only plain colour syntax is accepted.
  if (!/^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+|rgba?\([0-9., %]+\))$/.test(c)) throw new TempolabError(`'${c}' is not a colour; use '#rrggbb', a colour name or rgb(…)`);
  return c;
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

/** A line chart, one `<path class="line">` per series, with optional shaded interval bands. */
export function lineChart(spec: LineChartSpec): string {
  const points = spec.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x));
  const yValues = points.flatMap((p) => [p.y, p.low, p.high]).filter(finite);
  const f = frameFor(spec, yValues);
  const xs = points.map((p) => p.x);
  const [x0, x1] = spec.xDomain ? spread(spec.xDomain[0], spec.xDomain[1]) : xs.length > 0 ? spread(Math.min(...xs), Math.max(...xs)) : [0, 1];
  const px = (v: number) => f.left + ((v - x0) / (x1 - x0)) * (f.right - f.left);
  const out = axes(spec, f);
  for (const t of niceTicks(x0, x1)) {
    const tx = num(px(t));
    out.push(`<line x1="${tx}" y1="${f.bottom}" x2="${tx}" y2="${f.bottom + 5}" stroke="#333333"/>`);
    out.push(`<text x="${tx}" y="${f.bottom + 18}" text-anchor="middle">${escapeXml(tickLabel(t, tickStep(x1 - x0), false))}</text>`);
  }
  const colours = spec.series.map((s, i) => colourOf(s.colour, i));
  // Several charts share one HTML page, and ids are page-wide: naming the clip by its rectangle
  // makes any two charts that share an id share the same rectangle too.
  const clip = `plot-${[f.left, f.top, f.right - f.left, f.bottom - f.top].map((v) => num(v).replace('.', '_')).join('-')}`;
  // The clip reaches CLIP_PAD beyond the axes so a line along the domain's edge keeps its full width.
  out.push(`<defs><clipPath id="${clip}"><rect x="${f.left - CLIP_PAD}" y="${f.top - CLIP_PAD}" width="${num(f.right - f.left + 2 * CLIP_PAD)}" height="${f.bottom - f.top + 2 * CLIP_PAD}"/></clipPath></defs>`);
  out.push(`<g clip-path="url(#${clip})">`);
  spec.series.forEach((s, i) => {
    for (const run of runs(s.points, (p) => Number.isFinite(p.x) && finite(p.low) && finite(p.high))) {
      const upper = run.map((p) => `${num(px(p.x))},${num(f.y(p.high!))}`);
      const lower = [...run].reverse().map((p) => `${num(px(p.x))},${num(f.y(p.low!))}`);
      out.push(`<path class="band" d="M${[...upper, ...lower].join('L')}Z" fill="${colours[i]}" fill-opacity="0.18" stroke="none"/>`);
    }
  });
  spec.series.forEach((s, i) => {
    const d = runs(s.points, (p) => Number.isFinite(p.x) && finite(p.y))
      .map((run) => `M${run.map((p) => `${num(px(p.x))},${num(f.y(p.y!))}`).join('L')}`)
      .join('');
    out.push(`<path class="line" data-series="${escapeXml(s.name)}" d="${d}" fill="none" stroke="${colours[i]}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
  });
  out.push('</g>');
  out.push(...legend(f, spec.series.map((s, i) => ({ name: s.name, colour: colours[i]!, dashed: s.dashed })), 'line'));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Grouped bars, one group per category and one bar per series, with error bars from low to high. */
export function barChart(spec: BarChartSpec): string {
  for (const s of spec.series) {
    for (const [field, list] of [['values', s.values], ['low', s.low], ['high', s.high]] as const) {
      if (list && list.length !== spec.categories.length) throw new TempolabError(`bar series '${s.name}' has ${list.length} ${field} for ${spec.categories.length} categories; give one per category`);
    }
  }
  const yValues = [0, ...spec.series.flatMap((s) => [...s.values, ...(s.low ?? []), ...(s.high ?? [])]).filter(finite)];
  const f = frameFor(spec, yValues);
  const out = axes(spec, f);
  const band = (f.right - f.left) / Math.max(1, spec.categories.length);
  const barWidth = (0.8 * band) / Math.max(1, spec.series.length);
  const clamp = (v: number) => Math.min(f.bottom, Math.max(f.top, f.y(v)));
  const base = clamp(0);
  const colours = spec.series.map((s, i) => colourOf(s.colour, i));
  spec.categories.forEach((c, j) => {
    out.push(`<text x="${num(f.left + (j + 0.5) * band)}" y="${f.bottom + 18}" text-anchor="middle">${escapeXml(c)}</text>`);
  });
  spec.series.forEach((s, i) => {
    spec.categories.forEach((c, j) => {
      const v = s.values[j];
      if (!finite(v)) return;
      const x = f.left + j * band + 0.1 * band + i * barWidth;
      const top = Math.min(base, clamp(v));
      out.push(`<rect class="bar" x="${num(x)}" y="${num(top)}" width="${num(barWidth)}" height="${num(Math.abs(clamp(v) - base))}" fill="${colours[i]}"><title>${escapeXml(`${s.name}, ${c}: ${v}`)}</title></rect>`);
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
  out.push(...legend(f, spec.series.map((s, i) => ({ name: s.name, colour: colours[i]! })), 'box'));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
