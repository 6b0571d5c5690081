import type { Question } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { describeGaps, vocabularyGaps, type TextTokenizer } from '../models/tokenizer/index.js';

/** Warns on stderr (or, with --strict, fails) when a word-level model cannot read some questions' words. */
export function checkVocabulary(tokenizer: TextTokenizer | undefined, questions: readonly Question[], strict: boolean | undefined, model: string): void {
  if (!tokenizer) return;
  const gaps = vocabularyGaps(tokenizer, questions.map((q) => `${q.question}\n${q.answer}`));
  if (!gaps || gaps.affected === 0) return;
  const line = `${model}: ${describeGaps(gaps)}`;
  if (strict) throw new TempolabError(`${line} (--strict makes this an error; drop it to run anyway)`);
  process.stderr.write(`warning: ${line}\n`);
}
