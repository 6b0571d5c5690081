/**
 * The word-level tokenizer of the synthetic benchmark: every word, number and punctuation mark of
 * its questions gets one id, so a tiny model's answer's first token identifies the answer. Saved as
 * a standard Hugging Face tokenizer.json (WordLevel model) that Python `tokenizers` also loads.
 */
import { check } from '../../engine/errors.js';
import { chatTemplateText } from './chatTemplate.js';
import { preTokenizerFrom } from './pipeline.js';
import { QWEN2_VL_SPECIAL_TOKENS, UNK_TOKEN } from './specialTokens.js';
import type { TextTokenizer } from './textTokenizer.js';
import type { AddedTokenJson, TokenizerJson } from './tokenizerFiles.js';
import { WordLevelTokenizer } from './wordLevel.js';

/** `splitWords` of src/data/formats.ts: words, numbers, single punctuation marks. */
export const BENCHMARK_WORD_PATTERN = '[A-Za-z]+|[0-9]+|[^\\sA-Za-z0-9]';

/** The same split as an HF pre-tokenizer: drop whitespace (newlines included), then isolate each match. */
export const BENCHMARK_PRE_TOKENIZER = {
  type: 'Sequence',
  pretokenizers: [
    { type: 'WhitespaceSplit' },
    { type: 'Split', pattern: { Regex: BENCHMARK_WORD_PATTERN }, behavior: 'Isolated', invert: false },
  ],
};

/** Special tokens take the first ids, so their ids do not move when the vocabulary grows. */
const SPECIAL_TOKENS = [...Object.values(QWEN2_VL_SPECIAL_TOKENS), UNK_TOKEN];

/**
 * Ids: the Qwen2-VL special tokens and `<|unk|>` (0–7), then `words` together with the chat
 * template's own words, deduplicated and sorted by code unit (so the ids do not depend on the
 * order of `words`). Case is kept: `A` and `a` are different words.
 */
export function buildWordLevelTokenizer(words: string[]): TextTokenizer {
  const source = 'the word-level tokenizer being built';
  const preTokenize = preTokenizerFrom(BENCHMARK_PRE_TOKENIZER, source);
  for (const word of words) {
    const pieces = preTokenize(word);
    check(pieces.length === 1 && pieces[0] === word,
      () => `cannot build a word-level tokenizer: ${JSON.stringify(word)} is not one word, number or punctuation mark; split the text with splitWords first`);
  }
  const vocabulary = [...new Set([...words, ...preTokenize(chatTemplateText())])].sort();
  const tokens = [...SPECIAL_TOKENS, ...vocabulary];
  const addedTokens: AddedTokenJson[] = SPECIAL_TOKENS.map((content, id) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  }));
  const json: TokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: BENCHMARK_PRE_TOKENIZER,
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: Object.fromEntries(tokens.map((token, id) => [token, id])), unk_token: UNK_TOKEN },
  };
  const config = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    unk_token: UNK_TOKEN,
    eos_token: QWEN2_VL_SPECIAL_TOKENS.imEnd,
    pad_token: QWEN2_VL_SPECIAL_TOKENS.endOfText,
    additional_special_tokens: SPECIAL_TOKENS.filter((t) => t !== UNK_TOKEN && t !== QWEN2_VL_SPECIAL_TOKENS.endOfText),
    clean_up_tokenization_spaces: false,
  };
  return new WordLevelTokenizer(json, config, 'the benchmark word-level tokenizer');
}
