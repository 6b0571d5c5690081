import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodeVideo, ffmpegPath, fpsFrameSampling, importVideos, openDataset } from '../../src/data/index.js';
import { framesOf, tempDir } from './helpers.js';

const root = tempDir();
const cliPath = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const ffmpeg = (...args: string[]) => execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
const mean = (frame: Uint8Array) => frame.reduce((a, b) => a + b, 0) / frame.length;

// 3 s at 10 fps of a grey level that rises by 8 every frame, so a frame's brightness names its index.
const ramp = path.join(root, 'ramp.mp4');
ffmpeg('-f', 'lavfi', '-i', "color=c=black:s=48x32:r=10:d=3,format=gray,geq=lum='N*8'", '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-qp', '0', ramp);
const testsrc = path.join(root, 'testsrc.mp4');
ffmpeg('-f', 'lavfi', '-i', 'testsrc=duration=2:size=96x64:rate=15', '-pix_fmt', 'yuv420p', testsrc);

test("a clip made with the npm-shipped ffmpeg's testsrc imports with the right frame count and size", async () => {
  const out = path.join(root, 'testsrc-ds');
  const manifest = await importVideos([testsrc], out, { frames: 8, size: 32 });
  assert.deepEqual([manifest.frames, manifest.height, manifest.width], [8, 32, 32]);
  const ds = openDataset(out);
  assert.deepEqual(ds.videos('test').map((v) => v.id), ['testsrc']);
  assert.equal(ds.frames('testsrc').length, 8 * 32 * 32 * 3);
  assert.equal(ds.video('testsrc').sourceFrames!.length, 8);
});

test('frames are sampled uniformly: the middle frame of each of N equal segments', async () => {
  const out = path.join(root, 'ramp-ds');
  await importVideos([ramp], out, { frames: 8, size: 16 });
  const levels = framesOf(openDataset(out).frames('ramp'), 8).map(mean);
  // 30 source frames, 8 segments of 3.75: middles at 1, 5, 9, 13, 16, 20, 24, 28.
  const expected = [1, 5, 9, 13, 16, 20, 24, 28];
  const slope = (levels[7]! - levels[0]!) / (expected[7]! - expected[0]!);
  assert.ok(slope > 6, `grey rises ${slope} per source frame`);
  levels.forEach((level, t) => assert.ok(Math.abs(level - levels[0]! - slope * (expected[t]! - expected[0]!)) < 2, `frame ${t}: ${levels}`));
});

test('a folder of frame images imports as one clip, resized to cover and centre-cropped', async () => {
  const dir = path.join(root, 'frames-clip');
  mkdirSync(dir);
  for (let i = 0; i < 12; i++) {
    // 80x20 frames: the left eighth red, the rest grey at level 20*i; the crop keeps the middle 20x20.
    const pixels = Buffer.alloc(80 * 20 * 3);
    for (let p = 0; p < 80 * 20; p++) {
      const red = p % 80 < 10;
      pixels.set(red ? [255, 0, 0] : [20 * i, 20 * i, 20 * i], 3 * p);
    }
    await sharp(pixels, { raw: { width: 80, height: 20, channels: 3 } }).png().toFile(path.join(dir, `frame${i + 1}.png`));
  }
  const out = path.join(root, 'frames-ds');
  await importVideos([dir], out, { frames: 4, size: 8 });
  const frames = framesOf(openDataset(out).frames('frames-clip'), 4);
  // frame1..frame12 sorted numerically; segment middles of 12 in 4: 1, 4, 7, 10 (zero-based).
  assert.deepEqual(frames.map((f) => Math.round(mean(f) / 20)), [1, 4, 7, 10]);
  for (const f of frames) assert.ok(f.every((v, i) => i % 3 !== 0 || Math.abs(v - f[1]!) <= 2), 'the red margin is cropped away');
});

test('a truncated file fails with a one-line error naming it, and leaves no output directory', async () => {
  const truncated = path.join(root, 'truncated.mp4');
  writeFileSync(truncated, readFileSync(testsrc).subarray(0, 1500));
  const out = path.join(root, 'truncated-ds');
  await assert.rejects(importVideos([testsrc, truncated], out), (error: Error) => {
    assert.match(error.message, /^video '.*truncated\.mp4' is truncated or corrupt \(ffmpeg: .+\); re-encode it or remove it$/);
    return true;
  });
  assert.equal(existsSync(out), false);
  assert.ok(!readdirSync(root).some((n) => n.startsWith('.tmp-')), 'no temp directory left behind');

  const cli = spawnSync(process.execPath, [cliPath, 'data', 'import', truncated, '--out', out], { encoding: 'utf8' });
  assert.equal(cli.status, 1);
  assert.equal(cli.stderr.trim().split('\n').filter((l) => l.startsWith('tempolab:')).length, 1);
  assert.match(cli.stderr, /tempolab: video '.*truncated\.mp4' is truncated or corrupt/);
  assert.equal(existsSync(out), false);
});

