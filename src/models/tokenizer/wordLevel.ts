/**
 * Hugging Face's WordLevel tokenizer model — one id per whole pre-token, anything else the unknown
 * token — which @huggingface/tokenizers does not implement. The normalizer and pre-tokenizer are
 * the ones tokenizer.json names (run by that package), so a WordLevel file saved by Python
 * `tokenizers` loads too.
 */
import { check, TempolabError } from '../../engine/errors.js';
import { normalizerFrom, preTokenizerFrom } from './pipeline.js';
import { resolveSpecialIds } from './specialTokens.js';
import type { DecodeOptions, SpecialTokenIds, TextTokenizer } from './textTokenizer.js';
import { writeTokenizerFiles, type TokenizerConfigJson, type TokenizerJson } from './tokenizerFiles.js';

/** Marks written straight after the previous word, as in ordinary prose. */
const NO_SPACE_BEFORE = new Set(['.', ',', ':', '?', '!']);

/** Words joined by single spaces, except before `. , : ? !` — the inverse of the benchmark's splitting. */
export function joinWords(words: readonly string[]): string {
  return words.map((word, i) => (i === 0 || NO_SPACE_BEFORE.has(word) ? word : ` ${word}`)).join('');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function stringify(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export class WordLevelTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  private readonly idsByToken = new Map<string, number>();
  private readonly tokensById = new Map<number, string>();
  private readonly addedIds = new Map<string, number>();
  private readonly specialIds = new Set<number>();
  private readonly unkId: number;
  /** Matches any added token, longest first, so `<|im_start|>` inside text becomes one id. */
  private readonly addedPattern: RegExp | undefined;
  private readonly normalize: (text: string) => string;
  private readonly preTokenize: (text: string) => string[];
  private readonly tokenizerText: string;
  private readonly configText: string;

  /**
   * `source` names the tokenizer in errors (its file, or what built it); `texts` are the files it
   * was loaded from, so that saving writes them back byte for byte.
   */
  constructor(json: TokenizerJson, config: TokenizerConfigJson, private readonly source: string, texts?: { tokenizer: string; config?: string }) {
    const { vocab, unk_token: unkToken } = json.model;
    const validVocab = vocab !== null && typeof vocab === 'object' && !Array.isArray(vocab) &&
      Object.values(vocab).every((id) => Number.isInteger(id) && (id as number) >= 0);
    check(validVocab, `${source}: the WordLevel "vocab" must map each word to a non-negative integer id; re-download the file or save the tokenizer again`);
    for (const [token, id] of Object.entries(vocab as Record<string, number>)) this.register(token, id);
    for (const added of json.added_tokens ?? []) {
      this.register(added.content, added.id);
      this.addedIds.set(added.content, added.id);
      if (added.special) this.specialIds.add(added.id);
    }
    check(typeof unkToken === 'string' && this.idsByToken.has(unkToken),
      `${source}: the WordLevel "unk_token" ${JSON.stringify(unkToken)} is not in its vocab; add it to the vocab or save the tokenizer again`);
    this.unkId = this.idsByToken.get(unkToken)!;
    this.vocabSize = [...this.tokensById.keys()].reduce((a, b) => Math.max(a, b)) + 1;
    this.addedPattern = this.addedIds.size === 0 ? undefined : new RegExp(
      [...this.addedIds.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
    this.normalize = normalizerFrom(json.normalizer, source);
    this.preTokenize = preTokenizerFrom(json.pre_tokenizer, source);
    this.special = resolveSpecialIds((token) => this.tokenToId(token), source);
    this.tokenizerText = texts?.tokenizer ?? stringify(json);
    this.configText = texts?.config ?? stringify(config);
  }

  private register(token: string, id: number): void {
    this.idsByToken.set(token, id);
    this.tokensById.set(id, token);
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    const encodeWords = (section: string) => {
      for (const word of this.preTokenize(this.normalize(section))) ids.push(this.idsByToken.get(word) ?? this.unkId);
    };
    let done = 0;
    for (const match of this.addedPattern ? text.matchAll(this.addedPattern) : []) {
      encodeWords(text.slice(done, match.index));
      ids.push(this.addedIds.get(match[0])!);
      done = match.index! + match[0].length;
    }
    encodeWords(text.slice(done));
    return ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const words: string[] = [];
    for (const id of ids) {
      const token = this.tokensById.get(id);
      if (token === undefined) {
        throw new TempolabError(`token id ${id} has no token in ${this.source} (vocab size ${this.vocabSize}): the model and tokenizer do not match; use the tokenizer saved with the model`);
      }
      if (!(options.skipSpecialTokens && this.specialIds.has(id))) words.push(token);
    }
    return joinWords(words);
  }

  unknownWords(text: string): string[] {
    const sections = this.addedPattern ? text.split(this.addedPattern) : [text];
    return sections.flatMap((section) => this.preTokenize(this.normalize(section)).filter((word) => !this.idsByToken.has(word)));
  }

  tokenToId(token: string): number | undefined {
    return this.idsByToken.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokensById.get(id);
  }

  save(dir: string): Promise<void> {
    return writeTokenizerFiles(dir, this.tokenizerText, this.configText);
  }
}
