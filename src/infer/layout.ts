/**
 * Where the frames sit in a prompt, fixed at trace time (the strategies change the graph's
 * structure: which rows attend to which keys, which tokens stay).
 */
import type { PromptSpans } from '../models/spans.js';
import { inRange, type Strategies } from './strategies.js';

export interface PromptLayout {
  seq: number;
  /** First video token. */
  videoStart: number;
  frames: number;
  tokensPerFrame: number;
}

export const videoEnd = (l: PromptLayout): number => l.videoStart + l.frames * l.tokensPerFrame;

export function layoutOf(spans: PromptSpans): PromptLayout {
  const first = spans.frames[0]!;
  return { seq: spans.length, videoStart: first[0], frames: spans.frames.length, tokensPerFrame: first[1] - first[0] };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Prompt positions present in layer `layer`'s input (frame tokens are gone after a temporal exit). */
export function tokensInLayer(l: PromptLayout, s: Strategies, layer: number): number[] {
  if (s.exitAt !== undefined && layer >= s.exitAt) return [...range(0, l.videoStart), ...range(videoEnd(l), l.seq)];
  return range(0, l.seq);
}

/**
 * Prompt positions whose keys/values layer `layer` must keep for decoding: after a temporal exit no
 * frame token; in sparse-q layers only the last frame (later tokens never look at the others).
 */
export function cachedTokens(l: PromptLayout, s: Strategies, layer: number): number[] {
  const exited = s.exitAt !== undefined && layer >= s.exitAt;
  if (!exited && inRange(layer, s.sparseQuery)) return [...range(0, l.videoStart), ...range(videoEnd(l) - l.tokensPerFrame, l.seq)];
  return tokensInLayer(l, s, layer);
}
