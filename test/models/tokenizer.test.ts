import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { benchmarkVocabulary } from '../../src/data/index.js';
import { splitWords } from '../../src/data/formats.js';
import { TempolabError } from '../../src/engine/errors.js';
import {
  BENCHMARK_PRE_TOKENIZER,
  buildWordLevelTokenizer,
  describeGaps,
  loadTokenizer,
  videoChatPrompt,
  vocabularyGaps,
} from '../../src/models/tokenizer/index.js';
import { encodeVideoQuestion, questionText } from '../../src/models/prompt.js';

const tempDirs: string[] = [];
after(() => Promise.all(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-tokenizer-'));
  tempDirs.push(dir);
  return dir;
}

async function writeJson(dir: string, file: string, value: unknown): Promise<void> {
  await fs.writeFile(path.join(dir, file), JSON.stringify(value));
}

/**
 * A special added token as the Rust library writes it (it refuses entries without every field).
 * Fixtures number added tokens right after the model's vocabulary, as that library assigns them.
 */
function addedToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** A one-line TempolabError whose message contains every given fragment. */
function oneLineError(...fragments: string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof TempolabError, `expected a TempolabError, got ${String(error)}`);
    assert.ok(!error.message.includes('\n'), `message spans lines: ${error.message}`);
    for (const f of fragments) assert.ok(error.message.includes(f), `"${error.message}" lacks "${f}"`);
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Word-level tokenizer. With the words below, the ids are: the eight special tokens 0–7 in the
// order <|endoftext|> <|im_start|> <|im_end|> <|vision_start|> <|vision_end|> <|video_pad|>
// <|image_pad|> <|unk|>, then the given words plus the chat template's (system user assistant You
// are a helpful assistant .) sorted by code unit: . A You a are assistant helpful left right system
// to user = 8 … 19.

const SMALL_WORDS = ['right', 'left', 'to', 'A', '.'];
const ID = { '.': 8, A: 9, You: 10, a: 11, are: 12, assistant: 13, helpful: 14, left: 15, right: 16, system: 17, to: 18, user: 19 };
const SPECIAL = { endOfText: 0, imStart: 1, imEnd: 2, visionStart: 3, visionEnd: 4, videoPad: 5, imagePad: 6 };
const UNK = 7;

test('word-level: hand-worked ids, special ids and vocabulary size', () => {
  const t = buildWordLevelTokenizer(SMALL_WORDS);
  assert.equal(t.vocabSize, 20);
  assert.deepEqual(t.special, SPECIAL);
  assert.deepEqual(t.encode('A. left to right'), [ID.A, ID['.'], ID.left, ID.to, ID.right]);
  assert.equal(t.tokenToId('<|unk|>'), UNK);
  assert.equal(t.idToToken(ID.helpful), 'helpful');
  assert.equal(t.idToToken(20), undefined);
});

test('word-level: case is kept, unknown words become <|unk|>, newlines are not tokens', () => {
  const t = buildWordLevelTokenizer(SMALL_WORDS);
  assert.deepEqual(t.encode('a A'), [ID.a, ID.A]);
  assert.deepEqual(t.encode('Left to 12 right?'), [UNK, ID.to, UNK, ID.right, UNK]);
  assert.deepEqual(t.encode('A.\nleft\n\nto\tright\n'), [ID.A, ID['.'], ID.left, ID.to, ID.right]);
});

test('word-level: special-token strings inside text map to their ids', () => {
  const t = buildWordLevelTokenizer(SMALL_WORDS);
  assert.deepEqual(t.encode('<|im_start|>user\nleft<|video_pad|><|video_pad|>right<|im_end|>'),
    [SPECIAL.imStart, ID.user, ID.left, SPECIAL.videoPad, SPECIAL.videoPad, ID.right, SPECIAL.imEnd]);
  assert.deepEqual(t.encode('<|unk|> <|vision_start|>'), [UNK, SPECIAL.visionStart]);
});

test('word-level: decoding puts no space before . , : ? ! and can skip special tokens', () => {
  const t = buildWordLevelTokenizer(['yes', ',', ':', '?', '!', 'caption', 'A', 'left']);
  assert.equal(t.decode(t.encode('A. left to right')), 'A. left <|unk|> <|unk|>');
  const u = buildWordLevelTokenizer(SMALL_WORDS);
  assert.equal(u.decode(u.encode('A. left to right')), 'A. left to right');
  assert.equal(u.decode(u.encode('A.\nleft   to right')), 'A. left to right');
  const ids = [t.tokenToId('caption')!, t.tokenToId('A')!, t.tokenToId(':')!, t.tokenToId('yes')!, t.tokenToId(',')!,
    t.tokenToId('left')!, t.tokenToId('?')!, t.tokenToId('!')!];
  assert.equal(t.decode(ids), 'caption A: yes, left?!');
  assert.equal(t.decode([SPECIAL.imStart, t.tokenToId('left')!, SPECIAL.imEnd]), '<|im_start|> left <|im_end|>');
  assert.equal(t.decode([SPECIAL.imStart, t.tokenToId('left')!, SPECIAL.imEnd], { skipSpecialTokens: true }), 'left');
  assert.equal(t.decode([]), '');
});

test('word-level: the pre-tokenizer splits exactly like splitWords', () => {
  const t = buildWordLevelTokenizer(SMALL_WORDS);
  const texts = [
    'which caption matches the video?\nA. the red circle moves left\nB. right',
    'is the object 12 frames long? yes, it is: 3-4 (maybe)!',
    "it's  a\ttab\r\nand 007x9y",
  ];
  for (const text of texts) {
    const words = splitWords(text);
    const ids = t.encode(text);
    assert.equal(ids.length, words.length, text);
    words.forEach((word, i) => assert.equal(ids[i], t.tokenToId(word) ?? UNK, `${text}: word ${i} ${word}`));
  }
});

test('word-level: built from benchmarkVocabulary, every benchmark word has its own id, whatever the order', () => {
  const words = benchmarkVocabulary();
  const t = buildWordLevelTokenizer(words);
  const reversed = buildWordLevelTokenizer([...words].reverse());
  const templateWords = ['system', 'user', 'assistant', 'You', 'are', 'a', 'helpful', '.'];
  const distinct = new Set([...words, ...templateWords]);
  assert.equal(t.vocabSize, 8 + distinct.size);
  const seen = new Set<number>();
  for (const word of distinct) {
    const ids = t.encode(word);
    assert.equal(ids.length, 1, word);
    assert.ok(ids[0]! >= 8 && !seen.has(ids[0]!), word);
    seen.add(ids[0]!);
    assert.equal(t.decode(ids), word);
    assert.deepEqual(reversed.encode(word), ids);
  }
  for (const letter of ['A', 'B', 'C']) assert.notEqual(t.tokenToId(letter), t.tokenToId(letter.toLowerCase()));
});

test('word-level: a word that is not one pre-token is refused', () => {
  assert.throws(() => buildWordLevelTokenizer(['left to']), oneLineError('"left to"', 'splitWords'));
  assert.throws(() => buildWordLevelTokenizer(['A.']), oneLineError('"A."'));
  assert.throws(() => buildWordLevelTokenizer(['']), oneLineError('""'));
});

test('word-level: saves a Hugging Face tokenizer.json that loads back with the same ids', async () => {
  const dir = await tempDir();
  await buildWordLevelTokenizer(SMALL_WORDS).save(dir);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['tokenizer.json', 'tokenizer_config.json']);
  const json = JSON.parse(await fs.readFile(path.join(dir, 'tokenizer.json'), 'utf8'));
  assert.deepEqual(json.model, {
    type: 'WordLevel',
    unk_token: '<|unk|>',
    vocab: {
      '<|endoftext|>': 0, '<|im_start|>': 1, '<|im_end|>': 2, '<|vision_start|>': 3, '<|vision_end|>': 4,
      '<|video_pad|>': 5, '<|image_pad|>': 6, '<|unk|>': 7, ...ID,
    },
  });
  assert.deepEqual(json.pre_tokenizer, {
    type: 'Sequence',
    pretokenizers: [
      { type: 'WhitespaceSplit' },
      { type: 'Split', pattern: { Regex: '[A-Za-z]+|[0-9]+|[^\\sA-Za-z0-9]' }, behavior: 'Isolated', invert: false },
    ],
  });
  assert.deepEqual(json.pre_tokenizer, BENCHMARK_PRE_TOKENIZER);
  assert.deepEqual(json.added_tokens.map((a: { id: number; content: string; special: boolean }) => [a.id, a.content, a.special]), [
    [0, '<|endoftext|>', true], [1, '<|im_start|>', true], [2, '<|im_end|>', true], [3, '<|vision_start|>', true],
    [4, '<|vision_end|>', true], [5, '<|video_pad|>', true], [6, '<|image_pad|>', true], [7, '<|unk|>', true],
  ]);
  const config = JSON.parse(await fs.readFile(path.join(dir, 'tokenizer_config.json'), 'utf8'));
  assert.equal(config.unk_token, '<|unk|>');
  assert.equal(config.eos_token, '<|im_end|>');

  const loaded = await loadTokenizer(dir);
  assert.equal(loaded.vocabSize, 20);
  assert.deepEqual(loaded.special, SPECIAL);
  assert.deepEqual(loaded.encode('<|im_start|>A. left to right?'), [SPECIAL.imStart, ID.A, ID['.'], ID.left, ID.to, ID.right, UNK]);
  assert.equal(loaded.decode([ID.A, ID['.'], ID.left]), 'A. left');

  // Saving a loaded tokenizer writes its files back unchanged.
  const again = await tempDir();
  await loaded.save(again);
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) {
    assert.equal(await fs.readFile(path.join(again, file), 'utf8'), await fs.readFile(path.join(dir, file), 'utf8'));
  }
});

