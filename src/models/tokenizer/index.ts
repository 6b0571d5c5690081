export type { DecodeOptions, SpecialTokenIds, TextTokenizer } from './textTokenizer.js';
export { QWEN2_VL_SPECIAL_TOKENS, UNK_TOKEN } from './specialTokens.js';
export { buildWordLevelTokenizer, BENCHMARK_PRE_TOKENIZER, BENCHMARK_WORD_PATTERN } from './benchmarkTokenizer.js';
export { loadTokenizer } from './load.js';
export { textChatPrompt, videoChatPrompt, DEFAULT_SYSTEM_PROMPT, type Span, type VideoChatOptions, type VideoChatPrompt } from './chatTemplate.js';
export { vocabularyGaps, describeGaps, type VocabularyGaps } from './vocabularyCheck.js';
