import { TempolabError } from '../../engine/errors.js';
import { HfTokenizer } from './hfTokenizer.js';
import type { TextTokenizer } from './textTokenizer.js';
import { readTokenizerFiles } from './tokenizerFiles.js';
import { WordLevelTokenizer } from './wordLevel.js';

/** Models the @huggingface/tokenizers package runs; WordLevel, which it lacks, is tempolab's own. */
const PACKAGE_MODELS = new Set(['BPE', 'WordPiece', 'Unigram']);

/**
 * Loads `dir/tokenizer.json` (and `dir/tokenizer_config.json` if present): a Qwen2-VL model
 * directory, or one a tempolab tokenizer was saved to. It must have Qwen2-VL's special tokens.
 */
export async function loadTokenizer(dir: string): Promise<TextTokenizer> {
  const files = await readTokenizerFiles(dir);
  const type = files.tokenizer.model.type;
  if (type === 'WordLevel') {
    return new WordLevelTokenizer(files.tokenizer, files.config, files.tokenizerPath, { tokenizer: files.tokenizerText, config: files.configText });
  }
  if (typeof type === 'string' && PACKAGE_MODELS.has(type)) return new HfTokenizer(files);
  throw new TempolabError(
    `${files.tokenizerPath} has model type ${JSON.stringify(type ?? null)}, which tempolab cannot load: use a tokenizer.json whose model is BPE, WordPiece, Unigram or WordLevel`,
  );
}
