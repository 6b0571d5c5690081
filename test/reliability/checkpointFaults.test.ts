import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { synthesizeDataset } from '../../src/data/synth.js';
import { train } from '../../src/train/recipes.js';
import { CHECKPOINT_PHASES, latestCheckpoint } from '../../src/train/checkpointSwap.js';
import type { ParameterStore } from '../../src/engine/parameters.js';
import { faultRun } from './faultSettings.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', '..', 'src', 'cli', 'main.js');
let root: string;
let data: string;
let straight: ParameterStore;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-faults-'));
  data = path.join(root, 'data');
  await synthesizeDataset(data, { train: 16, val: 2, test: 2, frames: 4, size: 16, seed: 3 });
  straight = (await train(faultRun(data, path.join(root, 'straight')))).model.params;
});
after(async () => fs.rm(root, { recursive: true, force: true }));

/** Runs a child; `onTick` is polled every 20 ms while it runs (stderr arrives too rarely to time a signal by it). */
function run(args: string[], onTick?: (pid: number) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const ticker = onTick ? setInterval(() => onTick(child.pid!), 20) : undefined;
    const limit = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code, signal) => {
      clearInterval(ticker);
      clearTimeout(limit);
      resolve({ code, signal, stderr });
    });
  });
}

async function loggedSteps(runDir: string): Promise<number[]> {
  const text = await fs.readFile(path.join(runDir, 'log.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => (JSON.parse(line) as { globalStep: number }).globalStep);
}

test('kill -9 at every phase of a checkpoint swap: resume finds the last completed checkpoint and finishes bit-exactly', async () => {
  // The kill comes during the save at step 4; before the trainer_state.json marker the save is not complete.
  const expected: Record<string, number> = { partial: 2, complete: 4, aside: 4, swapped: 4 };
  const results = await Promise.all(CHECKPOINT_PHASES.map(async (phase) => {
    const out = path.join(root, `kill-${phase}`);
    const child = await run([path.join(here, 'faultChild.js'), data, out, phase, '4']);
    return { phase, out, child };
  }));
  for (const { phase, out, child } of results) {
    assert.equal(child.signal, 'SIGKILL', `${phase}: ${child.stderr}`);
    assert.ok(!existsSync(path.join(out, 'checkpoint')) || phase !== 'aside', 'the kill at "aside" leaves no checkpoint/ directory');
    const found = await latestCheckpoint(out);
    assert.equal(found?.globalStep, expected[phase], `${phase}: resumed from the newest complete checkpoint`);
    assert.deepEqual((await fs.readdir(out)).filter((n) => n.startsWith('.')), [], `${phase}: leftovers tidied`);
    const resumed = await train({ resume: out });
    assert.equal(resumed.state.globalStep, 6);
    for (const [name, p] of straight) assert.deepEqual(resumed.model.params.get(name)!.data, p.data, `${phase}: ${name}`);
    assert.deepEqual(await loggedSteps(out), [1, 2, 3, 4, 5, 6], `${phase}: the log continues without doubling back`);
  }
});

test('SIGTERM during training saves a checkpoint at the step it stopped and exits 143', async () => {
  const out = path.join(root, 'sigterm');
  let sent = false;
  const child = await run([cli, 'train', 'vision', '--data', data, '--out', out, '--preset', 'tiny', '--steps', '100000', '--batch', '4', '--checkpoint-every', '1000'], (pid) => {
    if (!sent && existsSync(path.join(out, 'log.jsonl'))) {
      sent = true;
      process.kill(pid, 'SIGTERM');
    }
  });
  assert.equal(child.code, 143, child.stderr);
  assert.match(child.stderr, /stopped at step \d+ \(checkpoint saved\); continue with --resume/);
  const state = await latestCheckpoint(out);
  assert.ok(state && state.globalStep > 0 && state.globalStep < 100000, JSON.stringify(state));
  const steps = await loggedSteps(out);
  assert.equal(steps.at(-1), state.globalStep, 'the log ends at the saved step');
});

test('a start that fails before its first checkpoint leaves no run.json, so the corrected command can start', async () => {
  const out = path.join(root, 'failed-start');
  await assert.rejects(train({ ...faultRun(data, out), lr: 1e9, maxGradNorm: 0, checkpointEvery: 1000 }), /training diverged at step \d+ of vision .*; no checkpoint was saved yet — lower the learning rate and start the run again/);
  assert.ok(!existsSync(out), 'the directory this start created is gone');
  const again = await train({ ...faultRun(data, out), steps: 2 });
  assert.equal(again.state.globalStep, 2);
});