test('word-level: a WordLevel file with another pre-tokenizer and a normalizer loads', async () => {
  const dir = await tempDir();
  const specials = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|vision_start|>', '<|vision_end|>', '<|video_pad|>', '<|image_pad|>'];
  await writeJson(dir, 'tokenizer.json', {
    added_tokens: specials.map((content, i) => addedToken(4 + i, content)),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0, hello: 1, world: 2, '!': 3 }, unk_token: '[UNK]' },
  });
  const t = await loadTokenizer(dir);
  assert.equal(t.vocabSize, 11);
  assert.deepEqual(t.encode('Hello WORLD!<|im_end|>moon'), [1, 2, 3, 6, 0]);
  assert.deepEqual(t.special, { endOfText: 4, imStart: 5, imEnd: 6, visionStart: 7, visionEnd: 8, videoPad: 9, imagePad: 10 });
});

// ---------------------------------------------------------------------------------------------
// Byte-level BPE in Qwen2's layout. Ids 0–255 are the 256 byte characters in byte order (so a
// byte's id is its value: "Ġ" = space = 32, "Ċ" = newline = 10), then the merges' results
// 256–263, then Qwen's special tokens 264–271.

/** GPT-2's byte-to-character table: printable bytes stand for themselves, the others map to 256, 257, … in order. */
function byteLevelChars(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let next = 256;
  return Array.from({ length: 256 }, (_, b) => String.fromCharCode(printable(b) ? b : next++));
}

