/**
 * Token sets named by span — the 𝒯 (targets) and 𝒮 (sources) of the paper's attention knockout
 * (Eq. 4–5). A set is plain data ("query", { frame: 2 }, a list meaning the union), resolved to
 * token indices only when compiled against one prompt's spans. Frames are temporal groups,
 * counted from 0 in the order they sit in the sequence (the paper counts them from 1).
 */
import { TempolabError } from '../engine/errors.js';
import { indicesOf, type PromptSpans, type Range } from '../models/spans.js';
import { checkFrame } from './context.js';

export const TOKEN_SET_NAMES = [
  /** System prompt and user header, before <|vision_start|>. */
  'instruction',
  'visionStart',
  'visionEnd',
  /** Every video token (all temporal groups), without the vision markers. */
  'frames',
  'firstFrame',
  'lastFrame',
  /** The question's own tokens. */
  'query',
  /** The chat-template tokens after the question; the last of them is the last token. */
  'suffix',
  /** Every prompt token after <|vision_end|> (query and suffix): all text that reads the video after it ends. */
  'afterVideo',
  /** The last prompt token, whose logits give the first answer token's probability. */
  'lastToken',
  /** Teacher-forced answer tokens (empty for a bare prompt). */
  'answer',
  /** Every token that is not a video token (markers, instruction, query, suffix, answer). */
  'text',
] as const;
export type TokenSetName = (typeof TOKEN_SET_NAMES)[number];

export type TokenSet =
  | TokenSetName
  /** One temporal group's tokens. */
  | { frame: number }
  /** Frames 0 … t−1 (empty for t = 0). */
  | { framesBefore: number }
  /** Frames t+1 … T−1. */
  | { framesAfter: number }
  /** Every frame but t: the paper's 𝓘_v \ 𝓘_{v_t} (§5.3). */
  | { framesExcept: number }
  /** Explicit token indices, for hand-built cases. */
  | { tokens: readonly number[] }
  /** The union of the listed sets. */
  | readonly TokenSet[];

const FRAME_KEYS = ['frame', 'framesBefore', 'framesAfter', 'framesExcept'] as const;

/** Checks a token set's shape (not its ranges, which need a prompt); throws a one-line TempolabError. */
export function checkTokenSet(set: TokenSet, what: string): void {
  if (typeof set === 'string') {
    if (!(TOKEN_SET_NAMES as readonly string[]).includes(set))
      throw new TempolabError(`${what}: unknown token set "${set}": use one of ${TOKEN_SET_NAMES.join(', ')}, { frame: t }, { framesBefore: t }, { framesAfter: t }, { framesExcept: t }, { tokens: [...] } or a list of these`);
    return;
  }
  if (Array.isArray(set)) {
    for (const part of set as readonly TokenSet[]) checkTokenSet(part, what);
    return;
  }
  if (set === null || typeof set !== 'object') throw new TempolabError(`${what}: a token set must be a name, an object or a list, got ${JSON.stringify(set)}`);
  const keys = Object.keys(set);
  if ('tokens' in set && keys.length === 1) {
    if (!Array.isArray(set.tokens) || !set.tokens.every((i) => Number.isInteger(i) && i >= 0))
      throw new TempolabError(`${what}: { tokens } must list non-negative integer token indices, got ${JSON.stringify(set.tokens)}`);
    return;
  }
  const key = FRAME_KEYS.find((k) => k in set);
  if (key === undefined || keys.length !== 1)
    throw new TempolabError(`${what}: unknown token set ${JSON.stringify(set)}: an object set has exactly one of the keys ${[...FRAME_KEYS, 'tokens'].join(', ')}`);
  const t = (set as Record<string, unknown>)[key];
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0) throw new TempolabError(`${what}: { ${key} } needs a non-negative integer frame index, got ${JSON.stringify(t)}`);
}

/** The sorted, distinct token indices of `set` in the prompt described by `spans`. */
export function resolveTokenSet(set: TokenSet, spans: PromptSpans, what = 'token set'): number[] {
  const out = new Set<number>();
  collect(set, spans, what, out);
  return [...out].sort((a, b) => a - b);
}

function collect(set: TokenSet, spans: PromptSpans, what: string, out: Set<number>): void {
  const add = (r: Range) => { for (let i = r[0]; i < r[1]; i++) out.add(i); };
  const T = spans.frames.length;
  const frame = (t: number) => spans.frames[t]!;
  if (Array.isArray(set)) {
    for (const part of set as readonly TokenSet[]) collect(part, spans, what, out);
    return;
  }
  if (typeof set === 'string') {
    switch (set as TokenSetName) {
      case 'instruction': return add(spans.instruction);
      case 'visionStart': return void out.add(spans.visionStart);
      case 'visionEnd': return void out.add(spans.visionEnd);
      case 'frames': return spans.frames.forEach(add);
      case 'firstFrame': return add(frame(0));
      case 'lastFrame': return add(frame(T - 1));
      case 'query': return add(spans.query);
      case 'suffix': return add(spans.suffix);
      case 'afterVideo': return add([spans.visionEnd + 1, spans.lastToken + 1]);
      case 'lastToken': return void out.add(spans.lastToken);
      case 'answer': return spans.answer ? add(spans.answer) : undefined;
      case 'text': {
        const video = new Set(spans.frames.flatMap((r) => indicesOf(r)));
        for (let i = 0; i < spans.length; i++) if (!video.has(i)) out.add(i);
        return;
      }
    }
  }
  checkTokenSet(set, what);
  const o = set as Record<string, number | readonly number[]>;
  if ('tokens' in o) {
    for (const i of o.tokens as readonly number[]) {
      if (i >= spans.length) throw new TempolabError(`${what}: token ${i} is out of range: the prompt has ${spans.length} tokens, so tokens run 0–${spans.length - 1}`);
      out.add(i);
    }
    return;
  }
  const [key, t] = Object.entries(o)[0] as [(typeof FRAME_KEYS)[number], number];
  checkFrame(t, T, what);
  for (let g = 0; g < T; g++) {
    const keep = key === 'frame' ? g === t : key === 'framesBefore' ? g < t : key === 'framesAfter' ? g > t : g !== t;
    if (keep) add(frame(g));
  }
}
