import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertCommandLineFits, MAX_COMMAND_LINE_BYTES, MAX_QUESTION_CHARS, readQuestion } from '../../src/cli/question.js';

let root: string;
before(async () => (root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-question-'))));
after(async () => fs.rm(root, { recursive: true, force: true }));

test('ask reads its question from exactly one source, trimmed, and refuses empty or over-long ones', async () => {
  const file = path.join(root, 'q.txt');
  await fs.writeFile(file, '  does the red circle move left?\n\n');
  assert.equal(await readQuestion(undefined, file), 'does the red circle move left?');
  assert.equal(await readQuestion(' why? ', undefined), 'why?');
  await assert.rejects(readQuestion(undefined, undefined), /no question: pass it as an argument, with --question-file FILE, or as - to read stdin/);
  await assert.rejects(readQuestion('x', file), /either as an argument or with --question-file, not both/);
  for (const blank of ['', ' ', '\n\t  ']) await assert.rejects(readQuestion(blank, undefined), /the question is empty/);
  await assert.rejects(readQuestion(undefined, root), /is not a regular file/);
  await assert.rejects(readQuestion(undefined, path.join(root, 'missing.txt')), /cannot read --question-file .*missing\.txt: ENOENT/);
  const long = path.join(root, 'long.txt');
  await fs.writeFile(long, 'a'.repeat(MAX_QUESTION_CHARS + 1));
  await assert.rejects(readQuestion(undefined, long), new RegExp(`the question has ${MAX_QUESTION_CHARS + 1} characters; ask accepts at most ${MAX_QUESTION_CHARS}`));
  await fs.writeFile(long, 'é'.repeat(2 * MAX_QUESTION_CHARS + 1));
  await assert.rejects(readQuestion(undefined, long), /bytes; a question may have at most/, 'refused from its size, before reading');
});

test('command lines over the limit are refused before onnxruntime could crash on them', () => {
  assert.doesNotThrow(() => assertCommandLineFits(['node', 'tempolab', 'ask', 'x'.repeat(MAX_COMMAND_LINE_BYTES - 100)]));
  assert.throws(() => assertCommandLineFits(['node', 'tempolab', 'ask', 'x'.repeat(MAX_COMMAND_LINE_BYTES)]), /the command line is \d+ bytes; .* --question-file FILE \(or - to read it from stdin\)/);
});
