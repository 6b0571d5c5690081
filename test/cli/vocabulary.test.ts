import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ffmpegPath, importTempCompassQuestions, importVideos } from '../../src/data/index.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { createVideoLM, saveVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';

const cliPath = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('eval with a word-level model warns in one line about words its vocabulary lacks; --strict makes it an error', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-vocab-'));
  const videos = path.join(root, 'videos');
  await fs.mkdir(videos);
  execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=32x32:rate=8', '-pix_fmt', 'yuv420p', path.join(videos, '1008.mp4')]);
  const data = path.join(root, 'data');
  await importVideos([videos], data, { frames: 4, size: 16 });
  const yn = path.join(root, 'yes_no.json');
  await fs.writeFile(yn, JSON.stringify({ '1008': { action: [{ question: 'Is the dancer spinning?', answer: 'yes' }, { question: 'does the red circle move?', answer: 'no' }] } }));
  await importTempCompassQuestions([yn], data);
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  await saveVideoLM(createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 1, tokenizer), path.join(root, 'model'));
  const run = (...extra: string[]) => spawnSync(process.execPath, [cliPath, 'eval', '--model', path.join(root, 'model'), '--data', data, ...extra], { encoding: 'utf8' });
  const warned = run();
  assert.equal(warned.status, 0, warned.stderr);
  assert.match(warned.stderr, /^warning: model: 1 of 2 questions contain words the model's word-level vocabulary lacks, read as <unk>: 'dancer' \(1\), 'Is' \(1\), 'spinning' \(1\); /m);
  const strict = run('--strict');
  assert.notEqual(strict.status, 0);
  assert.match(strict.stderr, /1 of 2 questions contain words .* \(--strict makes this an error; drop it to run anyway\)/);
  assert.equal(strict.stderr.trim().split('\n').length, 1);
  await fs.rm(root, { recursive: true });
});
