/**
 * Hand-laid prompts for the probe tests. Every position id below is written out by hand from
 * Qwen2-VL's rule (text counts up; video tokens get offset + (frame, row, column); text after the
 * video resumes at offset + max + 1), not computed by the code under test.
 */
import type { PromptSpans } from '../../src/models/spans.js';
import type { ProbeContext } from '../../src/probe/index.js';

/**
 * 11 tokens, 2 frames of 1×2 tokens:
 *   0 1 instruction | 2 <vision_start> | 3 4 frame 0 | 5 6 frame 1 | 7 <vision_end> | 8 9 query | 10 suffix = last token
 */
export const twoFrameSpans: PromptSpans = {
  length: 11,
  instruction: [0, 2],
  visionStart: 2,
  frames: [[3, 5], [5, 7]],
  visionEnd: 7,
  query: [8, 10],
  suffix: [10, 11],
  lastToken: 10,
  answer: null,
};

/** Video offset 3; frame 0 at t = 3, frame 1 at t = 4; row 3; columns 3, 4; text resumes at 3 + 1 + 1 = 5. */
export const twoFrameIds = [
  [0, 1, 2, 3, 3, 4, 4, 5, 6, 7, 8],
  [0, 1, 2, 3, 3, 3, 3, 5, 6, 7, 8],
  [0, 1, 2, 3, 4, 3, 4, 5, 6, 7, 8],
];

export function twoFrameContext(numLayers = 2): ProbeContext {
  return { spans: twoFrameSpans, numLayers, positionIds: twoFrameIds.map((r) => r.slice()), mergedGrid: { t: 2, h: 1, w: 2 }, rawFrames: 4 };
}

/**
 * 6 tokens, 2 frames of one token each:
 *   0 instruction | 1 <vision_start> | 2 frame 0 | 3 frame 1 | 4 <vision_end> | 5 query = last token
 */
export function sixTokenContext(numLayers = 2): ProbeContext {
  return {
    spans: { length: 6, instruction: [0, 1], visionStart: 1, frames: [[2, 3], [3, 4]], visionEnd: 4, query: [5, 6], suffix: [6, 6], lastToken: 5, answer: null },
    numLayers,
    positionIds: [[0, 1, 2, 3, 4, 5], [0, 1, 2, 2, 4, 5], [0, 1, 2, 2, 4, 5]],
    mergedGrid: { t: 2, h: 1, w: 1 },
    rawFrames: 4,
  };
}

/**
 * 14 tokens, 3 frames of 1×3 tokens (columns 0, 1, 2):
 *   0 instruction | 1 <vision_start> | 2 3 4 frame 0 | 5 6 7 frame 1 | 8 9 10 frame 2 | 11 <vision_end> | 12 query | 13 suffix = last token
 */
export function threeFrameContext(numLayers = 2): ProbeContext {
  return {
    spans: { length: 14, instruction: [0, 1], visionStart: 1, frames: [[2, 5], [5, 8], [8, 11]], visionEnd: 11, query: [12, 13], suffix: [13, 14], lastToken: 13, answer: null },
    numLayers,
    positionIds: [
      [0, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 6, 7],
      [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 5, 6, 7],
      [0, 1, 2, 3, 4, 2, 3, 4, 2, 3, 4, 5, 6, 7],
    ],
    mergedGrid: { t: 3, h: 1, w: 3 },
    rawFrames: 6,
  };
}

/** One layer of a [L, S, S] mask as rows of 'o' (may attend, 0) and 'x' (blocked, −∞). */
export function maskRows(mask: Float32Array, S: number, layer: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < S; i++) {
    let row = '';
    for (let j = 0; j < S; j++) {
      const v = mask[(layer * S + i) * S + j]!;
      if (v === 0) row += 'o';
      else if (v === -Infinity) row += 'x';
      else throw new Error(`mask entry (${layer}, ${i}, ${j}) is ${v}, neither 0 nor −∞`);
    }
    rows.push(row);
  }
  return rows;
}

/** The plain causal pattern of S tokens, written independently of causalMask. */
export function causalRows(S: number): string[] {
  return Array.from({ length: S }, (_, i) => 'o'.repeat(i + 1) + 'x'.repeat(S - i - 1));
}