const MERGES = ['h e', 'l l', 'he ll', 'hell o', 'Ġ w', 'o r', 'Ġw or', 'l d'];
const MERGED = { he: 256, ll: 257, hell: 258, hello: 259, 'Ġw': 260, or: 261, 'Ġwor': 262, ld: 263 };
const QWEN_SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|vision_start|>', '<|vision_end|>', '<|vision_pad|>', '<|image_pad|>', '<|video_pad|>'];
const BPE_SPECIAL = { endOfText: 264, imStart: 265, imEnd: 266, visionStart: 267, visionEnd: 268, videoPad: 271, imagePad: 270 };
const QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

function byteLevelBpeJson(specials = QWEN_SPECIALS) {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  const vocab: Record<string, number> = {};
  byteLevelChars().forEach((char, id) => { vocab[char] = id; });
  Object.assign(vocab, MERGED);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content) => addedToken(264 + QWEN_SPECIALS.indexOf(content), content)),
    normalizer: { type: 'NFC' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: QWEN2_SPLIT }, behavior: 'Isolated', invert: false }, byteLevel] },
    post_processor: byteLevel,
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges: MERGES },
  };
}

async function byteLevelBpeDir(): Promise<string> {
  const dir = await tempDir();
  await writeJson(dir, 'tokenizer.json', byteLevelBpeJson());
  await writeJson(dir, 'tokenizer_config.json', { clean_up_tokenization_spaces: false, eos_token: '<|im_end|>' });
  return dir;
}

