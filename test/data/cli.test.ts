import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { tempDir } from './helpers.js';

const root = tempDir();
const cliPath = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tempolab = (...args: string[]) => spawnSync(process.execPath, [cliPath, 'data', ...args], { encoding: 'utf8' });

test('data synth, stats and preview work end to end from the CLI', async () => {
  const ds = path.join(root, 'ds');
  const synth = tempolab('synth', '--out', ds, '--train', '40', '--val', '10', '--test', '20', '--size', '48', '--frames', '6', '--seed', '5');
  assert.equal(synth.status, 0, synth.stderr);
  assert.match(synth.stdout, /wrote .*: 70 clips of 6x48x48/);

  const stats = tempolab('stats', ds);
  assert.equal(stats.status, 0, stats.stderr);
  assert.match(stats.stdout, /^train\s+40\s+320\s+0$/m);
  assert.match(stats.stdout, /^test\s+yes_no\s+\w+\s+\d+\s+50\.0%/m);

  const png = path.join(root, 'sheet.png');
  const preview = tempolab('preview', ds, '--out', png, '--id', 'test-000000', 'test-000001', '--frame-size', '48');
  assert.equal(preview.status, 0, preview.stderr);
  const sheet = await sharp(png).metadata();
  assert.equal(sheet.format, 'png');
  assert.equal(sheet.width, 6 * 48 + 5 * 4 + 2 * 4);

  const gif = path.join(root, 'clips.gif');
  assert.equal(tempolab('preview', ds, '--out', gif, '--gif').status, 0);
  const animation = await sharp(gif, { animated: true }).metadata();
  assert.equal(animation.format, 'gif');
  assert.equal(animation.pages, 6);
});

test('data synth --val-held-out-share puts held-out compositions into validation (stats counts them)', () => {
  const ds = path.join(root, 'val-held-out');
  const synth = tempolab('synth', '--out', ds, '--train', '10', '--val', '40', '--test', '10', '--size', '16', '--frames', '4', '--val-held-out-share', '0.5');
  assert.equal(synth.status, 0, synth.stderr);
  const stats = tempolab('stats', ds);
  const heldOut = Number(/^val\s+40\s+320\s+(\d+)$/m.exec(stats.stdout)?.[1]);
  assert.ok(heldOut >= 80 && heldOut <= 240, stats.stdout);
});

test('bad flags and missing datasets fail with one line naming the fix', () => {
  for (const [args, message] of [
    [['synth', '--out', path.join(root, 'x'), '--size', '36'], /--size must be a multiple of 8/],
    [['synth', '--out', path.join(root, 'x'), '--frames', '5'], /--frames must be an even integer/],
    [['synth', '--out', path.join(root, 'x'), '--train', 'many'], /--train must be an integer, got 'many'/],
    [['synth', '--out', path.join(root, 'x'), '--val-held-out-share', 'half'], /--val-held-out-share must be a number in \[0, 1\], got 'half'/],
    [['synth', '--out', path.join(root, 'x'), '--val-held-out-share', '0.35'], /--val-held-out-share must be a share in \[0, 1\] in steps of 0.1/],
    [['stats', path.join(root, 'missing')], /is not a tempolab dataset \(no manifest\.json\); create one with/],
    [['preview', path.join(root, 'missing'), '--out', path.join(root, 'p.gif')], /--gif writes a GIF|the contact sheet is a PNG/],
  ] as const) {
    const run = tempolab(...args);
    assert.equal(run.status, 1, `${args.join(' ')}: ${run.stderr}`);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, message);
  }
  assert.equal(existsSync(path.join(root, 'x')), false);
});
