import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dimension, Format, Question } from '../../src/data/types.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { buildWordLevelTokenizer, textChatPrompt } from '../../src/models/tokenizer/index.js';
import { describedQuestions, LanguageModeling } from '../../src/train/objectives.js';

const question = (videoId: string, dimension: Dimension, format: Format, text: string, answer: string): Question =>
  ({ id: `${videoId}-${dimension}-${format}`, videoId, split: 'train', dimension, format, question: text, answer, partnerId: null, heldOut: false });

// Two clips by hand: v1 with both captions (its temporal caption listed before its perception one), v2 with none.
const questions: Question[] = [
  question('v1', 'direction', 'captioning', 'describe the direction of the motion in the video in one sentence.', 'the red circle moves left'),
  question('v1', 'direction', 'multi_choice', 'which direction does the red circle move?\nA. right\nB. left\nplease directly give the best option:', 'B. left'),
  question('v1', 'perception', 'yes_no', 'is there a red circle in the video?\nplease answer yes or no:', 'yes'),
  question('v1', 'perception', 'captioning', 'what is the red object? answer in one sentence.', 'the red object is a circle'),
  question('v2', 'perception', 'yes_no', 'is there a blue square in the video?\nplease answer yes or no:', 'no'),
];

test('describedQuestions: each closed question after its clip\'s captions (what it shows, then what happens); captioning and clips without captions add nothing', () => {
  assert.deepEqual(describedQuestions(questions), [
    ['the red object is a circle\nthe red circle moves left\nwhich direction does the red circle move?\nA. right\nB. left\nplease directly give the best option:', 'B. left'],
    ['the red object is a circle\nthe red circle moves left\nis there a red circle in the video?\nplease answer yes or no:', 'yes'],
  ]);
});

test('LanguageModeling with described adds exactly those sequences to the plain ones, each the chat prompt, the answer and <|im_end|>', () => {
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 0, tokenizer);
  const plain = new LanguageModeling(questions, model, 0);
  const described = new LanguageModeling(questions, model, 0, { described: true });
  assert.equal(plain.sequences.length, questions.length);
  assert.deepEqual(described.sequences.slice(0, questions.length), plain.sequences);
  const [text, answer] = describedQuestions(questions)[0]!;
  assert.deepEqual(described.sequences[questions.length], [...textChatPrompt(tokenizer, { question: text }), ...tokenizer.encode(answer), tokenizer.special.imEnd]);
  assert.equal(described.sequences.length, questions.length + 2);
});

test('LanguageModeling with described on questions no clip can be described by is refused in one line, naming the fix', () => {
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 0, tokenizer);
  const withoutCaptions = questions.filter((q) => q.format !== 'captioning');
  assert.throws(() => new LanguageModeling(withoutCaptions, model, 0, { described: true }), (e: Error) => /has none: train without descriptions \(--no-described; train base: --no-language-described\)$/.test(e.message) && !e.message.includes('\n'));
  assert.equal(new LanguageModeling(withoutCaptions, model, 0).sequences.length, withoutCaptions.length);
});
