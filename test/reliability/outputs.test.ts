import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isDataset } from '../../src/data/dataset.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import { importVideos } from '../../src/data/video.js';
import { swapDirectory, writeDirAtomic } from '../../src/engine/atomicWrite.js';
import { removeStaleTemps } from '../../src/engine/outputDir.js';
import { train } from '../../src/train/recipes.js';

let root: string;
const tiny = { train: 2, val: 2, test: 2, frames: 4, size: 16, seed: 1 };

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-outputs-'));
});
after(async () => fs.rm(root, { recursive: true, force: true }));

/** A pid that is certainly dead: a child that has already exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

test('data synth refuses a folder it did not make (the issue\'s notes.txt case), replaces its own dataset, and replaces anything with --overwrite', async () => {
  const keep = path.join(root, 'keep');
  await fs.mkdir(keep);
  await fs.writeFile(path.join(keep, 'notes.txt'), 'x\n');
  await assert.rejects(synthesizeDataset(keep, tiny), /keep already exists and is not a tempolab dataset \(it holds 1 entry, e\.g\. 'notes\.txt'\); .* pass --overwrite/);
  assert.equal(await fs.readFile(path.join(keep, 'notes.txt'), 'utf8'), 'x\n');
  const file = path.join(root, 'file.txt');
  await fs.writeFile(file, 'y');
  await assert.rejects(synthesizeDataset(file, tiny), /file\.txt is a file, not a directory/);
  assert.equal(await fs.readFile(file, 'utf8'), 'y');

  const ds = path.join(root, 'ds');
  await synthesizeDataset(ds, tiny);
  await synthesizeDataset(ds, { ...tiny, seed: 2 });
  assert.ok(isDataset(ds));
  await synthesizeDataset(keep, { ...tiny, overwrite: true });
  assert.ok(isDataset(keep) && !existsSync(path.join(keep, 'notes.txt')));
  assert.deepEqual((await fs.readdir(root)).filter((n) => n.startsWith('.')), [], 'no temps or set-aside copies remain');
});

test('importing a frame folder into itself (or a folder inside it) is refused and the frames stay', async () => {
  const sharp = (await import('sharp')).default;
  const frames = path.join(root, 'frames');
  await fs.mkdir(frames);
  for (let i = 0; i < 4; i++) await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 50 * i, g: 0, b: 0 } } }).png().toFile(path.join(frames, `${i}.png`));
  for (const out of [frames, path.join(frames, 'ds')]) {
    await assert.rejects(importVideos([frames], out, { frames: 4, size: 16 }), /overlaps the input/);
  }
  assert.deepEqual((await fs.readdir(frames)).sort(), ['0.png', '1.png', '2.png', '3.png']);
  await assert.rejects(importVideos([frames], frames, { frames: 4, size: 16, overwrite: true }), /overlaps the input/, '--overwrite does not make it safe');
});

test('a kill between the two renames of a swap leaves the old copy aside, and the next run puts it back', async () => {
  const target = path.join(root, 'swap');
  await writeDirAtomic(target, async (tmp) => fs.writeFile(path.join(tmp, 'v'), 'old'));
  const tmp = path.join(root, 'swap-new');
  await fs.mkdir(tmp);
  await fs.writeFile(path.join(tmp, 'v'), 'new');
  await assert.rejects(swapDirectory(tmp, target, (phase) => { if (phase === 'aside') throw new Error('killed'); }), /killed/);
  assert.ok(!existsSync(target));
  const aside = (await fs.readdir(root)).find((n) => n.startsWith('.old-swap-'))!;
  // Pretend its writer died: rename the set-aside copy to carry a dead pid.
  const stale = path.join(root, aside.replace(/-\d+-([0-9a-z]+)$/, `-${deadPid()}-$1`));
  await fs.rename(path.join(root, aside), stale);
  const leftover = path.join(root, `.tmp-swap-${deadPid()}-abc`);
  await fs.mkdir(leftover);
  const result = await removeStaleTemps(target);
  assert.equal(result.restored, stale);
  assert.deepEqual(result.removed, [leftover]);
  assert.equal(await fs.readFile(path.join(target, 'v'), 'utf8'), 'old');
});

test('temps of a live writer are left alone; stale ones are removed by the next write of the same target', async () => {
  const target = path.join(root, 'busy');
  const live = path.join(root, `.tmp-busy-${process.ppid}-zz`);
  const dead = path.join(root, `.tmp-busy-${deadPid()}-zz`);
  await fs.mkdir(live);
  await fs.mkdir(dead);
  await synthesizeDataset(target, tiny);
  assert.ok(existsSync(live) && !existsSync(dead));
});

test('train refuses a folder that is not a run and never clears it', async () => {
  const data = path.join(root, 'ds');
  const keep = path.join(root, 'train-keep');
  await fs.mkdir(keep);
  await fs.writeFile(path.join(keep, 'log.jsonl'), 'my own log\n');
  await assert.rejects(
    train({ kind: 'vision', preset: 'tiny', data, out: keep, steps: 1, lr: 1e-3, warmupSteps: 1, seed: 0, batchSize: 2, checkpointEvery: 10, weightDecay: 0, maxGradNorm: 1 }),
    /train-keep already exists and is not a training run/,
  );
  assert.equal(await fs.readFile(path.join(keep, 'log.jsonl'), 'utf8'), 'my own log\n');
});

test('read-only output folders give one line', { skip: process.getuid?.() === 0 ? 'root ignores permissions' : false }, async () => {
  const ro = path.join(root, 'ro');
  await fs.mkdir(ro);
  await fs.chmod(ro, 0o555);
  await assert.rejects(synthesizeDataset(path.join(ro, 'ds'), tiny), /cannot write to .*ro.* read-only for this user/);
  await fs.chmod(ro, 0o755);
});
