/**
 * The Qwen2-VL video processor's last step: RGB frames → `pixel_values_videos` [T/2 · H/p · W/p,
 * 3·2·p·p] in Hugging Face's patch order (temporal group, then 2×2 merge windows, then the patches
 * of each window; inside a row: channel, frame-of-pair, y, x), normalised with CLIP's mean and std.
 */
import type { Dataset } from '../data/dataset.js';
import { TempolabError } from '../engine/errors.js';
import type { VisionConfig } from './config.js';
import { mergeWindowOrder } from './rotary.js';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

export interface PixelValues {
  data: Float32Array;
  /** Patch grid before merging: [temporal groups, rows, cols]. */
  grid: { t: number; h: number; w: number };
  /**
   * Seconds one temporal group spans (Qwen2.5-VL's second_per_grid_t = temporal_patch_size /
   * sampling fps), when the clip's duration is known; Qwen2.5-VL models turn it into absolute-time
   * position ids, Qwen2-VL models ignore it.
   */
  secondPerGridT?: number;
}

/** second_per_grid_t of `frames` frames sampled across `seconds` of video. */
export function secondPerGrid(seconds: number | undefined, frames: number, cfg: VisionConfig): number | undefined {
  return seconds && seconds > 0 ? (cfg.temporal_patch_size * seconds) / frames : undefined;
}

/**
 * `frames`: uint8 [F, H, W, 3]. `frameOrder` optionally reorders the raw frames first (probes:
 * reversed or shuffled clips). An odd frame count repeats the last frame, as Qwen2-VL does.
 */
export function videoToPixelValues(frames: Uint8Array, count: number, height: number, width: number, cfg: VisionConfig, frameOrder?: readonly number[]): PixelValues {
  const p = cfg.patch_size;
  const tp = cfg.temporal_patch_size;
  const m = cfg.spatial_merge_size;
  if (frames.length !== count * height * width * 3) throw new TempolabError(`video has ${frames.length} bytes, expected ${count}×${height}×${width}×3`);
  if (height % (p * m) || width % (p * m)) {
    throw new TempolabError(`frames are ${height}×${width} but this model needs multiples of patch_size·spatial_merge_size = ${p * m}; re-import the video with --size a multiple of ${p * m}`);
  }
  const order = frameOrder ?? Array.from({ length: count }, (_, i) => i);
  if (order.length !== count || [...order].sort((a, b) => a - b).some((v, i) => v !== i)) throw new TempolabError(`frame order ${JSON.stringify(order)} is not a permutation of ${count} frames`);
  const padded = [...order];
  while (padded.length % tp) padded.push(padded[padded.length - 1]!);
  const grid = { t: padded.length / tp, h: height / p, w: width / p };
  const patches = mergeWindowOrder(grid.h, grid.w, m);
  const rowSize = 3 * tp * p * p;
  const data = new Float32Array(grid.t * patches.length * rowSize);
  let at = 0;
  for (let t = 0; t < grid.t; t++) {
    for (const [row, col] of patches) {
      for (let c = 0; c < 3; c++) {
        for (let k = 0; k < tp; k++) {
          const frame = padded[t * tp + k]!;
          for (let y = 0; y < p; y++) {
            const base = ((frame * height + row * p + y) * width + col * p) * 3 + c;
            for (let x = 0; x < p; x++) data[at++] = (frames[base + x * 3]! / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
          }
        }
      }
    }
  }
  return { data, grid };
}

/** A dataset clip as pixel values (optionally with its raw frames reordered). */
export function clipPixelValues(dataset: Dataset, videoId: string, cfg: VisionConfig, frameOrder?: readonly number[]): PixelValues {
  const m = dataset.manifest;
  const pv = videoToPixelValues(dataset.frames(videoId), m.frames, m.height, m.width, cfg, frameOrder);
  const seconds = secondPerGrid(dataset.video(videoId).seconds, m.frames, cfg);
  return seconds ? { ...pv, secondPerGridT: seconds } : pv;
}

/**
 * Frames as independent images: Qwen2-VL feeds an image as a repeated frame pair, so frame k becomes
 * temporal group k with both of its frames equal. Without STA each group is encoded on its own.
 * `pairedWith[k]`, when given, puts another frame in group k instead: the group then holds frames k
 * and pairedWith[k] in time order (a longer group repeats the later), a two-frame tubelet as a video
 * feeds the ViT — still one group at a time, so frames of different groups never meet.
 */
export function imagePixelValues(frames: Uint8Array, count: number, height: number, width: number, cfg: VisionConfig, pairedWith?: readonly number[]): PixelValues {
  const frameBytes = height * width * 3;
  if (frames.length !== count * frameBytes) throw new TempolabError(`video has ${frames.length} bytes, expected ${count}×${height}×${width}×3`);
  const tp = cfg.temporal_patch_size;
  const grouped = new Uint8Array(count * tp * frameBytes);
  for (let k = 0; k < count; k++) {
    const other = pairedWith?.[k] ?? k;
    if (!Number.isInteger(other) || other < 0 || other >= count) throw new TempolabError(`frame ${k} is paired with frame ${other}, but the clip has frames 0…${count - 1}`);
    const [first, second] = other < k ? [other, k] : [k, other];
    for (let r = 0; r < tp; r++) {
      const f = r === 0 ? first : second;
      grouped.set(frames.subarray(f * frameBytes, (f + 1) * frameBytes), (k * tp + r) * frameBytes);
    }
  }
  return videoToPixelValues(grouped, count * tp, height, width, cfg);
}
