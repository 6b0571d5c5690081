/**
 * A real Hugging Face tokenizer (Qwen2's byte-level BPE, WordPiece, Unigram) run by the
 * @huggingface/tokenizers package.
 */
import { TempolabError } from '../../engine/errors.js';
import { Tokenizer, type PackageTokenizer } from './hfPackage.js';
import { resolveSpecialIds } from './specialTokens.js';
import type { DecodeOptions, SpecialTokenIds, TextTokenizer } from './textTokenizer.js';
import { oneLine, writeTokenizerFiles, type TokenizerFiles } from './tokenizerFiles.js';

export class HfTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  private readonly inner: PackageTokenizer;
  private readonly source: string;
  /** transformers' `clean_up_tokenization_spaces`; off unless the config asks, so decoding inverts encoding. */
  private readonly cleanUpSpaces: boolean;

  constructor(private readonly files: TokenizerFiles) {
    this.source = files.tokenizerPath;
    // The package requires every pipeline key; files written by hand may leave absent ones out.
    const json = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...files.tokenizer };
    try {
      this.inner = new Tokenizer(json, files.config);
    } catch (error) {
      throw new TempolabError(`cannot load ${this.source} (${oneLine(String((error as Error).message ?? error))}): tempolab reads tokenizers that @huggingface/tokenizers supports; re-download the file or save the tokenizer again`);
    }
    this.cleanUpSpaces = files.config.clean_up_tokenization_spaces === true;
    let highest = -1;
    for (const id of this.inner.get_vocab(true).values()) highest = Math.max(highest, id);
    this.vocabSize = highest + 1;
    this.special = resolveSpecialIds((token) => this.tokenToId(token), this.source);
  }

  encode(text: string): number[] {
    const { ids, tokens } = this.inner.encode(text, { add_special_tokens: false });
    const missing = ids.findIndex((id) => id === undefined);
    if (missing >= 0) {
      throw new TempolabError(`${this.source} has no id for the piece ${JSON.stringify(tokens[missing])} and no unk_token: the tokenizer cannot encode this text; use one whose vocabulary covers it (byte-level BPE covers all text)`);
    }
    return ids as number[];
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    for (const id of ids) {
      if (this.idToToken(id) === undefined) {
        throw new TempolabError(`token id ${id} has no token in ${this.source} (vocab size ${this.vocabSize}): the model and tokenizer do not match; use the tokenizer saved with the model`);
      }
    }
    // The package refuses an empty list; the empty sequence decodes to the empty string.
    if (ids.length === 0) return '';
    return this.inner.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false, clean_up_tokenization_spaces: this.cleanUpSpaces });
  }

  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.inner.id_to_token(id) : undefined;
  }

  save(dir: string): Promise<void> {
    const configText = this.files.configText ?? `${JSON.stringify(this.files.config, null, 2)}\n`;
    return writeTokenizerFiles(dir, this.files.tokenizerText, configText);
  }
}
