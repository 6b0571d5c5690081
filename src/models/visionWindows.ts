/**
 * Qwen2.5-VL's window attention, as data. Its ViT attends within windows of
 * `window_size / spatial_merge_size / patch_size` merged units per side (4 for the released
 * models: 112 px), laid from the frame's top-left corner, the last row and column of windows
 * partial when the grid does not divide; blocks listed in `fullatt_block_indexes` attend across the
 * whole frame. transformers reorders patches window by window and cuts the sequence at window
 * boundaries; attention is order-free, so an additive mask over the frame's patches in their usual
 * merge-window order computes the same thing and leaves the merger's order untouched.
 */
import { TempolabError } from '../engine/errors.js';
import type { VisionConfig } from './config.js';
import { mergeWindowOrder } from './rotary.js';

/** Window side in merged units (transformers' vit_merger_window_size). */
export function mergerWindowSize(v: VisionConfig): number {
  const size = Math.floor(Math.floor((v.window_size ?? 0) / v.spatial_merge_size) / v.patch_size);
  if (!(size >= 1)) {
    throw new TempolabError(`vision_config.window_size ${v.window_size} is smaller than spatial_merge_size·patch_size = ${v.spatial_merge_size * v.patch_size}; set it to a multiple of that (Qwen2.5-VL: 112)`);
  }
  return size;
}

/** The window index of each patch of a gridH × gridW frame, patches in merge-window order. */
export function patchWindows(gridH: number, gridW: number, merge: number, windowSize: number): number[] {
  const windowsPerRow = Math.ceil(gridW / merge / windowSize);
  return mergeWindowOrder(gridH, gridW, merge).map(([r, c]) => Math.floor(r / merge / windowSize) * windowsPerRow + Math.floor(c / merge / windowSize));
}

/** The blocks that attend within windows (all but fullatt_block_indexes); none for Qwen2-VL. */
export function windowedBlocks(v: VisionConfig): number[] {
  if (v.model_type !== 'qwen2_5_vl') return [];
  const full = new Set(v.fullatt_block_indexes ?? []);
  return Array.from({ length: v.depth }, (_, i) => i).filter((i) => !full.has(i));
}

/** Additive mask [N·N] (0 inside a window, −∞ across windows) for one frame. */
export function windowMask(gridH: number, gridW: number, v: VisionConfig): Float32Array {
  const windows = patchWindows(gridH, gridW, v.spatial_merge_size, mergerWindowSize(v));
  const n = windows.length;
  const mask = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (windows[i] !== windows[j]) mask[i * n + j] = -Infinity;
  return mask;
}
