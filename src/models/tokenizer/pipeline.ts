/**
 * Normalizers and pre-tokenizers named in a tokenizer.json, run by the implementations in
 * @huggingface/tokenizers, for the tokenizer models that package lacks (WordLevel).
 */
import { TempolabError } from '../../engine/errors.js';
import { SequenceNormalizer, SequencePreTokenizer } from './hfPackage.js';
import { oneLine } from './tokenizerFiles.js';

function build<T>(make: () => T, what: string, source: string): T {
  try {
    return make();
  } catch (error) {
    throw new TempolabError(`cannot use the ${what} of ${source} (${oneLine(String((error as Error).message ?? error))}): tempolab supports the ${what}s of @huggingface/tokenizers`);
  }
}

/** A null pre-tokenizer leaves the whole text as one piece (none for empty text), as in the Rust library. */
export function preTokenizerFrom(config: unknown, source: string): (text: string) => string[] {
  if (config === null || config === undefined) return (text) => (text === '' ? [] : [text]);
  // The package builds any pre-tokenizer by type only inside a Sequence, so wrap it in one.
  const preTokenizer = build(
    () => new SequencePreTokenizer({ type: 'Sequence', pretokenizers: [config] }),
    'pre_tokenizer',
    source,
  );
  return (text) => preTokenizer.pre_tokenize(text);
}

export function normalizerFrom(config: unknown, source: string): (text: string) => string {
  if (config === null || config === undefined) return (text) => text;
  const normalizer = build(
    () => new SequenceNormalizer({ type: 'Sequence', normalizers: [config] }),
    'normalizer',
    source,
  );
  return (text) => normalizer.normalize(text);
}
