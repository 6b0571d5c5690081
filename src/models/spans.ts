/**
 * Where each part of a prompt sits in the token sequence, recorded when the prompt is built so
 * probes can address "the query", "frame 3", "the last token" by name. Ranges are half-open.
 *
 *   [instruction][<vision_start>][frame 0 … frame T−1][<vision_end>][query][suffix][answer]
 */
export type Range = readonly [number, number];

export interface PromptSpans {
  /** Total tokens, answer included when teacher-forced. */
  length: number;
  /** System prompt and user header, before <|vision_start|>. */
  instruction: Range;
  visionStart: number;
  /** Each temporal group's merged video tokens, in frame order. */
  frames: Range[];
  visionEnd: number;
  /** The question's own tokens. */
  query: Range;
  /** The chat-template tokens between the question and the answer (<|im_end|> … assistant). */
  suffix: Range;
  /** The last prompt token: its logits predict the first answer token. */
  lastToken: number;
  /** Teacher-forced answer tokens, or null for a bare prompt. */
  answer: Range | null;
}

export const rangeLength = (r: Range): number => r[1] - r[0];

/** The token indices of a range. */
export const indicesOf = (r: Range): number[] => Array.from({ length: r[1] - r[0] }, (_, i) => r[0] + i);

/** All video token positions, i.e. the union of the frame ranges. */
export const videoRange = (s: PromptSpans): Range => [s.frames[0]![0], s.frames[s.frames.length - 1]![1]];
