import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FORMATS } from '../../src/data/types.js';
import { Random } from '../../src/engine/random.js';
import { probeFigure, probeReportBlocks, isLayerSweep, type ProbeRun } from '../../src/eval/probeReport.js';
import { heading, paragraph, renderHtml, renderMarkdown } from '../../src/eval/report.js';
import { EXPERIMENT_NAMES, experiment } from '../../src/probe/experiments.js';
import type { ProbeRow } from '../../src/probe/runner.js';

/** Rows for every condition of an experiment: 3 questions per format, seeded random probabilities. */
function syntheticRun(name: (typeof EXPERIMENT_NAMES)[number], models: string[], seed: number): ProbeRun {
  const exp = experiment(name, { numLayers: 8, numFrames: 4 });
  const rng = new Random(seed);
  const formats = exp.formats === 'all' ? FORMATS : exp.formats;
  return {
    experiment: exp,
    models: models.map((model) => ({
      model,
      rows: formats.flatMap((format) => [0, 1, 2].flatMap((q) => exp.conditions.map((c): ProbeRow => ({
        questionId: `${format}-${q}`, format, dimension: 'direction', layer: c.layer, label: c.label,
        baseline: 0.3 + 0.4 * rng.next(), intervened: 0.2 + 0.6 * rng.next(),
      })))),
    })),
  };
}

const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** What a reader sees of a chart: legend entries (name, shown text, colour) and the drawn marks. */
function readChart(svg: string) {
  const legend = [...svg.matchAll(/<g class="legend" data-series="([^"]*)">(<line[^>]*>|<rect[^>]*>)<text[^>]*>(.*?)<\/text><\/g>/g)].map((m) => ({
    name: unescape(m[1]!),
    shown: unescape([...m[3]!.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((t) => t[1]).join(' ')),
    colour: attr(m[2]!, 'stroke') ?? attr(m[2]!, 'fill'),
  }));
  const marks = [
    ...[...svg.matchAll(/<path class="line" data-series="([^"]*)" d="([^"]*)"/g)].filter((m) => m[2] !== '').map((m) => m[1]),
    ...[...svg.matchAll(/<circle class="point" data-series="([^"]*)"/g)].map((m) => m[1]),
    ...[...svg.matchAll(/<rect class="bar" data-series="([^"]*)"[^>]* height="([^"]*)"/g)].filter((m) => Number(m[2]) > 0).map((m) => m[1]),
  ].map((n) => unescape(n!));
  const texts = [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]*>/g, ' '));
  return { legend, marks, texts };
}

test('every probe figure: a drawn mark per series, full legend names, no colour twice, integer layer ticks, one y scale', () => {
  for (const name of EXPERIMENT_NAMES) {
    const run = syntheticRun(name, ['base', 'control', 'stave'], 7);
    const svg = probeFigure(run);
    const { legend, marks, texts } = readChart(svg);
    const names = new Set(run.models[0]!.rows.map((r) => r.label!.replace(/^.*: /, '')));
    assert.deepEqual(new Set(legend.map((l) => l.name)), names, `${name}: one legend entry per condition`);
    for (const l of legend) {
      assert.equal(l.shown, l.name, `${name}: legend shows '${l.shown}' for '${l.name}'`);
      assert.ok(marks.filter((m) => m === l.name).length >= 1, `${name}: series '${l.name}' draws nothing`);
    }
    assert.equal(new Set(legend.map((l) => l.colour)).size, legend.length, `${name}: a colour is repeated`);
    assert.ok(!texts.some((t) => t.includes('…')), `${name}: a label is truncated`);
    // Every panel carries the same y tick labels: one shared scale.
    const panels = svg.split('<g class="panel"').slice(1);
    const yTicks = panels.map((p) => [...p.matchAll(/<text class="tick"[^>]* text-anchor="end"[^>]*>([^<]*)</g)].map((m) => m[1]).join(' '));
    assert.equal(new Set(yTicks).size, 1, `${name}: panels with different y scales`);
    if (isLayerSweep(run)) {
      const xTicks = panels.flatMap((p) => [...p.matchAll(/<text class="tick"[^>]* text-anchor="middle">([^<]*)</g)].map((m) => m[1]!));
      assert.ok(xTicks.length > 0 && xTicks.every((t) => /^-?\d+$/.test(t)), `${name}: layer ticks ${xTicks.join(',')}`);
    }
  }
});

