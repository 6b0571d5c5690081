/**
 * M-RoPE position ids, exactly as Qwen2-VL's `get_rope_index` computes them for one sequence with
 * one video: text tokens get equal (t, h, w) ids counting up; the video's merged tokens get
 * (frame, row, column) offset by the text before them; text after the video resumes at max + 1.
 * Qwen2.5-VL makes the temporal id absolute time: temporal group t gets
 * ⌊t · second_per_grid_t · tokens_per_second⌋, so ids advance by tokens_per_second per second.
 */
import { TempolabError } from '../engine/errors.js';
import type { VisionConfig } from './config.js';

/**
 * Qwen2.5-VL's temporal step per temporal group: second_per_grid_t (seconds one group spans,
 * temporal_patch_size / sampling fps; transformers' default 1.0) × tokens_per_second. Qwen2-VL: 1.
 */
export function temporalPositionScale(v: VisionConfig, secondPerGridT = 1): number {
  if (v.model_type !== 'qwen2_5_vl') return 1;
  if (!(secondPerGridT > 0)) throw new TempolabError(`second_per_grid_t must be > 0 seconds, got ${secondPerGridT}`);
  return secondPerGridT * (v.tokens_per_second ?? 1);
}

/**
 * Position ids [3][S] (t, h, w rows). `videoGrid` is the merged grid (t, h/merge, w/merge);
 * `timeScale` multiplies the temporal index before flooring (temporalPositionScale).
 */
export function ropeIndex(inputIds: ArrayLike<number>, videoTokenId: number, videoGrid: { t: number; h: number; w: number }, timeScale = 1): number[][] {
  const seq = inputIds.length;
  const ids: number[][] = [new Array<number>(seq), new Array<number>(seq), new Array<number>(seq)];
  const perVideo = videoGrid.t * videoGrid.h * videoGrid.w;
  let next = 0;
  let i = 0;
  while (i < seq) {
    if (inputIds[i] !== videoTokenId) {
      ids[0]![i] = ids[1]![i] = ids[2]![i] = next++;
      i++;
      continue;
    }
    if (i + perVideo > seq || Array.from({ length: perVideo }, (_, k) => inputIds[i + k]).some((id) => id !== videoTokenId)) {
      throw new TempolabError(`the prompt has a run of video tokens that does not hold ${perVideo} tokens (grid ${videoGrid.t}×${videoGrid.h}×${videoGrid.w}); build it with videoChatPrompt`);
    }
    const offset = next;
    let max = 0;
    for (let t = 0; t < videoGrid.t; t++)
      for (let h = 0; h < videoGrid.h; h++)
        for (let w = 0; w < videoGrid.w; w++) {
          const time = Math.floor(t * timeScale);
          ids[0]![i] = offset + time;
          ids[1]![i] = offset + h;
          ids[2]![i] = offset + w;
          max = Math.max(max, time, h, w);
          i++;
        }
    next = offset + max + 1;
  }
  return ids;
}
