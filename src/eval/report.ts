/**
 * Reports as data — headings, paragraphs, tables, charts, images — rendered to one self-contained
 * HTML file (inline CSS, inline SVG, images as data URIs: it opens offline and can be mailed) and to
 * a Markdown counterpart whose figures are written beside it as files. Every file is written
 * atomically, so an interrupted run leaves the previous report or none, never half of one.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { TempolabError } from '../engine/errors.js';
import { escapeMarkdown, markdownTable } from './markdown.js';
import type { Table } from './tables.js';

export type ReportBlock =
  | { kind: 'heading'; text: string; level: 2 | 3 | 4 }
  | { kind: 'paragraph'; text: string }
  | { kind: 'table'; table: Table }
  /** SVG markup made by svg.ts (or other trusted code): it is inlined as is. */
  | { kind: 'svg'; svg: string; caption?: string }
  /** PNG, JPEG or GIF bytes. */
  | { kind: 'image'; bytes: Uint8Array; alt: string; caption?: string }
  /** Preformatted text, e.g. the summary the CLI prints. */
  | { kind: 'code'; text: string };

export interface Report {
  title: string;
  blocks: ReportBlock[];
}

export const heading = (text: string, level: 2 | 3 | 4 = 2): ReportBlock => ({ kind: 'heading', text, level });
export const paragraph = (text: string): ReportBlock => ({ kind: 'paragraph', text });
export const tableBlock = (table: Table): ReportBlock => ({ kind: 'table', table });
export const svgBlock = (svg: string, caption?: string): ReportBlock => ({ kind: 'svg', svg, ...(caption !== undefined ? { caption } : {}) });
export const imageBlock = (bytes: Uint8Array, alt: string, caption?: string): ReportBlock => ({ kind: 'image', bytes, alt, ...(caption !== undefined ? { caption } : {}) });
export const codeBlock = (text: string): ReportBlock => ({ kind: 'code', text });

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const IMAGE_TYPES: { mime: string; extension: string; magic: number[] }[] = [
  { mime: 'image/png', extension: 'png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mime: 'image/jpeg', extension: 'jpg', magic: [0xff, 0xd8, 0xff] },
  { mime: 'image/gif', extension: 'gif', magic: [0x47, 0x49, 0x46, 0x38] },
];

/** The image type, from the file's leading bytes (a wrong type would show as a broken image). */
function imageType(bytes: Uint8Array, alt: string): (typeof IMAGE_TYPES)[number] {
  const type = IMAGE_TYPES.find((t) => t.magic.every((b, i) => bytes[i] === b));
  if (!type) throw new TempolabError(`image '${alt}' is not PNG, JPEG or GIF; encode it as PNG (e.g. with sharp) before adding it to a report`);
  return type;
}

export function dataUri(bytes: Uint8Array, alt = 'image'): string {
  return `data:${imageType(bytes, alt).mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

function checkSvg(svg: string): string {
  if (!/^\s*<svg[\s>]/.test(svg)) throw new TempolabError('an SVG block must hold <svg …> markup; make it with lineChart or barChart');
  return svg.trim();
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
div.table{overflow-x:auto}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left;vertical-align:top}
th{white-space:nowrap}
td{max-width:36em}
nav.toc ul{margin:0.2em 0}
th{background:#f3f3f3}
caption{caption-side:top;text-align:left;font-style:italic;padding-bottom:0.3em}
figure{margin:1em 0}
figcaption{font-style:italic;font-size:0.9em}
img{image-rendering:pixelated;max-width:100%}
pre{background:#f6f6f6;padding:0.8em;overflow-x:auto}`;

function htmlTable(t: Table): string {
  const row = (cells: readonly string[], tag: 'th' | 'td') => `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return [
    '<div class="table">',
    '<table>',
    ...(t.caption ? [`<caption>${escapeHtml(t.caption)}</caption>`] : []),
    `<thead>${row(t.header, 'th')}</thead>`,
    `<tbody>${t.rows.map((r) => row(r, 'td')).join('\n')}</tbody>`,
    '</table>',
    '</div>',
  ].join('\n');
}

const figcaption = (caption: string | undefined) => (caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : '');

function htmlBlock(block: ReportBlock, slugs: Map<ReportBlock, string>): string {
  switch (block.kind) {
    case 'heading':
      return `<h${block.level} id="${slugs.get(block)!}">${escapeHtml(block.text)}</h${block.level}>`;
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'table':
      return htmlTable(block.table);
    case 'svg':
      return `<figure>${checkSvg(block.svg)}${figcaption(block.caption)}</figure>`;
    case 'image':
      return `<figure><img src="${dataUri(block.bytes, block.alt)}" alt="${escapeHtml(block.alt)}">${figcaption(block.caption)}</figure>`;
    case 'code':
      return `<pre>${escapeHtml(block.text)}</pre>`;
  }
}

/**
 * GitHub's anchor for a heading (lower case, punctuation dropped, spaces to hyphens), made unique
 * with -1, -2… as GitHub does, so the Markdown contents links work on GitHub and in the HTML page.
 */
export function headingSlugs(blocks: readonly ReportBlock[]): Map<ReportBlock, string> {
  const seen = new Map<string, number>();
  const out = new Map<ReportBlock, string>();
  for (const b of blocks) {
    if (b.kind !== 'heading') continue;
    const slug = b.text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-') || 'section';
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.set(b, count === 0 ? slug : `${slug}-${count}`);
  }
  return out;
}

/** A report with at least this many headings of levels 2–3 opens with a table of contents. */
const TOC_MIN_HEADINGS = 4;

/** The contents entries: level-2 and level-3 headings, in order. */
function contents(report: Report): { block: Extract<ReportBlock, { kind: 'heading' }>; level: 2 | 3 }[] {
  const headings = report.blocks.filter((b): b is Extract<ReportBlock, { kind: 'heading' }> => b.kind === 'heading');
  if (headings.filter((h) => h.level <= 3).length < TOC_MIN_HEADINGS) return [];
  // A level-3 heading before the first level-2 one has no section to sit under, so it is left out.
  const first = headings.findIndex((h) => h.level === 2);
  return headings.slice(first).filter((h) => h.level <= 3).map((block) => ({ block, level: block.level as 2 | 3 }));
}

function htmlContents(report: Report, slugs: Map<ReportBlock, string>): string[] {
  const entries = contents(report);
  if (entries.length === 0) return [];
  const out = ['<nav class="toc">', '<strong>Contents</strong>', '<ul>'];
  entries.forEach((e, i) => {
    const link = `<a href="#${slugs.get(e.block)!}">${escapeHtml(e.block.text)}</a>`;
    const next = entries[i + 1];
    if (e.level === 2) out.push(next?.level === 3 ? `<li>${link}<ul>` : `<li>${link}</li>`);
    else out.push(`<li>${link}</li>${next?.level !== 3 ? '</ul></li>' : ''}`);
  });
  out.push('</ul>', '</nav>');
  return out;
}

/** One HTML page with everything inline: no scripts, no external files, no network. */
export function renderHtml(report: Report): string {
  const slugs = headingSlugs(report.blocks);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(report.title)}</h1>`,
    ...htmlContents(report, slugs),
    ...report.blocks.map((b) => htmlBlock(b, slugs)),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A figure of the Markdown report: its file name (relative to the report) and bytes. */
export interface FigureFile {
  file: string;
  bytes: Uint8Array | string;
}

/**
 * The Markdown counterpart. Markdown cannot hold figures inline, so each figure becomes a link to
 * `figureDir/figure-N.svg|png…` and is returned in `figures`, for the caller (or writeReport) to
 * write; without a figureDir, figures are left out with a note pointing to the HTML report.
 */
export function renderMarkdown(report: Report, options: { figureDir?: string } = {}): { markdown: string; figures: FigureFile[] } {
  const figures: FigureFile[] = [];
  const figure = (extension: string, bytes: Uint8Array | string, alt: string, caption: string | undefined): string => {
    const label = caption ?? alt;
    if (options.figureDir === undefined) return `*Figure: ${escapeMarkdown(label)} (in the HTML report).*`;
    const file = path.posix.join(options.figureDir, `figure-${figures.length + 1}.${extension}`);
    figures.push({ file, bytes });
    return `![${escapeMarkdown(alt)}](${encodeURI(file)})${caption ? `\n\n*${escapeMarkdown(caption)}*` : ''}`;
  };
  const parts = [`# ${escapeMarkdown(report.title)}`];
  const slugs = headingSlugs(report.blocks);
  const toc = contents(report);
  if (toc.length > 0) parts.push(['**Contents**', '', ...toc.map((e) => `${e.level === 3 ? '  ' : ''}- [${escapeMarkdown(e.block.text)}](#${slugs.get(e.block)!})`)].join('\n'));
  for (const block of report.blocks) {
    switch (block.kind) {
      case 'heading':
        parts.push(`${'#'.repeat(block.level)} ${escapeMarkdown(block.text)}`);
        break;
      case 'paragraph':
        parts.push(escapeMarkdown(block.text));
        break;
      case 'table':
        parts.push(markdownTable(block.table));
        break;
      case 'svg':
        parts.push(figure('svg', checkSvg(block.svg), block.caption ?? 'chart', block.caption));
        break;
      case 'image':
        parts.push(figure(imageType(block.bytes, block.alt).extension, block.bytes, block.alt, block.caption));
        break;
      case 'code': {
        // A fence longer than any backtick run inside, so the text cannot close it early.
        const longest = Math.max(0, ...(block.text.match(/`+/g) ?? []).map((run) => run.length));
        const fence = '`'.repeat(Math.max(3, longest + 1));
        parts.push(`${fence}\n${block.text}\n${fence}`);
        break;
      }
    }
  }
  return { markdown: `${parts.join('\n\n')}\n`, figures };
}

export interface WriteReportOptions {
  /** Path of the HTML file. */
  html?: string;
  /** Path of the Markdown file; its figures go to a `figures/` folder beside it. */
  markdown?: string;
}

/** Writes the report's files, each atomically; figures first, so a written report never links to a missing one. */
export async function writeReport(report: Report, options: WriteReportOptions): Promise<void> {
  if (options.markdown !== undefined) {
    const stem = path.basename(options.markdown).replace(/\.[^.]*$/, '');
    const { markdown, figures } = renderMarkdown(report, { figureDir: `${stem}-figures` });
    const dir = path.dirname(options.markdown);
    for (const f of figures) await writeFileAtomic(path.join(dir, f.file), f.bytes);
    await writeFileAtomic(options.markdown, markdown);
  }
  if (options.html !== undefined) await writeFileAtomic(options.html, renderHtml(report));
}