test('byte-level BPE: hand-worked merges, byte ids and special ids', async () => {
  const t = await loadTokenizer(await byteLevelBpeDir());
  assert.equal(t.vocabSize, 272);
  assert.deepEqual(t.special, BPE_SPECIAL);
  // "hello" merges all the way; " world" → Ġw+or → Ġwor, then l+d → ld; "!" is byte 33.
  assert.deepEqual(t.encode('hello world!'), [MERGED.hello, MERGED['Ġwor'], MERGED.ld, 33]);
  // Without the leading space "world" cannot use Ġw: w (119), or, ld; the newline is byte 10.
  assert.deepEqual(t.encode('hello\nworld'), [MERGED.hello, 10, 119, MERGED.or, MERGED.ld]);
  // A two-byte character is two byte ids: é = C3 A9.
  assert.deepEqual(t.encode('é'), [0xc3, 0xa9]);
  assert.equal(t.tokenToId('Ġ'), 32);
  assert.equal(t.idToToken(MERGED['Ġwor']), 'Ġwor');
});

test('byte-level BPE: decoding inverts encoding', async () => {
  const t = await loadTokenizer(await byteLevelBpeDir());
  for (const text of ['hello world!', 'hello\nworld', '  spaced  out , é ü 12', '']) assert.equal(t.decode(t.encode(text)), text);
  assert.equal(t.decode([MERGED.hello, MERGED['Ġwor'], MERGED.ld]), 'hello world');
});

test('byte-level BPE: special-token strings in text map to their ids and can be skipped when decoding', async () => {
  const t = await loadTokenizer(await byteLevelBpeDir());
  const ids = t.encode('<|im_start|>hello<|im_end|>\n<|vision_start|><|video_pad|><|vision_end|>');
  assert.deepEqual(ids, [265, MERGED.hello, 266, 10, 267, 271, 268]);
  assert.equal(t.decode(ids), '<|im_start|>hello<|im_end|>\n<|vision_start|><|video_pad|><|vision_end|>');
  assert.equal(t.decode(ids, { skipSpecialTokens: true }), 'hello\n');
});

test('byte-level BPE: save writes the loaded files back unchanged', async () => {
  const dir = await byteLevelBpeDir();
  const t = await loadTokenizer(dir);
  const out = await tempDir();
  await t.save(out);
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) {
    assert.equal(await fs.readFile(path.join(out, file), 'utf8'), await fs.readFile(path.join(dir, file), 'utf8'));
  }
});

test('WordPiece: a BERT-style tokenizer.json with Qwen special tokens loads', async () => {
  const dir = await tempDir();
  await writeJson(dir, 'tokenizer.json', {
    added_tokens: QWEN_SPECIALS.map((content, i) => addedToken(7 + i, content)),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100,
      vocab: { '[UNK]': 0, play: 1, '##ing': 2, '##ed': 3, the: 4, ball: 5, '.': 6 } },
  });
  const t = await loadTokenizer(dir);
  assert.equal(t.vocabSize, 15);
  // play+##ing, the, play+##ed, ball, "." ; "runs" has no pieces → [UNK]
  assert.deepEqual(t.encode('Playing the PLAYED ball. runs<|im_end|>'), [1, 2, 4, 1, 3, 5, 6, 0, 9]);
  assert.equal(t.decode([1, 2, 4, 5]), 'playing the ball');
});

test('Unigram: a SentencePiece-style tokenizer.json with Qwen special tokens loads', async () => {
  const dir = await tempDir();
  await writeJson(dir, 'tokenizer.json', {
    added_tokens: QWEN_SPECIALS.map((content, i) => addedToken(7 + i, content)),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 0, byte_fallback: false,
      vocab: [['<unk>', 0], ['▁', -2], ['▁the', -1], ['▁a', -1.5], ['t', -4], ['he', -3], ['▁ahe', -9]] },
  });
  const t = await loadTokenizer(dir);
  assert.equal(t.vocabSize, 15);
  // "▁the": one piece (−1) beats ▁+t+he (−9). "▁ahe": ▁a+he (−4.5) beats ▁ahe (−9).
  assert.deepEqual(t.encode('the ahe'), [2, 3, 5]);
  assert.equal(t.decode([2, 3, 5]), 'the ahe');
});