test('the paper\'s chart types: bars for single-layer and whole-model conditions, lines for layer sweeps', () => {
  const kinds = Object.fromEntries(EXPERIMENT_NAMES.map((n) => [n, isLayerSweep(syntheticRun(n, ['m'], 1)) ? 'lines' : 'bars']));
  assert.deepEqual(kinds, {
    'pe-ablation': 'lines', 'position-shuffle': 'bars', reverse: 'bars', 'final-token-knockout': 'lines',
    stagewise: 'lines', 'single-frame': 'lines', 'reversed-attribution': 'lines', spatiotemporal: 'lines',
  });
  // Fig. 3 is one layer: it used to go to a line chart with single points and draw nothing.
  const fig3 = probeFigure(syntheticRun('position-shuffle', ['stave'], 2));
  assert.equal((fig3.match(/<rect class="bar"/g) ?? []).length, 2 * FORMATS.length);
});

test('probe tables keep conditions apart and count questions once: hand values', () => {
  // q1 has P_C −0.3 at three layers, q2 +0.1 at one; the per-question mean is (−0.3 + 0.1) / 2 = −0.1
  // (averaging rows would give (−0.9 + 0.1) / 4 = −0.2). The other condition (+0.5) stays in its own row.
  const row = (q: string, label: string, layer: number, pc: number): ProbeRow => ({ questionId: q, format: 'yes_no', layer, label, baseline: 0.5, intervened: 0.5 + pc });
  const run: ProbeRun = {
    experiment: { name: 'stagewise', figure: 'Fig. 6', section: '§5.2', title: 't' },
    models: [{ model: 'm', rows: [row('q1', 'inter-frame', 0, -0.3), row('q1', 'inter-frame', 1, -0.3), row('q1', 'inter-frame', 2, -0.3), row('q2', 'inter-frame', 0, 0.1), row('q1', 'frame-to-query', 0, 0.5), row('q2', 'frame-to-query', 0, 0.5)] }],
  };
  const table = probeReportBlocks([run]).find((b) => b.kind === 'table');
  assert.ok(table && table.kind === 'table');
  assert.deepEqual(table.table.rows.map((r) => [r[1], r[2]!.split(' ')[0]]), [['inter-frame', '-0.100'], ['frame-to-query', '+0.500']]);
  // Layer of the largest drop: layer 1 and 2 hold only q1 (−0.3); layer 0 averages −0.1.
  assert.match(table.table.rows[0]![3]!, /^1: -0\.300/);
});

test('a report with enough sections opens with a table of contents whose links resolve', () => {
  const report = { title: 'r', blocks: [heading('What this run found'), paragraph('x'), heading('Training'), heading('Fig. 2 (§4.1): PE', 3), heading('Fig. 2 (§4.1): PE', 3)] };
  const html = renderHtml(report);
  const links = [...html.matchAll(/<a href="#([^"]*)">/g)].map((m) => m[1]);
  assert.deepEqual(links, ['what-this-run-found', 'training', 'fig-2-41-pe', 'fig-2-41-pe-1']);
  for (const id of links) assert.ok(html.includes(`id="${id}"`), id);
  assert.ok(html.indexOf('<nav class="toc">') < html.indexOf('<h2 id="what-this-run-found">'));
  assert.match(renderMarkdown(report).markdown, /- \[What this run found\]\(#what-this-run-found\)\n- \[Training\]\(#training\)\n {2}- \[Fig\. 2 \(§4\.1\): PE\]\(#fig-2-41-pe\)/);
  assert.ok(!renderHtml({ title: 'r', blocks: [heading('only')] }).includes('<nav'));
});
