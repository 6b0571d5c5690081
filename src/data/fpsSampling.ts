/**
 * Qwen2.5-VL's frame sampling (qwen-vl-utils' smart_nframes): take `fps` frames per second of
 * video, at least 4 and at most min(768, the video's frames), an even count (frames enter the
 * vision encoder in pairs), at indices spread evenly from the first to the last frame
 * (torch.linspace, rounded; an even count has an odd number of steps, so no index is a tie). The sampling rate it reports sets second_per_grid_t =
 * temporal_patch_size / sample_fps, the step of Qwen2.5-VL's absolute-time position ids.
 */
import { check } from '../engine/errors.js';

export const QWEN_FPS = 2;
const MIN_FRAMES = 4;
const MAX_FRAMES = 768;
const FRAME_FACTOR = 2;

export interface FpsSampling {
  indices: number[];
  /** Frames per second of the sampled clip: count / total · video fps. */
  sampleFps: number;
}

export function fpsFrameSampling(totalFrames: number, videoFps: number, fps = QWEN_FPS): FpsSampling {
  check(fps > 0, `--fps must be > 0, got ${fps}`);
  check(totalFrames > 0 && videoFps > 0, `the video has ${totalFrames} frames at ${videoFps} fps; fps-based sampling needs its frame rate (re-encode it, or sample a fixed count with --frames)`);
  const floorBy = (x: number) => Math.floor(x / FRAME_FACTOR) * FRAME_FACTOR;
  const minFrames = Math.ceil(MIN_FRAMES / FRAME_FACTOR) * FRAME_FACTOR;
  const maxFrames = floorBy(Math.min(MAX_FRAMES, totalFrames));
  const count = floorBy(Math.min(Math.min(Math.max((totalFrames / videoFps) * fps, minFrames), maxFrames), totalFrames));
  check(count >= FRAME_FACTOR && count <= totalFrames, `the video has only ${totalFrames} frames; fps-based sampling needs at least ${FRAME_FACTOR}`);
  const step = count > 1 ? (totalFrames - 1) / (count - 1) : 0;
  const indices = Array.from({ length: count }, (_, i) => Math.round(i * step));
  return { indices, sampleFps: (count / totalFrames) * videoFps };
}
