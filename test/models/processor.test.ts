import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIP_MEAN, CLIP_STD, imagePixelValues, videoToPixelValues } from '../../src/models/processor.js';
import { tinyConfig } from './helpers.js';

/**
 * Hugging Face's Qwen2VLImageProcessor flattens patches with
 *   reshape(gt, tp, C, gh/m, m, p, gw/m, m, p).transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
 * This test evaluates that formula element by element (generic reshape/transpose index arithmetic),
 * independently of the processor's loops.
 */
test('pixel_values_videos follow Qwen2-VL processor order, normalised with CLIP mean/std', () => {
  const cfg = tinyConfig().vision_config; // p = 4, tp = 2, m = 2
  const [F, H, W] = [4, 16, 16];
  const frames = Uint8Array.from({ length: F * H * W * 3 }, (_, i) => (i * 37) % 251);
  const { data, grid } = videoToPixelValues(frames, F, H, W, cfg);
  assert.deepEqual(grid, { t: 2, h: 4, w: 4 });
  const [p, tp, m, C] = [4, 2, 2, 3];
  const [gt, gh, gw] = [F / tp, H / p, W / p];
  // dims of the 9-D view and the transposed order
  const dims = [gt, tp, C, gh / m, m, p, gw / m, m, p];
  const perm = [0, 3, 6, 4, 7, 2, 1, 5, 8];
  const outDims = perm.map((d) => dims[d]!);
  const total = outDims.reduce((a, b) => a * b, 1);
  assert.equal(data.length, total);
  for (let flat = 0; flat < total; flat += 7) {
    // unravel flat over outDims, then map to the source 9-D index
    const idx = new Array<number>(9);
    let rest = flat;
    for (let k = 8; k >= 0; k--) {
      idx[k] = rest % outDims[k]!;
      rest = Math.floor(rest / outDims[k]!);
    }
    const src = new Array<number>(9);
    perm.forEach((d, k) => (src[d] = idx[k]!));
    const [t, tt, c, hb, hi, py, wb, wi, px] = src as number[];
    const frame = t! * tp + tt!;
    const y = (hb! * m + hi!) * p + py!;
    const x = (wb! * m + wi!) * p + px!;
    const expected = (frames[((frame * H + y) * W + x) * 3 + c!]! / 255 - CLIP_MEAN[c!]!) / CLIP_STD[c!]!;
    assert.ok(Math.abs(data[flat]! - expected) < 1e-6, `element ${flat}`);
  }
});

test('bad frame sizes and orders give one-line errors', () => {
  const cfg = tinyConfig().vision_config;
  assert.throws(() => videoToPixelValues(new Uint8Array(4 * 12 * 12 * 3), 4, 12, 12, cfg), /frames are 12×12 but this model needs multiples of patch_size·spatial_merge_size = 8/);
  assert.throws(() => videoToPixelValues(new Uint8Array(4 * 16 * 16 * 3), 4, 16, 16, cfg, [0, 1, 1, 2]), /is not a permutation of 4 frames/);
  assert.throws(() => videoToPixelValues(new Uint8Array(10), 4, 16, 16, cfg), /video has 10 bytes, expected 4×16×16×3/);
});

test('images are repeated frame pairs; a tubelet pairing puts two frames in a group in time order, as the video groups them', () => {
  const cfg = tinyConfig().vision_config; // tp = 2
  const [F, H, W] = [4, 16, 16];
  const frames = Uint8Array.from({ length: F * H * W * 3 }, (_, i) => (i * 53) % 241);
  const frameBytes = H * W * 3;
  const group = (pv: { data: Float32Array; grid: { t: number } }, k: number) => pv.data.subarray((k * pv.data.length) / pv.grid.t, ((k + 1) * pv.data.length) / pv.grid.t);
  const video = videoToPixelValues(frames, F, H, W, cfg); // groups (0, 1), (2, 3)
  // Frame 1 paired with frame 0 is the video's first group, not (1, 0); frame 2 with 3 its second.
  const paired = imagePixelValues(frames, F, H, W, cfg, [1, 0, 3, 2]);
  assert.equal(paired.grid.t, F);
  for (const [k, v] of [[0, 0], [1, 0], [2, 1], [3, 1]] as const) assert.deepEqual(group(paired, k), group(video, v), `group ${k}`);
  // Unpaired, frame k is its own pair: the video of frame k written twice.
  const images = imagePixelValues(frames, F, H, W, cfg);
  for (let k = 0; k < F; k++) {
    const twice = new Uint8Array(2 * frameBytes);
    twice.set(frames.subarray(k * frameBytes, (k + 1) * frameBytes));
    twice.set(frames.subarray(k * frameBytes, (k + 1) * frameBytes), frameBytes);
    assert.deepEqual(group(images, k), videoToPixelValues(twice, 2, H, W, cfg).data, `image ${k}`);
  }
  assert.deepEqual(imagePixelValues(frames, F, H, W, cfg, [0, 1, 2, 3]).data, images.data);
  assert.throws(() => imagePixelValues(frames, F, H, W, cfg, [1, 0, 4, 2]), /frame 2 is paired with frame 4, but the clip has frames 0…3/);
});
