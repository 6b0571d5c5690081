/**
 * Which words of a question set a word-level vocabulary lacks. Such a model reads them all as one
 * unknown token, silently: imported benchmark questions ("Please", "dancer") are the usual case.
 */
import type { TextTokenizer } from './textTokenizer.js';

export interface VocabularyGaps {
  /** Unknown words, most frequent first, with how many texts contain each. */
  words: { word: string; texts: number }[];
  /** Texts that contain at least one unknown word. */
  affected: number;
  total: number;
}

/** Null for subword tokenizers, which have no unknown words. */
export function vocabularyGaps(tokenizer: TextTokenizer, texts: readonly string[]): VocabularyGaps | null {
  if (!tokenizer.unknownWords) return null;
  const counts = new Map<string, number>();
  let affected = 0;
  for (const text of texts) {
    const unknown = new Set(tokenizer.unknownWords(text));
    if (unknown.size) affected++;
    for (const w of unknown) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const words = [...counts].map(([word, n]) => ({ word, texts: n })).sort((a, b) => b.texts - a.texts || a.word.localeCompare(b.word));
  return { words, affected, total: texts.length };
}

/** One line: how many questions hold unknown words, which words (the most frequent eight), and the fixes. */
export function describeGaps(g: VocabularyGaps): string {
  const shown = g.words.slice(0, 8).map((w) => `'${w.word}' (${w.texts})`).join(', ');
  const more = g.words.length > 8 ? ` and ${g.words.length - 8} more` : '';
  return `${g.affected} of ${g.total} questions contain words the model's word-level vocabulary lacks, read as <unk>: ${shown}${more}; train the model on a vocabulary that holds them, or use a checkpoint with a real tokenizer`;
}
