/**
 * Attention masks: the causal mask every decoder layer starts from, and the −∞ entries each
 * mask intervention adds on top (Eq. 4–5: m_ij = −∞ for (i, j) ∈ 𝒯 × 𝒮). Masks are additive,
 * row = query token i, column = key token j; blocking is a union, so interventions compose by
 * simply adding their blocks.
 */
import { TempolabError } from '../engine/errors.js';
import { checkFrame, resolveLayers, type ProbeContext } from './context.js';
import type { MaskIntervention } from './interventions.js';
import { assemblyBlocks } from './spatiotemporal.js';
import { resolveTokenSet, type TokenSet } from './tokenSets.js';

/** Every target token loses sight of every source token (a 𝒯 × 𝒮 rectangle of the mask). */
export interface MaskBlock {
  targets: readonly number[];
  sources: readonly number[];
}

/** The plain causal mask [S, S]: 0 where j ≤ i, −∞ where j > i. */
export function causalMask(S: number): Float32Array {
  if (!Number.isInteger(S) || S <= 0) throw new TempolabError(`causalMask needs a positive integer sequence length, got ${S}`);
  const mask = new Float32Array(S * S);
  for (let i = 0; i < S; i++) mask.fill(-Infinity, i * S + i + 1, (i + 1) * S);
  return mask;
}

/** The blocks a mask intervention adds, resolved against one prompt. */
export function maskBlocks(iv: MaskIntervention, ctx: ProbeContext): MaskBlock[] {
  const { spans } = ctx;
  const T = spans.frames.length;
  const tokens = (set: TokenSet, what: string) => resolveTokenSet(set, spans, what);
  switch (iv.kind) {
    case 'knockout':
      return [{ targets: tokens(iv.targets, 'knockout targets'), sources: tokens(iv.sources, 'knockout sources') }];
    case 'interFrame':
      // Frame 0 has no earlier frame; every later frame loses all frames before it.
      return Array.from({ length: T - 1 }, (_, i) => ({ targets: tokens({ frame: i + 1 }, 'interFrame'), sources: tokens({ framesBefore: i + 1 }, 'interFrame') }));
    case 'frameToQuery':
      // The targets are all text after the video, not only the question: the template tokens
      // between the question and the last token would otherwise carry the frames to the answer.
      return [{ targets: tokens('afterVideo', 'frameToQuery'), sources: tokens('frames', 'frameToQuery') }];
    case 'restrictQueryToFrame':
      checkFrame(iv.frame, T, 'restrictQueryToFrame');
      return [{ targets: tokens('afterVideo', 'restrictQueryToFrame'), sources: tokens({ framesExcept: iv.frame }, 'restrictQueryToFrame') }];
    case 'correspondingArea':
    case 'previousFrame':
    case 'correspondingAreaInPreviousFrame':
      return assemblyBlocks(iv, ctx);
  }
}

/**
 * Adds a mask intervention's blocks to `mask` ([L, S, S], starting from causal masks). Entries
 * with j > i are already −∞, so the causal structure always survives.
 */
export function applyMaskIntervention(mask: Float32Array, iv: MaskIntervention, ctx: ProbeContext): void {
  const S = ctx.spans.length;
  const layers = resolveLayers(iv.layers, ctx.numLayers, iv.kind);
  const blocks = maskBlocks(iv, ctx);
  for (const l of layers) {
    const layerBase = l * S * S;
    for (const { targets, sources } of blocks) {
      for (const i of targets) {
        const row = layerBase + i * S;
        for (const j of sources) if (j <= i) mask[row + j] = -Infinity;
      }
    }
  }
}

/**
 * Throws if some token of some layer may attend to nothing: softmax over an all −∞ row is NaN,
 * which would poison every later token instead of measuring anything.
 */
export function checkEveryRowAttends(mask: Float32Array, S: number, numLayers: number): void {
  for (let l = 0; l < numLayers; l++) {
    for (let i = 0; i < S; i++) {
      const row = (l * S + i) * S;
      let open = false;
      for (let j = 0; j <= i && !open; j++) open = mask[row + j] === 0;
      if (!open)
        throw new TempolabError(`the interventions leave token ${i} in layer ${l} nothing to attend to (its whole mask row is −∞, which makes softmax NaN): keep at least one source, e.g. the token itself`);
    }
  }
}