test('empty, non-video and missing inputs give one-line errors', async () => {
  const empty = path.join(root, 'empty.mp4');
  writeFileSync(empty, '');
  const audio = path.join(root, 'tone.wav');
  ffmpeg('-f', 'lavfi', '-i', 'sine=duration=0.5', audio);
  const out = path.join(root, 'bad-ds');
  await assert.rejects(importVideos([empty], out), /^TempolabError: video '.*empty\.mp4' is empty \(0 bytes\)/);
  await assert.rejects(importVideos([audio], out), /'.*tone\.wav' has no video stream; pass a video file/);
  await assert.rejects(importVideos([path.join(root, 'nope.mp4')], out), /does not exist/);
  await assert.rejects(importVideos([testsrc], out, { size: 30 }), /--size must be a multiple of 8/);
  await assert.rejects(importVideos([testsrc], out, { frames: 3 }), /--frames must be an even integer/);
  assert.equal(existsSync(out), false);
});

test('--add-reversed writes each clip\'s frame-reversed twin as its opposing partner; the source duration is recorded', async () => {
  const out = path.join(root, 'ramp-reversed-ds');
  const manifest = await importVideos([ramp], out, { frames: 8, size: 16, addReversed: true });
  assert.equal(manifest.splits.test.videos, 2);
  const ds = openDataset(out);
  const [forward, backward] = [ds.video('ramp'), ds.video('ramp_reversed')];
  assert.deepEqual([forward.partnerId, forward.partnerKind, backward.partnerId, backward.partnerKind], ['ramp_reversed', 'reversed', 'ramp', 'reversed']);
  assert.deepEqual(backward.sourceFrames, [28, 24, 20, 16, 13, 9, 5, 1]);
  assert.deepEqual(framesOf(ds.frames('ramp_reversed'), 8).map(mean), framesOf(ds.frames('ramp'), 8).map(mean).reverse());
  assert.equal(forward.seconds, 3, '30 frames at 10 fps');
  const clash = path.join(root, 'ramp_reversed.mp4');
  writeFileSync(clash, readFileSync(ramp));
  const twice = spawnSync(process.execPath, [cliPath, 'data', 'import', ramp, clash, '--out', path.join(root, 'x'), '--add-reversed'], { encoding: 'utf8' });
  assert.notEqual(twice.status, 0);
  assert.match(twice.stderr, /would get the reversed twin 'ramp_reversed', which is also an input/);
});

test("Qwen2.5-VL's fps-based sampling (qwen-vl-utils smart_nframes), hand-worked", async () => {
  // 3 s at 10 fps, 2 fps → 6 frames at linspace(0, 29, 6) = 0, 5.8, 11.6, 17.4, 23.2, 29.
  assert.deepEqual(fpsFrameSampling(30, 10, 2), { indices: [0, 6, 12, 17, 23, 29], sampleFps: 2 });
  // 0.2 s: at least 4 frames; linspace(0, 4, 4) = 0, 1.33, 2.67, 4.
  assert.deepEqual(fpsFrameSampling(5, 25).indices, [0, 1, 3, 4]);
  // 40 s at 25 fps → 80 frames; odd results round down to even: 7 s at 1 fps → 6.
  assert.equal(fpsFrameSampling(1000, 25).indices.length, 80);
  assert.equal(fpsFrameSampling(70, 10, 1).indices.length, 6);
  assert.throws(() => fpsFrameSampling(1, 10), /the video has only 1 frames/);
  const clip = await decodeVideo(ramp, 0, 16, { fps: 2 });
  assert.deepEqual(clip.sourceFrames, [0, 6, 12, 17, 23, 29]);
  assert.equal(clip.sampleFps, 2);
  assert.deepEqual(framesOf(clip.pixels, 6).map((f) => Math.round(mean(f) / 8)), [0, 6, 12, 17, 23, 29], 'the ramp\'s grey level names each frame');
});
