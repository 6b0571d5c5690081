/**
 * Reading and writing the two files of a Hugging Face tokenizer directory: tokenizer.json (the
 * tokenizer itself, as the Rust `tokenizers` library serialises it) and the optional
 * tokenizer_config.json (transformers' settings, e.g. whether decoding cleans up spaces).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../engine/atomicWrite.js';
import { TempolabError } from '../../engine/errors.js';

/** One entry of tokenizer.json's `added_tokens`. */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}

/** The parts of tokenizer.json tempolab reads itself; the rest passes through untouched. */
export interface TokenizerJson {
  added_tokens?: AddedTokenJson[];
  normalizer?: unknown;
  pre_tokenizer?: unknown;
  post_processor?: unknown;
  decoder?: unknown;
  model: { type?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export type TokenizerConfigJson = Record<string, unknown>;

export interface TokenizerFiles {
  /** tokenizer.json's path, used to name the file in errors. */
  tokenizerPath: string;
  /** The file's text, kept so that saving a loaded tokenizer writes back exactly the same bytes. */
  tokenizerText: string;
  tokenizer: TokenizerJson;
  configText: string | undefined;
  config: TokenizerConfigJson;
}

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

/** Error messages from JSON.parse or the tokenizers package may span lines; the CLI prints one. */
export function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}

async function readText(file: string, required: boolean): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    if (code === 'ENOENT') {
      throw new TempolabError(`no ${TOKENIZER_FILE} at ${file}: give a directory that holds a Hugging Face ${TOKENIZER_FILE} (a Qwen2-VL model directory, or one saved by tempolab)`);
    }
    throw new TempolabError(`cannot read ${file} (${code ?? oneLine(String(error))}): check that it is a readable file`);
  }
}

function parseObject(file: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TempolabError(`${file} is not valid JSON (${oneLine((error as Error).message)}): re-download it or save the tokenizer again`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TempolabError(`${file} does not hold a JSON object: re-download it or save the tokenizer again`);
  }
  return value as Record<string, unknown>;
}

export async function readTokenizerFiles(dir: string): Promise<TokenizerFiles> {
  const tokenizerPath = path.join(dir, TOKENIZER_FILE);
  const tokenizerText = (await readText(tokenizerPath, true))!;
  const tokenizer = parseObject(tokenizerPath, tokenizerText);
  const model = tokenizer.model;
  if (model === null || typeof model !== 'object' || Array.isArray(model)) {
    throw new TempolabError(`${tokenizerPath} has no "model" object: it is not a Hugging Face tokenizer.json; re-download it or save the tokenizer again`);
  }
  const added = tokenizer.added_tokens;
  const validAdded = added === undefined || (Array.isArray(added) && added.every((t) => typeof t?.content === 'string' && Number.isInteger(t?.id)));
  if (!validAdded) {
    throw new TempolabError(`${tokenizerPath}: "added_tokens" must be a list of {"id": integer, "content": string}; re-download it or save the tokenizer again`);
  }
  const configPath = path.join(dir, TOKENIZER_CONFIG_FILE);
  const configText = await readText(configPath, false);
  const config = configText === undefined ? {} : parseObject(configPath, configText);
  return { tokenizerPath, tokenizerText, tokenizer: tokenizer as TokenizerJson, configText, config };
}

/** Each file is replaced atomically, so a reader never sees a half-written tokenizer.json. */
export async function writeTokenizerFiles(dir: string, tokenizerText: string, configText: string): Promise<void> {
  await writeFileAtomic(path.join(dir, TOKENIZER_FILE), tokenizerText);
  await writeFileAtomic(path.join(dir, TOKENIZER_CONFIG_FILE), configText);
}