// ---------------------------------------------------------------------------------------------
// The Qwen2-VL chat template for a video question.

test('chat prompt (word-level): hand-worked ids and spans with the default system prompt', () => {
  const t = buildWordLevelTokenizer(SMALL_WORDS);
  const p = videoChatPrompt(t, { question: 'A. left to right', videoTokens: 3 });
  const S = SPECIAL;
  assert.deepEqual(p.ids, [
    S.imStart, ID.system, ID.You, ID.are, ID.a, ID.helpful, ID.assistant, ID['.'], S.imEnd, S.imStart, ID.user, // 0–10
    S.visionStart, S.videoPad, S.videoPad, S.videoPad, S.visionEnd, // 11–15
    ID.A, ID['.'], ID.left, ID.to, ID.right, // 16–20
    S.imEnd, S.imStart, ID.assistant, // 21–23
  ]);
  assert.deepEqual(p.instruction, [0, 11]);
  assert.equal(p.visionStart, 11);
  assert.deepEqual(p.video, [12, 15]);
  assert.equal(p.visionEnd, 15);
  assert.deepEqual(p.query, [16, 21]);
  assert.deepEqual(p.suffix, [21, 24]);
});

test('chat prompt (word-level): a custom system prompt moves every span', () => {
  const t = buildWordLevelTokenizer(SMALL_WORDS);
  const p = videoChatPrompt(t, { question: 'right', videoTokens: 1, system: 'left' });
  assert.deepEqual(p.ids, [1, ID.system, ID.left, 2, 1, ID.user, 3, 5, 4, ID.right, 2, 1, ID.assistant]);
  assert.deepEqual([p.instruction, p.visionStart, p.video, p.visionEnd, p.query, p.suffix], [[0, 6], 6, [7, 8], 8, [9, 10], [10, 13]]);
});

test('chat prompt (byte-level BPE): hand-worked ids', async () => {
  const t = await loadTokenizer(await byteLevelBpeDir());
  const p = videoChatPrompt(t, { question: 'hello world!', videoTokens: 2, system: 'hello' });
  const bytes = (s: string) => [...Buffer.from(s)];
  assert.deepEqual(p.ids, [
    265, ...bytes('system'), 10, MERGED.hello, 266, 10, 265, ...bytes('user'), 10, // 0–16
    267, 271, 271, 268, // 17–20
    MERGED.hello, MERGED['Ġwor'], MERGED.ld, 33, // 21–24
    266, 10, 265, ...bytes('assistant'), 10, // 25–37
  ]);
  assert.deepEqual([p.instruction, p.visionStart, p.video, p.visionEnd, p.query, p.suffix], [[0, 17], 17, [18, 20], 20, [21, 25], [25, 38]]);
});

test('chat prompt: bad video token counts and vision tokens in the question are refused', () => {
  const t = buildWordLevelTokenizer(SMALL_WORDS);
  assert.throws(() => videoChatPrompt(t, { question: 'left', videoTokens: 0 }), oneLineError('videoTokens'));
  assert.throws(() => videoChatPrompt(t, { question: 'left', videoTokens: 1.5 }), oneLineError('videoTokens'));
  assert.throws(() => videoChatPrompt(t, { question: 'left <|video_pad|>', videoTokens: 2 }), oneLineError('vision token'));
});

// ---------------------------------------------------------------------------------------------
// Errors: one line, naming the file and the fix.

