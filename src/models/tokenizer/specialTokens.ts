import { TempolabError } from '../../engine/errors.js';
import type { SpecialTokenIds } from './textTokenizer.js';

/** The strings of Qwen2-VL's special tokens, exactly as its tokenizer.json spells them. */
export const QWEN2_VL_SPECIAL_TOKENS: Readonly<Record<keyof SpecialTokenIds, string>> = {
  endOfText: '<|endoftext|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  visionStart: '<|vision_start|>',
  visionEnd: '<|vision_end|>',
  videoPad: '<|video_pad|>',
  imagePad: '<|image_pad|>',
};

/** The word-level tokenizer's unknown-word token (Qwen2's byte-level BPE never needs one). */
export const UNK_TOKEN = '<|unk|>';

/**
 * Looks up every Qwen2-VL special token; `source` names the tokenizer in the error, so a tokenizer
 * that cannot build video prompts is refused when it is loaded, not halfway through a run.
 */
export function resolveSpecialIds(tokenToId: (token: string) => number | undefined, source: string): SpecialTokenIds {
  const ids = {} as SpecialTokenIds;
  for (const [key, token] of Object.entries(QWEN2_VL_SPECIAL_TOKENS) as [keyof SpecialTokenIds, string][]) {
    const id = tokenToId(token);
    if (id === undefined) {
      throw new TempolabError(
        `${source} lacks the Qwen2-VL special token ${token}: use a Qwen2-VL tokenizer, or add ${token} to its added_tokens with "special": true`,
      );
    }
    ids[key] = id;
  }
  return ids;
}
