/**
 * The spatiotemporal assembly masks of §5.5 (Fig. 9): how a frame may read earlier frames. Video
 * tokens of a temporal group are its merged grid in row-major order, so token k of a frame sits
 * at row ⌊k / w⌋, column k mod w; "the same or neighbouring spatial positions" are those within
 * `radius` rows and `radius` columns (a (2r+1)² square, clipped at the grid's edges).
 */
import type { ProbeContext } from './context.js';
import type { CorrespondingArea, CorrespondingAreaInPreviousFrame, PreviousFrame } from './interventions.js';
import type { MaskBlock } from './masks.js';

export type AssemblyMask = CorrespondingArea | PreviousFrame | CorrespondingAreaInPreviousFrame;

/**
 * One block per video token of frames 1…T−1: the earlier-frame tokens it may no longer attend to.
 * Attention inside its own frame and to every text token is untouched, as in the paper.
 */
export function assemblyBlocks(iv: AssemblyMask, ctx: ProbeContext): MaskBlock[] {
  const { frames } = ctx.spans;
  const { w } = ctx.mergedGrid;
  const radius = iv.kind === 'previousFrame' ? Infinity : iv.radius;
  const onlyPrevious = iv.kind !== 'correspondingArea';
  const perFrame = frames[0]![1] - frames[0]![0];
  const blocks: MaskBlock[] = [];
  for (let t = 1; t < frames.length; t++) {
    for (let k = 0; k < perFrame; k++) {
      const row = Math.floor(k / w);
      const col = k % w;
      const sources: number[] = [];
      for (let earlier = 0; earlier < t; earlier++) {
        for (let m = 0; m < perFrame; m++) {
          const near = Math.abs(Math.floor(m / w) - row) <= radius && Math.abs((m % w) - col) <= radius;
          const allowed = near && (!onlyPrevious || earlier === t - 1);
          if (!allowed) sources.push(frames[earlier]![0] + m);
        }
      }
      blocks.push({ targets: [frames[t]![0] + k], sources });
    }
  }
  return blocks;
}
