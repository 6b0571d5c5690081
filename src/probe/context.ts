/**
 * What an intervention is compiled against: where each span of one prompt sits, how many decoder
 * layers the model has, the prompt's default M-RoPE ids, and the video's shape. Interventions are
 * written without knowing any of this (so one list serves every question), and every range check
 * happens here, at compile time, against the real model and prompt.
 */
import { check, TempolabError } from '../engine/errors.js';
import type { PromptSpans } from '../models/spans.js';

export interface ProbeContext {
  spans: PromptSpans;
  /** Decoder layers of the model. */
  numLayers: number;
  /** The prompt's default position ids [3][S] (t, h, w rows), as `ropeIndex` computes them. */
  positionIds: number[][];
  /** The merged video grid: t temporal groups ("frames"), each h × w tokens in row-major order. */
  mergedGrid: { t: number; h: number; w: number };
  /** Raw frames fed to the vision encoder; it groups them into mergedGrid.t temporal groups. */
  rawFrames: number;
  /** The vision encoder's blocks and which carry STA; needed by vision-side interventions only. */
  vision?: { depth: number; staBlocks: readonly number[] };
}

/** Checks that the context's parts agree with each other; throws a one-line TempolabError if not. */
export function validateContext(ctx: ProbeContext): void {
  const { spans, numLayers, positionIds, mergedGrid, rawFrames } = ctx;
  const S = spans.length;
  check(Number.isInteger(numLayers) && numLayers > 0, `numLayers must be a positive integer, got ${numLayers}: pass the decoder's layer count`);
  check(Number.isInteger(S) && S > 0, `spans.length must be a positive integer, got ${S}: build the prompt with videoChatPrompt`);
  check(positionIds.length === 3 && positionIds.every((row) => row.length === S),
    () => `positionIds must be [3][${S}] (t, h, w rows for every token), got [${positionIds.length}][${positionIds.map((r) => r.length).join(',')}]: pass ropeIndex's output for this prompt`);
  const { t, h, w } = mergedGrid;
  check([t, h, w].every((n) => Number.isInteger(n) && n > 0), `mergedGrid must hold positive integers, got ${t}×${h}×${w}`);
  check(spans.frames.length === t, `the prompt has ${spans.frames.length} frame spans but mergedGrid.t is ${t}: they must describe the same video`);
  spans.frames.forEach((r, g) =>
    check(r[1] - r[0] === h * w, `frame ${g} spans ${r[1] - r[0]} tokens but the merged grid is ${h}×${w} = ${h * w}: the spans and the grid disagree`));
  check(Number.isInteger(rawFrames) && rawFrames > 0 && rawFrames % t === 0,
    `rawFrames (${rawFrames}) must be a positive multiple of the ${t} temporal groups: pass the number of frames fed to the vision encoder`);
  check(Number.isInteger(spans.lastToken) && spans.lastToken >= 0 && spans.lastToken < S, `spans.lastToken ${spans.lastToken} is outside the ${S}-token prompt`);
}

/** A layer selection: explicit decoder layer indices, or every layer. */
export type LayerSpec = readonly number[] | 'all';

/** The layer indices of `layers`, each checked against the model (`what` names the intervention in errors). */
export function resolveLayers(layers: LayerSpec, numLayers: number, what: string): number[] {
  if (layers === 'all') return Array.from({ length: numLayers }, (_, l) => l);
  for (const l of layers) {
    if (!Number.isInteger(l) || l < 0 || l >= numLayers)
      throw new TempolabError(`${what}: layer ${l} is out of range: this model has ${numLayers} decoder layers, so layers run 0–${numLayers - 1}`);
  }
  return [...new Set(layers)].sort((a, b) => a - b);
}

/** Checks a temporal-group index against the clip (`what` names the intervention in errors). */
export function checkFrame(frame: number, numFrames: number, what: string): void {
  if (!Number.isInteger(frame) || frame < 0 || frame >= numFrames)
    throw new TempolabError(`${what}: frame ${frame} is out of range: the clip has ${numFrames} frames (temporal groups), so frames run 0–${numFrames - 1}`);
}
