import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TempolabError } from '../../src/engine/errors.js';
import { barChart, lineChart, niceTicks } from '../../src/eval/svg.js';

/** The `d` attribute of every element of `cls`. */
const paths = (svg: string, cls: string) => [...svg.matchAll(new RegExp(`<path class="${cls}"[^>]* d="([^"]*)"`, 'g'))].map((m) => m[1]);

// 540 × 300 without a title: the plot spans x 60…360 (540 − 20 margin − 160 legend) and y 20…250.
const SIZE = { width: 540, height: 300 };

test('line chart maps data to pixels through the documented plot area, one path per series', () => {
  const svg = lineChart({
    ...SIZE,
    xDomain: [0, 10],
    yDomain: [0, 1],
    series: [
      { name: 'multi_choice', points: [{ x: 0, y: 0 }, { x: 5, y: 0.25 }, { x: 10, y: 1 }] },
      { name: 'yes_no', points: [{ x: 0, y: 1 }, { x: 10, y: 0 }] },
      { name: 'captioning', points: [{ x: 2, y: 0.5 }] },
    ],
  });
  // (5, 0.25) → x = 60 + 5/10 · 300 = 210, y = 250 − 0.25 · 230 = 192.5.
  assert.deepEqual(paths(svg, 'line'), ['M60,250L210,192.5L360,20', 'M60,20L360,250', 'M120,135']);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="540" height="300" viewBox="0 0 540 300"/);
  assert.equal((svg.match(/<g class="legend"/g) ?? []).length, 3);
});

test('a title moves the plot down by its height; gaps break the line; intervals become bands', () => {
  const svg = lineChart({
    ...SIZE,
    title: 'P_C by layer',
    xDomain: [0, 10],
    yDomain: [0, 1],
    series: [{
      name: 'loss',
      points: [
        { x: 0, y: 0.5, low: 0.25, high: 0.75 },
        { x: 5, y: 0.25, low: 0, high: 0.5 },
        { x: 7.5, y: null },
        { x: 10, y: 1 },
      ],
    }],
  });
  // The plot now spans y 44…250 (206 pixels): 0.25 → 250 − 51.5 = 198.5, 0.5 → 147, 0.75 → 95.5.
  assert.deepEqual(paths(svg, 'line'), ['M60,147L210,198.5M360,44']);
  assert.deepEqual(paths(svg, 'band'), ['M60,95.5L210,147L210,250L60,198.5Z']);
});

test('default domains: x is the data range, y widens to round ticks', () => {
  const svg = lineChart({ ...SIZE, series: [{ name: 's', points: [{ x: 2, y: 0.13 }, { x: 4, y: 0.92 }] }] });
  // y ticks step 0.2, so the y domain is [0, 1]: 0.13 → 250 − 29.9 = 220.1, 0.92 → 250 − 211.6 = 38.4.
  assert.deepEqual(paths(svg, 'line'), ['M60,220.1L360,38.4']);
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 27), [0, 5, 10, 15, 20, 25]);
  assert.deepEqual(niceTicks(-0.03, 0.012), [-0.03, -0.02, -0.01, 0, 0.01]);
});

test('text is escaped and the same spec always gives the same bytes', () => {
  const spec = { ...SIZE, title: '<b>loss & "acc"</b>', xLabel: "step's", series: [{ name: 'a<b', points: [{ x: 0, y: 1 }, { x: 1, y: 2 }] }] };
  const svg = lineChart(spec);
  assert.ok(svg.includes('&lt;b&gt;loss &amp; &quot;acc&quot;&lt;/b&gt;'));
  assert.ok(svg.includes('step&#39;s'));
  assert.ok(svg.includes('data-series="a&lt;b"'));
  assert.ok(!svg.includes('<b>') && !svg.includes('a<b'));
  assert.equal(lineChart(spec), svg);
  assert.throws(() => lineChart({ ...spec, series: [{ name: 's', colour: 'red" onload="x', points: [] }] }), TempolabError);
});

test('grouped bars: each bar in its slot of the category band, error bars where bounds are given', () => {
  const svg = barChart({
    ...SIZE,
    yDomain: [0, 1],
    categories: ['direction', 'order'],
    series: [
      { name: 'control', values: [0.5, 0.25], low: [0.4, 0.2], high: [0.6, 0.3] },
      { name: 'STAVE', values: [null, 1] },
    ],
  });
  // Bands of 150 px; bars 0.8 · 150 / 2 = 60 wide after a 15 px inset. control/direction: x 75,
  // top 250 − 0.5 · 230 = 135, height 115. STAVE/order: x 60 + 150 + 15 + 60 = 285, top 20.
  const bars = [...svg.matchAll(/<rect class="bar" data-series="[^"]*" x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)"/g)].map((m) => m.slice(1).map(Number));
  assert.deepEqual(bars, [[75, 135, 60, 115], [225, 192.5, 60, 57.5], [285, 20, 60, 230]]);
  // control/direction error bar from 0.4 (158) to 0.6 (112) at the bar's centre x = 105, caps ±6.
  assert.deepEqual(paths(svg, 'error-bar')[0], 'M105,158L105,112M99,158L111,158M99,112L111,112');
  assert.equal(paths(svg, 'error-bar').length, 2);
  assert.throws(() => barChart({ categories: ['a', 'b'], series: [{ name: 's', values: [1] }] }), (e: unknown) => e instanceof TempolabError && /1 values for 2 categories/.test(e.message));
});
