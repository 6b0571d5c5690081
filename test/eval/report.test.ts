import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TempolabError } from '../../src/engine/errors.js';
import { escapeMarkdown, markdownTable } from '../../src/eval/markdown.js';
import { codeBlock, heading, imageBlock, paragraph, renderHtml, renderMarkdown, svgBlock, tableBlock, writeReport, type Report } from '../../src/eval/report.js';
import { lineChart } from '../../src/eval/svg.js';

/** The 8-byte PNG signature; base64 of 89 50 4E 47 0D 0A 1A 0A is "iVBORw0KGgo=". */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SVG = lineChart({ series: [{ name: 'loss', points: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }] }] });

const report: Report = {
  title: 'Run <1> & "2"',
  blocks: [
    heading('Answers'),
    paragraph('the model said <script>alert("x")</script> & left'),
    tableBlock({ caption: 'a | b', header: ['model', 'answer'], rows: [['STAVE', 'B. <i>from right to left</i>'], ['base', 'A | C']] }),
    svgBlock(SVG, 'Training loss'),
    imageBlock(PNG, 'clip <3>', 'frames of clip 3'),
    codeBlock('| model | acc |\n``` not a fence end'),
  ],
};

test('HTML escapes every text, inlines SVG, embeds images as data URIs and loads nothing from outside', () => {
  const html = renderHtml(report);
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(html.includes('<title>Run &lt;1&gt; &amp; &quot;2&quot;</title>'));
  assert.ok(html.includes('<p>the model said &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; left</p>'));
  assert.ok(html.includes('<td>B. &lt;i&gt;from right to left&lt;/i&gt;</td>'));
  assert.ok(html.includes('<img src="data:image/png;base64,iVBORw0KGgo=" alt="clip &lt;3&gt;">'));
  assert.ok(html.includes(SVG.trim()));
  assert.ok(!/<script|<i>|<link|src="http|href="http|url\(http/.test(html));
  assert.throws(() => renderHtml({ title: 't', blocks: [imageBlock(new Uint8Array([1, 2, 3, 4]), 'noise')] }), (e: unknown) => e instanceof TempolabError && /not PNG, JPEG or GIF/.test(e.message));
  assert.throws(() => renderHtml({ title: 't', blocks: [svgBlock('<div>no</div>')] }), TempolabError);
});

test('Markdown tables escape pipes and markup; figures become linked files', () => {
  assert.equal(markdownTable({ header: ['a', 'b|c'], rows: [['x*y', 'line\nbreak']] }), '| a | b\\|c |\n| --- | --- |\n| x\\*y | line break |');
  assert.equal(escapeMarkdown('P_C of _this_ [link](x)'), 'P_C of \\_this\\_ \\[link\\](x)');
  const { markdown, figures } = renderMarkdown(report, { figureDir: 'report-figures' });
  assert.ok(markdown.startsWith('# Run \\<1\\> & "2"\n'));
  assert.ok(markdown.includes('| base | A \\| C |'));
  assert.ok(markdown.includes('![Training loss](report-figures/figure-1.svg)'));
  assert.ok(markdown.includes('![clip \\<3\\>](report-figures/figure-2.png)'));
  assert.ok(markdown.includes('````\n| model | acc |\n``` not a fence end\n````'));
  assert.deepEqual(figures.map((f) => f.file), ['report-figures/figure-1.svg', 'report-figures/figure-2.png']);
  assert.ok(renderMarkdown(report).markdown.includes('*Figure: Training loss (in the HTML report).*'));
});

test('writeReport writes HTML, Markdown and figures atomically, replacing an old report and leaving no temp file', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tempolab-report-'));
  try {
    writeFileSync(path.join(dir, 'report.html'), 'old');
    await writeReport(report, { html: path.join(dir, 'report.html'), markdown: path.join(dir, 'report.md') });
    assert.deepEqual(readdirSync(dir).sort(), ['report-figures', 'report.html', 'report.md']);
    assert.deepEqual(readdirSync(path.join(dir, 'report-figures')).sort(), ['figure-1.svg', 'figure-2.png']);
    assert.equal(readFileSync(path.join(dir, 'report.html'), 'utf8'), renderHtml(report));
    assert.deepEqual(new Uint8Array(readFileSync(path.join(dir, 'report-figures', 'figure-2.png'))), PNG);
    assert.equal(readFileSync(path.join(dir, 'report-figures', 'figure-1.svg'), 'utf8'), SVG.trim());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
