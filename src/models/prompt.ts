/**
 * A video question as model input: the Qwen2-VL chat prompt with the video's pad tokens, optionally
 * followed by the teacher-forced answer, with labels for training and spans for probes.
 */
import { tempCompassCapitalised } from '../data/formats.js';
import { TempolabError } from '../engine/errors.js';
import type { PromptSpans, Range } from './spans.js';
import { videoChatPrompt, type TextTokenizer } from './tokenizer/index.js';

export interface EncodedQuestion {
  inputIds: number[];
  /** Next-token targets: labels[s] = inputIds[s+1] on answer positions, −100 elsewhere. */
  labels: number[];
  spans: PromptSpans;
}

export const IGNORE = -100;

/**
 * The question as the tokenizer's model should read it: a real (subword) tokenizer gets TempCompass'
 * own capitalised instruction line ("Please answer yes or no:"), a word-level one the benchmark's
 * lower-case line its vocabulary holds.
 */
export function questionText(tokenizer: TextTokenizer, question: string): string {
  return tokenizer.unknownWords ? question : tempCompassCapitalised(question);
}

/**
 * `temporalGroups` splits the video tokens into frames (each group's merged tokens are contiguous).
 * The answer, when given, is followed by <|im_end|> so the model learns to stop.
 */
export function encodeVideoQuestion(tokenizer: TextTokenizer, o: { question: string; answer?: string; videoTokens: number; temporalGroups: number; system?: string }): EncodedQuestion {
  const prompt = videoChatPrompt(tokenizer, { question: questionText(tokenizer, o.question), videoTokens: o.videoTokens, system: o.system });
  if (o.videoTokens % o.temporalGroups) throw new TempolabError(`${o.videoTokens} video tokens do not split into ${o.temporalGroups} frames`);
  const answerIds = o.answer === undefined ? [] : [...tokenizer.encode(o.answer), tokenizer.special.imEnd];
  const inputIds = [...prompt.ids, ...answerIds];
  const promptLength = prompt.ids.length;
  const labels = inputIds.map((_, s) => (s >= promptLength - 1 && s < inputIds.length - 1 ? inputIds[s + 1]! : IGNORE));
  const perFrame = o.videoTokens / o.temporalGroups;
  const frames: Range[] = Array.from({ length: o.temporalGroups }, (_, t) => [prompt.video[0] + t * perFrame, prompt.video[0] + (t + 1) * perFrame] as const);
  return {
    inputIds,
    labels,
    spans: {
      length: inputIds.length,
      instruction: prompt.instruction,
      visionStart: prompt.visionStart,
      frames,
      visionEnd: prompt.visionEnd,
      query: prompt.query,
      suffix: prompt.suffix,
      lastToken: promptLength - 1,
      answer: answerIds.length ? [promptLength, inputIds.length] : null,
    },
  };
}

/** Right-pads to `length` with <|endoftext|> (ignored by the loss; causal attention keeps real tokens unaffected). */
export function padQuestion(q: EncodedQuestion, length: number, padId: number): EncodedQuestion {
  if (q.inputIds.length > length) throw new TempolabError(`sequence of ${q.inputIds.length} tokens exceeds the padded length ${length}`);
  const extra = length - q.inputIds.length;
  return { inputIds: [...q.inputIds, ...new Array<number>(extra).fill(padId)], labels: [...q.labels, ...new Array<number>(extra).fill(IGNORE)], spans: q.spans };
}
