/** Markdown text and tables, escaped so a model's free-text answer cannot break the layout. */
import type { Table } from './tables.js';

/**
 * Backslash-escapes the characters Markdown (and the HTML it may contain) would interpret. An
 * underscore inside a word cannot start emphasis, so `attribute_change` and `P_C` stay readable
 * when the table is printed to a terminal.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*[\]<>|#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => `\\${c}`);
}

/** A pipe table; a cell's line breaks become spaces, since a table row is one line. */
export function markdownTable(table: Table): string {
  const cell = (c: string) => escapeMarkdown(c.replace(/\r?\n/g, ' '));
  const row = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const lines = [row(table.header), `|${table.header.map(() => ' --- ').join('|')}|`, ...table.rows.map(row)];
  return table.caption ? `*${escapeMarkdown(table.caption)}*\n\n${lines.join('\n')}` : lines.join('\n');
}
