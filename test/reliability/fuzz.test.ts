/**
 * The fuzz suite: generated (seeded) mutations of safetensors files, configs and CLI invocations.
 * Every case must end within its time limit, and every invalid input must be refused with a
 * one-line TempolabError (no stack trace, no crash, no silent acceptance); every valid mutation
 * must load to the values it was built from.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { synthesizeDataset } from '../../src/data/synth.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { TempolabError } from '../../src/engine/errors.js';
import { Random } from '../../src/engine/random.js';
import { parseSafetensors } from '../../src/engine/safetensors.js';
import { createVideoLM, saveVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig, validateConfig, type VideoLMConfig } from '../../src/models/config.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { configCases, safetensorsCases } from './fuzzCases.js';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const IN_PROCESS_LIMIT_MS = 2000;
const CLI_LIMIT_MS = 30_000;

type Outcome = { result: 'accepted'; value: unknown } | { result: 'refused'; message: string } | { result: 'crashed'; error: unknown };

function attempt(work: () => unknown): Outcome & { ms: number } {
  const t0 = performance.now();
  try {
    const value = work();
    return { result: 'accepted', value, ms: performance.now() - t0 };
  } catch (error) {
    const ms = performance.now() - t0;
    if (error instanceof TempolabError && !error.message.includes('\n')) return { result: 'refused', message: error.message, ms };
    return { result: 'crashed', error, ms };
  }
}

interface Tally { cases: number; crashes: string[]; hangs: string[]; silent: string[]; wrong: string[] }
const tally = (): Tally => ({ cases: 0, crashes: [], hangs: [], silent: [], wrong: [] });
const summary = (t: Tally) => `${t.cases} cases: ${t.crashes.length} stack traces, ${t.hangs.length} hangs, ${t.silent.length} silent acceptances, ${t.wrong.length} wrong results`;
function assertClean(t: Tally): void {
  assert.deepEqual({ crashes: t.crashes.slice(0, 3), hangs: t.hangs.slice(0, 3), silent: t.silent.slice(0, 3), wrong: t.wrong.slice(0, 3) }, { crashes: [], hangs: [], silent: [], wrong: [] }, summary(t));
}

const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
const tinyConfig = (): VideoLMConfig => presetConfig('tiny', tokenizer.vocabSize, tokenizer.special);

test('safetensors: 204 mutated files (offsets, dims, dtypes, entries, header, length, NaN/Inf) are refused in one line or decode exactly', (t) => {
  const cases = safetensorsCases(13, 12);
  assert.ok(cases.length >= 200, `${cases.length} cases`);
  const s = tally();
  for (const [i, c] of cases.entries()) {
    s.cases++;
    const outcome = attempt(() => parseSafetensors(c.bytes, `case${i}.safetensors`));
    const label = `#${i} ${c.kind}`;
    if (outcome.ms > IN_PROCESS_LIMIT_MS) s.hangs.push(label);
    if (outcome.result === 'crashed') s.crashes.push(`${label}: ${String(outcome.error)}`);
    else if (!c.expect && outcome.result === 'accepted') s.silent.push(label);
    else if (c.expect) {
      if (outcome.result !== 'accepted') s.wrong.push(`${label} refused: ${outcome.result === 'refused' ? outcome.message : ''}`);
      else {
        const { tensors } = outcome.value as ReturnType<typeof parseSafetensors>;
        for (const [name, e] of c.expect) {
          const got = tensors.get(name);
          const values = got ? Array.from(got.data as ArrayLike<number | bigint>, Number) : null;
          if (!got || JSON.stringify(got.shape) !== JSON.stringify(e.shape) || !values!.every((v, k) => Object.is(v, e.values[k]))) s.wrong.push(`${label}: ${name}`);
        }
      }
    }
  }
  t.diagnostic(summary(s));
  assertClean(s);
});

test('configs: mutated values of every key the model reads, missing keys and non-object configs are refused in one line; in-domain changes pass', (t) => {
  const cases = configCases(tinyConfig(), 29, 3);
  assert.ok(cases.length >= 120, `${cases.length} cases`);
  const s = tally();
  for (const [i, c] of cases.entries()) {
    s.cases++;
    const outcome = attempt(() => validateConfig(structuredClone(c.config) as VideoLMConfig));
    const label = `#${i} ${c.kind} ${JSON.stringify(c.config)?.slice(0, 0)}`;
    if (outcome.ms > IN_PROCESS_LIMIT_MS) s.hangs.push(label);
    if (outcome.result === 'crashed') s.crashes.push(`${label}: ${String(outcome.error)}`);
    else if (!c.valid && outcome.result === 'accepted') s.silent.push(label);
    else if (c.valid && outcome.result !== 'accepted') s.wrong.push(`${label}: ${outcome.result === 'refused' ? outcome.message : ''}`);
    else if (!c.valid && outcome.result === 'refused' && !outcome.message.startsWith('config.json: ')) s.wrong.push(`${label}: ${outcome.message}`);
  }
  t.diagnostic(summary(s));
  assertClean(s);
});

let root: string;
let sandbox: string;

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for (const entry of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        out.set(full, 'dir');
        await walk(full);
      } else out.set(full, (await fs.readFile(full)).toString('base64').slice(0, 64) + (await fs.stat(full)).size);
    }
  };
  await walk(dir);
  return out;
}

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-fuzz-'));
  sandbox = path.join(root, 'sandbox');
  await fs.mkdir(path.join(sandbox, 'keep', 'nested'), { recursive: true });
  await fs.writeFile(path.join(sandbox, 'keep', 'notes.txt'), 'mine\n');
  await fs.writeFile(path.join(sandbox, 'keep', 'nested', 'more.txt'), 'also mine\n');
  await fs.writeFile(path.join(sandbox, 'file.txt'), 'a file\n');
  await fs.writeFile(path.join(sandbox, 'garbage.mp4'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  await fs.writeFile(path.join(sandbox, 'question.txt'), 'does the red circle move from left to right? please answer yes or no:\n');
  const sharp = (await import('sharp')).default;
  await fs.mkdir(path.join(sandbox, 'frames'));
  for (let i = 0; i < 4; i++) {
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 60 * i, g: 90, b: 30 } } }).png().toFile(path.join(sandbox, 'frames', `f${i}.png`));
  }
  await synthesizeDataset(path.join(sandbox, 'data'), { train: 4, val: 2, test: 2, frames: 4, size: 16, seed: 1 });
  await saveVideoLM(createVideoLM(tinyConfig(), 3, tokenizer), path.join(sandbox, 'model'));
});
after(async () => fs.rm(root, { recursive: true, force: true }));

function runCli(args: string[], stdin?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: sandbox, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_LIMIT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, ms: performance.now() - t0 });
    });
    child.stdin.end(stdin ?? '');
  });
}

/** Generated invocations: each template draws its bad value from a pool with a seeded generator. */
function cliCases(seed: number): { args: string[]; stdin?: string }[] {
  const rng = new Random(seed);
  const taken = ['file.txt', 'keep', 'frames', 'keep/notes.txt'];
  const fresh = () => `fresh-${rng.int(1e6)}`;
  const video = ['--model', 'model', '--video', 'frames', '--frames', '4', '--size', '16'];
  const templates: (() => { args: string[]; stdin?: string })[] = [
    () => ({ args: ['data', 'synth', '--out', rng.pick(taken), '--train', '2', '--val', '2', '--test', '2'] }),
    () => ({ args: ['data', 'synth', '--out', fresh(), rng.pick(['--train', '--val', '--test', '--frames', '--size', '--seed', '--distractors']), rng.pick(['3', '-2', 'x', '1.5', '', '99999999999'])] }),
    () => ({ args: ['data', 'import', 'frames', '--out', rng.pick(['frames', 'frames/sub', 'keep', 'file.txt', 'keep/notes.txt'])] }),
    () => ({ args: ['data', 'import', rng.pick(['missing.mp4', 'garbage.mp4', 'keep']), '--out', fresh()] }),
    () => ({ args: ['train', 'vision', '--data', 'data', '--preset', 'tiny', '--steps', '1', '--out', rng.pick([...taken, 'data', 'model'])] }),
    () => ({ args: ['train', 'vision', '--data', 'data', '--out', fresh(), rng.pick(['--steps', '--lr', '--batch', '--checkpoint-every', '--seed', '--preset']), rng.pick(['0', '-1', 'x', 'NaN', 'huge'])] }),
    () => ({ args: ['train', 'base', '--data', rng.pick(['missing', 'keep', 'file.txt']), '--out', fresh()] }),
    () => ({ args: ['train', rng.pick(['base', 'stave', 'control']), '--resume', '--out', rng.pick(['keep', 'missing', 'file.txt'])] }),
    () => ({ args: ['eval', '--model', 'model', '--data', 'data', '--out', rng.pick(taken)] }),
    () => ({ args: ['eval', '--model', rng.pick(['missing', 'keep', 'file.txt', 'data']), '--data', 'data'] }),
    () => ({ args: ['eval', '--model', 'model', '--data', 'data', rng.pick(['--split', '--limit', '--batch']), rng.pick(['bogus', '0', '-3', 'x'])] }),
    () => ({ args: ['ask', ...video, rng.pick(['', ' ', '\n\t ', '   \n'])] }),
    () => ({ args: ['ask', ...video, '-'], stdin: rng.pick(['', '  \n', '\t']) }),
    () => ({ args: ['ask', '--model', 'model', '--video', 'frames', '--size', rng.pick(['4096', '8192', '65536']), 'does it move?'] }),
    () => ({ args: ['ask', '--model', 'model', '--video', 'frames', '--frames', rng.pick(['1', '0', 'x', '1000000']), 'does it move?'] }),
    () => ({ args: ['ask', ...video, '--question-file', rng.pick(['missing.txt', 'keep', 'frames'])] }),
    () => ({ args: ['ask', ...video, '--question-file', 'question.txt', 'and an argument'] }),
    () => ({ args: ['ask', ...video, 'word '.repeat(4000 + rng.int(4000))] }),
    () => ({ args: ['ask', '--model', rng.pick(['keep', 'missing', 'file.txt']), '--video', 'frames', 'does it move?'] }),
    () => ({ args: ['ask', '--model', 'model', '--video', rng.pick(['missing.mp4', 'garbage.mp4']), 'does it move?'] }),
    () => ({ args: [rng.pick(['data', 'train', 'eval', 'ask']), rng.pick(['--bogus', '--out=', 'nonsense'])] }),
    () => ({ args: ['demo', '--out', rng.pick(taken)] }),
    () => ({ args: ['export', '--from', 'model', '--out', rng.pick(taken)] }),
    () => ({ args: ['probe', 'all', '--model', 'model', '--data', 'data', '--out', rng.pick(['file.txt', 'keep/notes.txt'])] }),
  ];
  return [...templates.map((make) => make()), ...rng.shuffle(templates).slice(0, 10).map((make) => make())];
}

