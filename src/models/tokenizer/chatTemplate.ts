/**
 * Qwen2-VL's chat template for one video question, as token ids plus the spans the VideoLM records
 * for probes (instruction, vision markers, video tokens, query, suffix). The text is what
 * transformers' `apply_chat_template` renders for a system message and a user turn holding one
 * video and the question, with `add_generation_prompt`.
 */
import { check } from '../../engine/errors.js';
import { QWEN2_VL_SPECIAL_TOKENS as S } from './specialTokens.js';
import type { TextTokenizer } from './textTokenizer.js';

export const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant.';

const ROLES = ['system', 'user', 'assistant'] as const;

/** Every word the template itself writes (with the default system prompt): a word-level vocabulary must hold them. */
export function chatTemplateText(): string {
  return [...ROLES, DEFAULT_SYSTEM_PROMPT].join(' ');
}

/** A half-open range [start, end) of indices into `ids`. */
export type Span = [start: number, end: number];

export interface VideoChatPrompt {
  ids: number[];
  /** `<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n` */
  instruction: Span;
  visionStart: number;
  /** The `<|video_pad|>` tokens the VideoLM replaces with the merger's output. */
  video: Span;
  visionEnd: number;
  /** The question's tokens. */
  query: Span;
  /** `<|im_end|>\n<|im_start|>assistant\n`, after which the answer is generated. */
  suffix: Span;
}

export interface VideoChatOptions {
  question: string;
  /** Merged video tokens: temporal groups × (grid height / 2) × (grid width / 2). */
  videoTokens: number;
  system?: string;
}

export function videoChatPrompt(t: TextTokenizer, { question, videoTokens, system = DEFAULT_SYSTEM_PROMPT }: VideoChatOptions): VideoChatPrompt {
  check(Number.isInteger(videoTokens) && videoTokens > 0, `videoTokens must be a positive integer, got ${videoTokens}: pass the number of merged video tokens`);
  // Each piece starts or ends at a special token, which tokenizers split off before anything else,
  // so encoding the pieces one by one gives the ids of encoding the whole rendered prompt.
  const instruction = t.encode(`${S.imStart}system\n${system}${S.imEnd}\n${S.imStart}user\n`);
  const query = t.encode(question);
  const suffix = t.encode(`${S.imEnd}\n${S.imStart}assistant\n`);
  const { visionStart, visionEnd, videoPad, imagePad } = t.special;
  const visionIds = new Set([visionStart, visionEnd, videoPad, imagePad]);
  check(!query.some((id) => visionIds.has(id)) && !instruction.some((id) => visionIds.has(id)),
    'the question or system prompt contains a vision token (<|vision_start|>, <|vision_end|>, <|video_pad|> or <|image_pad|>): remove it; the prompt places the video itself');

  const videoStart = instruction.length + 1;
  const videoEnd = videoStart + videoTokens;
  const queryEnd = videoEnd + 1 + query.length;
  return {
    ids: [...instruction, visionStart, ...new Array<number>(videoTokens).fill(videoPad), visionEnd, ...query, ...suffix],
    instruction: [0, instruction.length],
    visionStart: instruction.length,
    video: [videoStart, videoEnd],
    visionEnd: videoEnd,
    query: [videoEnd + 1, queryEnd],
    suffix: [queryEnd, queryEnd + suffix.length],
  };
}

/** The same chat prompt for text alone (no vision block): what the decoder's language stage trains on. */
export function textChatPrompt(t: TextTokenizer, { question, system = DEFAULT_SYSTEM_PROMPT }: { question: string; system?: string }): number[] {
  return [...t.encode(`${S.imStart}system\n${system}${S.imEnd}\n${S.imStart}user\n`), ...t.encode(question), ...t.encode(`${S.imEnd}\n${S.imStart}assistant\n`)];
}
