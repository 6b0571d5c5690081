import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { baseModelDigest } from '../../src/eval/staSweep.js';

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
  assert.ok(results.visionHeads.patches.all > 0 && results.visionHeads.colour >= 0 && results.visionHeads.colour <= 1, 'the vision heads were scored');
  assert.match(html, /What the ViT itself sees, read by the vision stage&#39;s own dense heads|What the ViT itself sees, read by the vision stage's own dense heads/);
  assert.match(html, /Vision-only check of STA/);
  // Likelihood scoring beside generation: captioning has no closed set, so both scorings generate it and must agree there.
  assert.deepEqual(results.likelihoodResults.map((r: { model: string }) => r.model), ['base', 'control', 'stave']);
  for (const [k, r] of results.likelihoodResults.entries()) {
    assert.equal(r.questions, results.results[k].questions, `${r.model}: the same test questions under both scorings`);
    assert.deepEqual(r.all.byFormat.captioning, results.results[k].all.byFormat.captioning, `${r.model}: captioning is generated under both scorings`);
  }
  assert.match(markdown, /What the models know beside what they say \(likelihood scoring\)/);
  // The encoded-video set: every model answered every imported question, and its pairs were linked.
  assert.deepEqual(results.videoResults.map((r: { model: string }) => r.model), ['base', 'control', 'stave']);
  assert.equal(results.videoResults[0].questions, 8 * 8, '8 encoded clips, 8 questions each');
  assert.ok(results.videoResults[0].all.pairs.overall.n > 0, 'opposing pairs survive the mp4 round trip');
  assert.ok((await fs.readdir(path.join(out, 'video-set', 'videos'))).filter((n) => n.endsWith('.mp4')).length === 8);
  assert.match(html, /Encoded video: the scenes as H\.264 mp4s/);
  assert.match(results.provenance.settingsHash, /^[0-9a-f]{16}$/);
  for (const m of ['base', 'control', 'stave']) {
    const lines = (await fs.readFile(path.join(out, 'predictions', `${m}.jsonl`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, results.results[0].questions, `${m}: one prediction per test question`);
  }
  assert.ok(html.indexOf('What this run found') < html.indexOf('Training'), 'the report opens with its findings');

  // A finished base on the same data is used as it is: nothing is trained for the base, STAVE starts
  // from it, and so does every further seed's STAVE and control; the sweep the base carries is reported.
  const again = path.join(path.dirname(out), 'again');
  const arm = (name: string, kind: string, pairs: number) => ({ name, kind, schedule: '10+10', flags: {}, seconds: 1, overall: { mean: 0.5, low: 0.4, high: 0.6, n: 10 }, perception: { mean: 0.5, low: 0.4, high: 0.6, n: 10 }, pairs: { mean: pairs, low: pairs - 0.05, high: pairs + 0.05, n: 10 }, pairsByDimension: {} });
  await fs.writeFile(path.join(out, 'base', 'sta-sweep.json'), JSON.stringify({ base: 'b', baseModel: baseModelDigest(path.join(out, 'base')), data: 'd', split: 'val', arms: [arm('control 10+10', 'control', 0.2), arm('STAVE 10+10, head_scale 1.0', 'stave', 0.4)] }));
  const second = await run(process.execPath, [cli, 'demo', '--quick', '--base', path.join(out, 'base'), '--seeds', '2', '--out', again], { maxBuffer: 1 << 24 });
  assert.match(second.stderr, new RegExp(`demo: base — pretrained base ${path.join(out, 'base').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(vision 20 steps`));
  assert.equal(existsSync(path.join(again, 'base')), false, 'no base is trained');
  assert.equal(existsSync(path.join(again, 'seed-1', 'base')), false, 'no base is trained for the second seed either');
  const stave = JSON.parse(await fs.readFile(path.join(again, 'stave', 'run.json'), 'utf8'));
  assert.equal(stave.from, path.join(out, 'base'));
  const staveSeed1 = JSON.parse(await fs.readFile(path.join(again, 'seed-1', 'stave', 'run.json'), 'utf8'));
  assert.deepEqual([staveSeed1.from, staveSeed1.seed], [path.join(out, 'base'), 1]);
  const againResults = JSON.parse(await fs.readFile(path.join(again, 'results.json'), 'utf8'));
  assert.equal(againResults.results[0].all.overall.mean, results.results[0].all.overall.mean, 'the same base answers the same');
  assert.deepEqual(againResults.seeds.map((row: { seed: number }) => row.seed), [0, 1]);
  const againMarkdown = await fs.readFile(path.join(again, 'report.md'), 'utf8');
  assert.match(againMarkdown, /The STA sweep this base carries \(validation split\)/);
  assert.match(againMarkdown, /STAVE beats the control of its schedule on opposing pairs beyond both 95% intervals in: STAVE 10\+10, head_scale 1\.0\./);
  assert.match(againMarkdown, /STAVE − control in opposing-pair accuracy over 2 seeds/);
  await fs.rm(path.dirname(out), { recursive: true });
});

test('demo --base refuses what is not a finished base on its data, in one line', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-demo-base-'));
  const cases: [string[], RegExp][] = [
    [['--base', dir, '--train-base'], /^tempolab: --base and --train-base contradict each other: give one$/],
    [['--base', path.join(dir, 'missing')], /^tempolab: --base .*missing does not exist: give a run directory written by tempolab train base$/],
    [['--base', dir], /^tempolab: .* is not a base run \(no run\.json\): make one with tempolab train base --data DIR --out .*$/],
    [['--base', path.resolve('pretrained/base-small')], /^tempolab: base run .* was trained on other data \(synthetic, seed 0, 20000\/100\/400 clips\) than .* \(synthetic, seed 0, 40\/4\/24 clips\): use the data it was trained on, or train a base on this data$/],
  ];
  for (const [args, expected] of cases) {
    const r = await run(process.execPath, [cli, 'demo', '--quick', '--out', path.join(dir, 'out'), ...args]).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr.trim().split('\n').at(-1)!, expected);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    await fs.rm(path.join(dir, 'out'), { recursive: true, force: true });
  }
  await fs.rm(dir, { recursive: true });
});
