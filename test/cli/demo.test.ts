import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = path.resolve('dist/src/cli/main.js');

test('tempolab demo --quick runs end to end and writes a report whose numbers match results.json', async () => {
  const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-demo-')), 'demo');
  const { stdout } = await run(process.execPath, [cli, 'demo', '--quick', '--out', out], { maxBuffer: 1 << 24 });
  assert.match(stdout, /report: .*report\.html/);
  const results = JSON.parse(await fs.readFile(path.join(out, 'results.json'), 'utf8'));
  assert.deepEqual(results.results.map((r: { model: string }) => r.model), ['base', 'control', 'stave']);
  const html = await fs.readFile(path.join(out, 'report.html'), 'utf8');
  const markdown = await fs.readFile(path.join(out, 'report.md'), 'utf8');
  assert.match(html, /<svg/);
  assert.match(html, /Causal-pathway probes/);
  assert.equal(results.probes.length, 8, 'every probe experiment ran');
  assert.match(html, /data:image\/png;base64,/);
  assert.doesNotMatch(html, /<script|(src|href)=["']https?:|url\(\s*["']?https?:/, 'the report must be self-contained (no scripts, no external resources)');
  for (const r of results.results) {
    const overall = (100 * r.all.overall.mean).toFixed(1);
    assert.ok(markdown.includes(overall) && stdout.includes(overall), `${r.model}'s overall accuracy ${overall} appears in report.md and the summary`);
  }
  for (const run of ['base/vision', 'base/language', 'base/align', 'base/instruct', 'stave', 'control', 'classify-sta', 'classify-no-sta']) assert.ok((await fs.stat(path.join(out, run, 'checkpoint', 'model.safetensors'))).size > 0, run);
  assert.equal(results.diagnostics.length, 5, 'diagnostics after each pipeline stage and for STAVE');
  assert.equal(results.classifier.length, 2, 'the vision-only check ran with and without STA');
  assert.match(html, /Is the visual pathway healthy/);
  assert.match(html, /Vision-only check of STA/);
  assert.match(results.provenance.settingsHash, /^[0-9a-f]{16}$/);
  for (const m of ['base', 'control', 'stave']) {
    const lines = (await fs.readFile(path.join(out, 'predictions', `${m}.jsonl`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, results.results[0].questions, `${m}: one prediction per test question`);
  }
  assert.ok(html.indexOf('What this run found') < html.indexOf('Training'), 'the report opens with its findings');
  await fs.rm(path.dirname(out), { recursive: true });
});
