/** What the models, training and inference code need from a tokenizer, whatever its algorithm. */

/** Ids of the Qwen2-VL special tokens that prompts and the VideoLM refer to. */
export interface SpecialTokenIds {
  endOfText: number;
  imStart: number;
  imEnd: number;
  visionStart: number;
  visionEnd: number;
  videoPad: number;
  imagePad: number;
}

export interface DecodeOptions {
  /** Drop the tokens marked `special` in tokenizer.json (chat and vision markers). */
  skipSpecialTokens?: boolean;
}

export interface TextTokenizer {
  /** Highest id + 1, special tokens included: the embedding rows a model needs at least. */
  readonly vocabSize: number;
  /** No BOS/EOS is added; special-token strings inside `text` map to their ids, as in HF. */
  encode(text: string): number[];
  decode(ids: readonly number[], options?: DecodeOptions): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  readonly special: SpecialTokenIds;
  /** Writes tokenizer.json and tokenizer_config.json into `dir`, each atomically. */
  save(dir: string): Promise<void>;
  /**
   * Word-level vocabularies only (subword tokenizers have no unknown words): the words of `text`
   * that encode to the unknown token.
   */
  unknownWords?(text: string): string[];
}
