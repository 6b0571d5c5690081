import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { latestCheckpoint, readSavedState, truncateLog, writeCheckpoint, type CheckpointPhase } from '../../src/train/checkpointSwap.js';

let root: string;
before(async () => (root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-swap-'))));
after(async () => fs.rm(root, { recursive: true, force: true }));

const state = (globalStep: number) => ({ stageIndex: 0, step: globalStep, globalStep, optimizerStep: globalStep });
const dead = () => spawnSync(process.execPath, ['-e', '0']).pid!;

async function fakeCheckpoint(dir: string, globalStep: number | null, extra = 'w'): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'weights'), extra);
  if (globalStep !== null) await fs.writeFile(path.join(dir, 'trainer_state.json'), JSON.stringify(state(globalStep)));
}

test('a save reports its four phases in order and leaves only checkpoint/', async () => {
  const run = path.join(root, 'phases');
  const seen: CheckpointPhase[] = [];
  await writeCheckpoint(run, state(1), (d) => fs.writeFile(path.join(d, 'weights'), 'a'), (p) => void seen.push(p));
  await writeCheckpoint(run, state(2), (d) => fs.writeFile(path.join(d, 'weights'), 'b'), (p) => void seen.push(p));
  assert.deepEqual(seen, ['partial', 'complete', 'aside', 'swapped', 'partial', 'complete', 'aside', 'swapped']);
  assert.deepEqual(await fs.readdir(run), ['checkpoint']);
  assert.equal(await fs.readFile(path.join(run, 'checkpoint', 'weights'), 'utf8'), 'b');
});

test('resume adopts the newest complete copy among checkpoint/, finished temps and set-aside copies', async () => {
  const run = path.join(root, 'adopt');
  await fakeCheckpoint(path.join(run, 'checkpoint'), 4, 'four');
  await fakeCheckpoint(path.join(run, `.tmp-checkpoint-${dead()}-a`), 6, 'six');
  await fakeCheckpoint(path.join(run, `.tmp-checkpoint-${dead()}-b`), null, 'torn');
  await fakeCheckpoint(path.join(run, `.old-checkpoint-${dead()}-c`), 2, 'two');
  assert.equal((await latestCheckpoint(run))?.globalStep, 6);
  assert.deepEqual(await fs.readdir(run), ['checkpoint']);
  assert.equal(await fs.readFile(path.join(run, 'checkpoint', 'weights'), 'utf8'), 'six');

  const aside = path.join(root, 'aside-only');
  await fakeCheckpoint(path.join(aside, `.old-checkpoint-${dead()}-d`), 8, 'eight');
  assert.equal((await latestCheckpoint(aside))?.globalStep, 8, 'the old copy set aside is adopted when nothing newer is complete');
  assert.ok(existsSync(path.join(aside, 'checkpoint', 'weights')));
  assert.equal(await latestCheckpoint(path.join(root, 'none')), null);
});

test('trainer_state.json that is torn or of the wrong types means incomplete', async () => {
  for (const [i, text] of ['{"stageIndex": 0, "step": 2', 'null', '[]', '{"stageIndex": -1, "step": 0, "globalStep": 0}', '{"stageIndex": 0, "step": "2", "globalStep": 2}'].entries()) {
    const dir = path.join(root, `torn-${i}`);
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'trainer_state.json'), text);
    assert.equal(await readSavedState(dir), null, text);
  }
});

test('the log is cut back to the resumed step, dropping a torn last line', async () => {
  const log = path.join(root, 'log.jsonl');
  await fs.writeFile(log, [1, 2, 3, 4, 5].map((g) => JSON.stringify({ globalStep: g, loss: 1 / g })).join('\n') + '\n{"globalStep": 6, "lo');
  await truncateLog(log, 3);
  assert.deepEqual((await fs.readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).globalStep), [1, 2, 3]);
  await fs.appendFile(log, '{"globalStep": 4}\n{"glob');
  await truncateLog(log, 9);
  assert.deepEqual((await fs.readFile(log, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).globalStep), [1, 2, 3, 4]);
  await truncateLog(log, 0);
  assert.ok(!existsSync(log));
});
