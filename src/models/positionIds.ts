/**
 * M-RoPE position ids, exactly as Qwen2-VL's `get_rope_index` computes them for one sequence with
 * one video: text tokens get equal (t, h, w) ids counting up; the video's merged tokens get
 * (frame, row, column) offset by the text before them; text after the video resumes at max + 1.
 */
import { TempolabError } from '../engine/errors.js';

/** Position ids [3][S] (t, h, w rows). `videoGrid` is the merged grid (t, h/merge, w/merge). */
export function ropeIndex(inputIds: ArrayLike<number>, videoTokenId: number, videoGrid: { t: number; h: number; w: number }): number[][] {
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
          ids[0]![i] = offset + t;
          ids[1]![i] = offset + h;
          ids[2]![i] = offset + w;
          max = Math.max(max, t, h, w);
          i++;
        }
    next = offset + max + 1;
  }
  return ids;
}