test('errors: missing directory, corrupt or non-tokenizer JSON, unsupported model type', async () => {
  const missing = path.join(await tempDir(), 'nowhere');
  await assert.rejects(loadTokenizer(missing), oneLineError(path.join(missing, 'tokenizer.json'), 'give a directory'));

  const corrupt = await tempDir();
  await fs.writeFile(path.join(corrupt, 'tokenizer.json'), '{"model": {"type": "BPE",');
  await assert.rejects(loadTokenizer(corrupt), oneLineError(path.join(corrupt, 'tokenizer.json'), 'not valid JSON', 're-download'));

  const noModel = await tempDir();
  await writeJson(noModel, 'tokenizer.json', { vocab: {} });
  await assert.rejects(loadTokenizer(noModel), oneLineError(path.join(noModel, 'tokenizer.json'), '"model"'));

  const unsupported = await tempDir();
  await writeJson(unsupported, 'tokenizer.json', { model: { type: 'CharLevel', vocab: {} } });
  await assert.rejects(loadTokenizer(unsupported), oneLineError(path.join(unsupported, 'tokenizer.json'), '"CharLevel"', 'BPE, WordPiece, Unigram or WordLevel'));

  const badConfig = await byteLevelBpeDir();
  await fs.writeFile(path.join(badConfig, 'tokenizer_config.json'), 'not json');
  await assert.rejects(loadTokenizer(badConfig), oneLineError(path.join(badConfig, 'tokenizer_config.json'), 'not valid JSON'));

  const badPreTokenizer = await tempDir();
  await writeJson(badPreTokenizer, 'tokenizer.json', { ...byteLevelBpeJson(), pre_tokenizer: { type: 'Shredder' } });
  await assert.rejects(loadTokenizer(badPreTokenizer), oneLineError(path.join(badPreTokenizer, 'tokenizer.json'), 'Shredder'));
});

test('errors: a tokenizer without a Qwen2-VL special token names the token', async () => {
  const dir = await tempDir();
  await writeJson(dir, 'tokenizer.json', byteLevelBpeJson(QWEN_SPECIALS.filter((s) => s !== '<|video_pad|>')));
  await assert.rejects(loadTokenizer(dir), oneLineError(path.join(dir, 'tokenizer.json'), '<|video_pad|>', 'added_tokens'));
});

test('errors: a WordLevel file whose unk_token is not in its vocab', async () => {
  const dir = await tempDir();
  await writeJson(dir, 'tokenizer.json', { added_tokens: [], model: { type: 'WordLevel', vocab: { a: 0 }, unk_token: '<|unk|>' } });
  await assert.rejects(loadTokenizer(dir), oneLineError(path.join(dir, 'tokenizer.json'), 'unk_token', '"<|unk|>"'));
});

test('errors: decoding an id the tokenizer does not have', async () => {
  const word = buildWordLevelTokenizer(SMALL_WORDS);
  assert.throws(() => word.decode([ID.A, 20]), oneLineError('token id 20', 'vocab size 20'));
  const bpe = await loadTokenizer(await byteLevelBpeDir());
  assert.throws(() => bpe.decode([MERGED.hello, 272]), oneLineError('token id 272', 'vocab size 272'));
  assert.throws(() => bpe.decode([-1]), oneLineError('token id -1'));
});

test('prompts: a real tokenizer reads TempCompass\' capitalised instruction line, a word-level one the lower-case line it holds', async () => {
  const bpe = await loadTokenizer(await byteLevelBpeDir());
  const question = 'is the car moving left?\nplease answer yes or no:';
  const e = encodeVideoQuestion(bpe, { question, videoTokens: 2, temporalGroups: 1 });
  assert.equal(bpe.decode(e.inputIds.slice(...e.spans.query)), 'is the car moving left?\nPlease answer yes or no:');
  assert.equal(questionText(bpe, 'which?\nA. x\nplease directly give the best option:'), 'which?\nA. x\nPlease directly give the best option:');
  assert.equal(questionText(bpe, 'describe the motion.'), 'describe the motion.');
  const words = buildWordLevelTokenizer(benchmarkVocabulary());
  assert.equal(questionText(words, question), question);
  assert.equal(bpe.unknownWords, undefined, 'subword tokenizers have no unknown words');
});

test('word-level vocabulary gaps: unknown words counted per question, most frequent first', () => {
  const words = buildWordLevelTokenizer(benchmarkVocabulary());
  assert.deepEqual(words.unknownWords!('does the dancer move from left to right?\nplease answer yes or no:'), ['dancer']);
  assert.deepEqual(words.unknownWords!('Does the red circle move?\nPlease answer yes or no:'), ['Does', 'Please'], 'the vocabulary is lower-case');
  const gaps = vocabularyGaps(words, ['does the dancer move?', 'the dancer jumps', 'does the red circle move?'])!;
  assert.deepEqual(gaps.words, [{ word: 'dancer', texts: 2 }, { word: 'jumps', texts: 1 }]);
  assert.equal(gaps.affected, 2);
  assert.match(describeGaps(gaps), /^2 of 3 questions contain words the model's word-level vocabulary lacks, read as <unk>: 'dancer' \(2\), 'jumps' \(1\); train/);
});
