/**
 * How much memory one inference on a clip needs, from the config alone, so that a size or frame
 * count that cannot fit fails at once with the largest one that does instead of dying minutes
 * later in an allocation. The dominant buffers are counted: pixel values, the per-frame spatial
 * attention scores and masks of the vision encoder, and the decoder's attention scores and masks.
 */
import os from 'node:os';
import { TempolabError } from '../engine/errors.js';
import type { VideoLMConfig } from './config.js';

const F32 = 4;
/** Score-sized buffers alive at once in one attention (scores, softmax, mask broadcast, gradients of none). */
const ATTENTION_COPIES = 3;
/** Activation-sized buffers alive at once in one block (input, residual, MLP hidden). */
const ACTIVATION_COPIES = 4;

export interface ClipShape {
  frames: number;
  size: number;
}

/** Estimated peak bytes of one forward pass over a clip with `textTokens` text tokens. */
export function inferenceBytes(cfg: VideoLMConfig, clip: ClipShape, textTokens = 64): number {
  const v = cfg.vision_config;
  const groups = Math.ceil(clip.frames / v.temporal_patch_size);
  const perFrame = (clip.size / v.patch_size) ** 2;
  const patches = groups * perFrame;
  const pixels = patches * v.in_chans * v.temporal_patch_size * v.patch_size ** 2 * F32;
  const vision = v.depth * perFrame ** 2 * F32 + ATTENTION_COPIES * groups * v.num_heads * perFrame ** 2 * F32 + ACTIVATION_COPIES * patches * (v.intermediate_size ?? v.embed_dim * (v.mlp_ratio ?? 4)) * F32;
  const seq = patches / v.spatial_merge_size ** 2 + textTokens;
  const decoder = cfg.num_hidden_layers * seq ** 2 * F32 + ATTENTION_COPIES * cfg.num_attention_heads * seq ** 2 * F32 + ACTIVATION_COPIES * seq * cfg.intermediate_size * F32;
  return pixels + vision + decoder;
}

/** The memory a single inference may use: half of this machine's. */
export const memoryBudget = (): number => os.totalmem() / 2;

const gb = (bytes: number) => (bytes / 2 ** 30 < 10 ? (bytes / 2 ** 30).toFixed(1) : (bytes / 2 ** 30).toFixed(0));

/**
 * Fails with one line when a clip of this shape (and this many text tokens) cannot fit in
 * `budget`, naming the largest --size (and --frames) that would.
 */
export function assertClipFits(cfg: VideoLMConfig, clip: ClipShape, textTokens = 64, budget = memoryBudget()): void {
  const need = inferenceBytes(cfg, clip, textTokens);
  if (need <= budget) return;
  const step = cfg.vision_config.patch_size * cfg.vision_config.spatial_merge_size;
  let size = Math.floor(clip.size / step) * step;
  while (size > step && inferenceBytes(cfg, { ...clip, size }, textTokens) > budget) size -= step;
  let frames = clip.frames;
  while (frames > 2 && inferenceBytes(cfg, { ...clip, frames }, textTokens) > budget) frames -= 2;
  const fitsSize = inferenceBytes(cfg, { ...clip, size }, textTokens) <= budget;
  const fitsFrames = inferenceBytes(cfg, { ...clip, frames }, textTokens) <= budget;
  const advice = [fitsSize ? `--size ${size} or less` : null, fitsFrames ? `--frames ${frames} or fewer` : null].filter(Boolean).join(', or ');
  throw new TempolabError(
    `--size ${clip.size} with --frames ${clip.frames}${textTokens > 256 ? ` and a ${textTokens}-token prompt` : ''} needs about ${gb(need)} GB for one forward pass, more than half of this machine's ${gb(budget * 2)} GB; ${advice ? `use ${advice}` : 'shorten the question and lower --size and --frames'}`,
  );
}