test('CLI: generated bad invocations exit 1 with one line on stderr, no stack trace, no signal, and leave the sandbox as it was', async (t) => {
  const cases = cliCases(41);
  const before = await snapshot(sandbox);
  const s = tally();
  const results = new Array<Awaited<ReturnType<typeof runCli>>>(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runCli(cases[i]!.args, cases[i]!.stdin);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  for (const [i, r] of results.entries()) {
    s.cases++;
    const label = `#${i} tempolab ${cases[i]!.args.join(' ').slice(0, 80)}: ${r.stderr.trim().slice(0, 160)}`;
    const lines = r.stderr.trim().split('\n').filter((l) => !/\bETA\b/.test(l));
    if (r.ms > CLI_LIMIT_MS || r.signal) s.hangs.push(label);
    else if (/^\s+at /m.test(r.stderr) || r.code !== 1 && r.code !== 0) s.crashes.push(`${label} (exit ${r.code})`);
    else if (r.code === 0) s.silent.push(label);
    else if (lines.length > 2 || !lines[0]) s.wrong.push(label);
  }
  const afterSnap = await snapshot(sandbox);
  const lost = [...before.keys()].filter((p) => afterSnap.get(p) !== before.get(p));
  const created = [...afterSnap.keys()].filter((p) => !before.has(p));
  t.diagnostic(`${summary(s)}; ${lost.length} pre-existing paths deleted or changed, ${created.length} paths left behind`);
  assertClean(s);
  assert.deepEqual(lost, [], 'no command deleted or changed a path it did not create');
  assert.deepEqual(created, [], 'a refused command writes nothing');
});
