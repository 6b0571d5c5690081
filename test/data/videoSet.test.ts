import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { encodeVideo, exportVideos, PARTNERS_FILE } from '../../src/data/encode.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import { decodeVideo } from '../../src/data/video.js';
import { DEFAULT_VIDEO_SET, makeVideoSet } from '../../src/data/videoSet.js';

let root: string;
before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-videoset-'));
});
after(async () => fs.rm(root, { recursive: true, force: true }));

test('a clip encoded as H.264 decodes back to the same frames, up to the codec (yuv420p) error', async () => {
  const [frames, size] = [8, 32];
  const pixels = new Uint8Array(frames * size * size * 3);
  // A grey background with an 8×8 red square moving right one block per frame.
  for (let t = 0; t < frames; t++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inSquare = y >= 12 && y < 20 && x >= 3 * t && x < 3 * t + 8;
        pixels.set(inSquare ? [220, 30, 30] : [90, 90, 90], ((t * size + y) * size + x) * 3);
      }
    }
  }
  const file = path.join(root, 'square.mp4');
  await encodeVideo(file, pixels, { frames, height: size, width: size }, { fps: 8, crf: 0 });
  const clip = await decodeVideo(file, frames, size);
  assert.equal(clip.sourceFrameCount, frames);
  assert.deepEqual(clip.sourceFrames, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(clip.seconds, 1);
  let error = 0;
  for (let i = 0; i < pixels.length; i++) error += Math.abs(pixels[i]! - clip.pixels[i]!);
  const meanError = error / pixels.length;
  assert.ok(meanError < 6, `mean absolute error ${meanError.toFixed(2)} levels`);
  // The square is where it was drawn: red dominates at its centre in the last frame.
  const at = ((7 * size + 16) * size + 25) * 3;
  assert.ok(clip.pixels[at]! > 150 && clip.pixels[at + 1]! < 90, `[${clip.pixels.subarray(at, at + 3).join(', ')}]`);
});

test('export-videos writes one mp4 per clip and the dataset\'s opposing partners; it replaces only its own output', async () => {
  const data = path.join(root, 'synth');
  await synthesizeDataset(data, { train: 0, val: 0, test: 4, seed: 3 });
  const out = path.join(root, 'exported');
  assert.equal(await exportVideos(data, out), 4);
  const dataset = openDataset(data);
  const names = (await fs.readdir(out)).sort();
  assert.deepEqual(names, [...dataset.videos('test').map((v) => `${v.id}.mp4`), PARTNERS_FILE].sort());
  const partners = JSON.parse(await fs.readFile(path.join(out, PARTNERS_FILE), 'utf8'));
  assert.deepEqual(partners, Object.fromEntries(dataset.videos('test').map((v) => [v.id, v.partnerId])));
  assert.equal(await exportVideos(data, out, { crf: 30 }), 4, 'an earlier export is replaced');
  await assert.rejects(exportVideos(data, path.join(root, 'synth')), /already exists and is not exported videos/);
  await assert.rejects(exportVideos(data, path.join(root, 'x'), { split: 'train' }), /dataset '.*' has no train clips; choose another --split/);
});

test('the encoded-video set: the mp4s come back through data import with every question and every opposing pair of the scenes drawn', async () => {
  const out = path.join(root, 'video-set');
  const settings = { ...DEFAULT_VIDEO_SET, clips: 6, seed: 5 };
  const dataDir = await makeVideoSet(out, settings);
  assert.equal(dataDir, path.join(out, 'data'));
  for (const part of ['videos', 'questions', 'data', 'video-set.json']) assert.ok(existsSync(path.join(out, part)), part);
  const set = openDataset(dataDir);
  assert.equal(set.manifest.origin, 'imported');
  assert.deepEqual([set.manifest.frames, set.manifest.height], [settings.import.frames, settings.import.size]);
  // The same scenes drawn directly: the set keeps their questions, answers and pairs.
  const drawn = path.join(root, 'drawn');
  await synthesizeDataset(drawn, { train: 0, val: 0, test: settings.clips, seed: settings.seed, frames: settings.render.frames, size: settings.render.size });
  const source = openDataset(drawn).questions('test');
  const imported = set.questions('test');
  const key = (q: { videoId: string; format: string; question: string }) => `${q.videoId} ${q.format} ${q.question}`;
  assert.deepEqual(imported.map((q) => `${key(q)} → ${q.answer}`).sort(), source.map((q) => `${key(q)} → ${q.answer}`).sort());
  const byId = new Map(imported.map((q) => [q.id, q]));
  const linked = imported.filter((q) => q.partnerId);
  assert.equal(linked.length, source.filter((q) => q.partnerId).length, 'every opposing pair is linked again');
  for (const q of linked) assert.notEqual(byId.get(q.partnerId!)!.answer, q.answer, `${q.id}: partners answer differently`);
  await assert.rejects(makeVideoSet(out, { ...settings, clips: 5 }), /--clips must be a positive even number/);
});
