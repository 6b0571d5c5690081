import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Estimate } from '../../src/eval/result.js';
import { armsBeatingControl, baseModelDigest, readStaSweep, STA_SWEEP_FILE, staSweepTable, type SweepArm } from '../../src/eval/staSweep.js';

const estimate = (mean: number, low: number, high: number): Estimate => ({ mean, low, high, n: 100 });
const arm = (name: string, kind: SweepArm['kind'], schedule: string, pairs: Estimate): SweepArm =>
  ({ name, kind, schedule, flags: {}, seconds: 1, overall: estimate(0.5, 0.4, 0.6), perception: estimate(0.9, 0.85, 0.95), pairs, pairsByDimension: { order: pairs } });

test('an STA arm beats the control only against the control of its own schedule, and only beyond both intervals', () => {
  const arms = [
    arm('control short', 'control', 'short', estimate(0.2, 0.15, 0.25)),
    arm('control long', 'control', 'long', estimate(0.5, 0.45, 0.55)),
    // Above the short control's interval: beats it.
    arm('STAVE short a', 'stave', 'short', estimate(0.35, 0.3, 0.4)),
    // Its interval touches the control's (0.25 ≮ 0.25): does not.
    arm('STAVE short b', 'stave', 'short', estimate(0.3, 0.25, 0.35)),
    // Would beat the short control, but its own schedule's control is higher.
    arm('STAVE long', 'stave', 'long', estimate(0.4, 0.35, 0.45)),
    // No control of its schedule: nothing to beat.
    arm('STAVE orphan', 'stave', 'other', estimate(0.9, 0.85, 0.95)),
  ];
  assert.deepEqual(armsBeatingControl(arms).map((a) => a.name), ['STAVE short a']);
});

test('the sweep table has one row per arm, percentages with intervals, and a dash where a dimension has no pairs', () => {
  const table = staSweepTable([arm('control short', 'control', 'short', estimate(0.2, 0.15, 0.25))]);
  assert.equal(table.rows.length, 1);
  const row = Object.fromEntries(table.header.map((h, i) => [h, table.rows[0]![i]]));
  assert.equal(row['opposing pairs'], '20.0 [15.0, 25.0]');
  assert.equal(row['pairs: order'], '20.0 [15.0, 25.0]');
  assert.equal(row['pairs: direction'], '—');
});

test('a base without a sweep has none; a file that is not a validation sweep, or was measured on other weights, is refused in one line', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-sweep-'));
  try {
    assert.equal(readStaSweep(dir), null);
    await fs.writeFile(path.join(dir, STA_SWEEP_FILE), JSON.stringify({ base: 'b', data: 'd', split: 'test', arms: [] }));
    assert.throws(() => readStaSweep(dir), (e: Error) => /sta-sweep\.json is not an STA sweep on the validation split: remake it with npm run bench:sweep$/.test(e.message) && !e.message.includes('\n'));
    // A model directory stands in for the base run: the digest is of its weights' bytes.
    await fs.writeFile(path.join(dir, 'config.json'), '{}');
    await fs.writeFile(path.join(dir, 'model.safetensors'), 'the weights the sweep was measured on');
    const measured = baseModelDigest(dir);
    const sweep = { base: 'b', baseModel: measured, data: 'd', split: 'val', arms: [arm('control short', 'control', 'short', estimate(0.2, 0.15, 0.25))] };
    await fs.writeFile(path.join(dir, STA_SWEEP_FILE), JSON.stringify(sweep));
    assert.deepEqual(readStaSweep(dir), sweep);
    await fs.writeFile(path.join(dir, 'model.safetensors'), 'the base retrained');
    assert.notEqual(baseModelDigest(dir), measured);
    assert.throws(() => readStaSweep(dir), (e: Error) => /sta-sweep\.json was measured on other weights than .*'s model \(the base was retrained since\): remake it with npm run bench:sweep, or delete it$/.test(e.message));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
