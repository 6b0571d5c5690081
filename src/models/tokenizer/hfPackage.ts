/**
 * The parts of @huggingface/tokenizers that tempolab uses, with their types. The package's own
 * declarations re-export its classes through extension-less paths, which TypeScript's NodeNext
 * resolution does not follow (every import would be `any`), so the used surface is declared here
 * from its types/ folder.
 */
import * as tokenizers from '@huggingface/tokenizers';

export interface PackageTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: (number | undefined)[]; tokens: string[] };
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
  token_to_id(token: string): number | undefined;
  id_to_token(id: number): string | undefined;
  get_vocab(withAddedTokens?: boolean): Map<string, number>;
}

interface PackageExports {
  Tokenizer: new (tokenizerJson: object, tokenizerConfig: object) => PackageTokenizer;
  SequencePreTokenizer: new (config: { type: 'Sequence'; pretokenizers: unknown[] }) => { pre_tokenize(text: string): string[] };
  SequenceNormalizer: new (config: { type: 'Sequence'; normalizers: unknown[] }) => { normalize(text: string): string };
}

export const { Tokenizer, SequencePreTokenizer, SequenceNormalizer } = tokenizers as unknown as PackageExports;
