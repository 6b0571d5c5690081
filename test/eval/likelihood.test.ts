import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDataset } from '../../src/data/dataset.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import { ffmpegPath } from '../../src/data/video.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { interpret } from '../../src/engine/interpreter.js';
import { answerQuestions } from '../../src/eval/answer.js';
import { answerCandidates } from '../../src/eval/candidates.js';
import { createVideoLM, saveVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { continuationLogLikelihoods } from '../../src/models/likelihood.js';
import { encodeVideoQuestion } from '../../src/models/prompt.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { perturb, randomVideo } from '../models/helpers.js';
import { videoToPixelValues } from '../../src/models/processor.js';

const cliPath = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
function wordModel(seed: number) {
  const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), seed, tokenizer);
  perturb(model, seed);
  return model;
}

test('candidate log-likelihoods equal Σ log-softmax of each unpadded sequence in the float64 interpreter', async () => {
  const model = wordModel(61);
  const pv = videoToPixelValues(randomVideo(62), 4, 16, 16, model.config.vision_config);
  const video = { pixelValuesVideos: pv.data, videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w] as const };
  const question = 'which direction does the red circle move?\nA. left\nB. from left to right\nplease directly give the best option:';
  const candidates = ['A. left', 'B. from left to right', 'yes'];
  const got = await continuationLogLikelihoods(model, video, question, candidates);
  candidates.forEach((answer, c) => {
    const e = encodeVideoQuestion(tokenizer, { question, answer, videoTokens: model.mergedTokens(pv.grid), temporalGroups: pv.grid.t });
    const { shape, inputs } = model.feeds([{ ...video, inputIds: e.inputIds }]);
    const graph = model.graph(shape);
    const feeds: Record<string, ArrayLike<number>> = {};
    for (const [k, v] of Object.entries(inputs)) feeds[k] = Array.from(v as ArrayLike<number | bigint>, Number);
    for (const [k, p] of model.params) feeds[k] = p.data;
    const logits = interpret(graph, feeds, { logits: graph.outputs.get('logits')! }).logits!.data;
    const V = model.config.vocab_size;
    const answerIds = tokenizer.encode(answer);
    let expected = 0;
    answerIds.forEach((id, k) => {
      const row = Array.from(logits.subarray((e.spans.lastToken + k) * V, (e.spans.lastToken + k + 1) * V));
      const max = Math.max(...row);
      expected += row[id]! - max - Math.log(row.reduce((s, l) => s + Math.exp(l - max), 0));
    });
    assert.ok(Math.abs(got[c]! - expected) < 1e-4 * Math.max(1, Math.abs(expected)), `${answer}: ${got[c]} vs ${expected}`);
  });
});

test('likelihood scoring answers closed questions with their most likely candidate; captioning is still generated', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-ll-'));
  await synthesizeDataset(path.join(root, 'data'), { train: 2, val: 2, test: 8, frames: 4, size: 16, seed: 4 });
  const dataset = openDataset(path.join(root, 'data'));
  const questions = dataset.questions('test');
  const model = wordModel(63);
  const predictions = await answerQuestions(model, dataset, questions, { scoring: 'likelihood', maxNewTokens: 4 });
  let closed = 0;
  predictions.forEach((p, i) => {
    const candidates = answerCandidates(questions[i]!);
    if (!candidates) {
      assert.equal(questions[i]!.format, 'captioning');
      assert.equal(p.optionLogLikelihoods, undefined);
      return;
    }
    closed++;
    const scores = p.optionLogLikelihoods!;
    assert.equal(scores.length, candidates.length);
    assert.equal(p.prediction, candidates[scores.indexOf(Math.max(...scores))]);
    assert.ok(scores.every((s) => s < 0 && Number.isFinite(s)));
  });
  assert.ok(closed > 0);
  assert.deepEqual(answerCandidates({ format: 'multi_choice', answer: 'B. fast', options: ['slow', 'fast'] }), ['A. slow', 'B. fast']);
  assert.deepEqual(answerCandidates({ format: 'multi_choice', answer: 'fast', options: ['slow', 'fast'] }), ['slow', 'fast']);
  assert.equal(answerCandidates({ format: 'multi_choice', answer: 'B. fast' }), null, 'no option list: generated');

  // From the CLI: eval --scoring likelihood, and ask --options answering only among the options.
  const modelDir = path.join(root, 'model');
  await saveVideoLM(model, modelDir);
  const run = (...args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  const evaluated = run('eval', '--model', modelDir, '--data', path.join(root, 'data'), '--limit', '8', '--scoring', 'likelihood', '--out', path.join(root, 'eval'));
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const lines = (await fs.readFile(path.join(root, 'eval', 'predictions.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => Array.isArray(l.optionLogLikelihoods)));
  assert.match(run('eval', '--model', modelDir, '--data', path.join(root, 'data'), '--scoring', 'judge').stderr, /--scoring must be one of generate, likelihood; got 'judge'/);
  const clip = path.join(root, 'clip.mp4');
  execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=32x32:rate=8', '-pix_fmt', 'yuv420p', clip]);
  const asked = run('ask', '--model', modelDir, '--video', clip, '--frames', '4', '--size', '16', '--options', 'from left to right', 'from right to left', '--', 'which direction does the circle move?');
  assert.equal(asked.status, 0, asked.stderr);
  assert.ok(['from left to right', 'from right to left'].includes(asked.stdout.trim()), asked.stdout);
  assert.equal(asked.stderr.match(/log P\(/g)?.length, 2);
  const byFps = run('ask', '--model', modelDir, '--video', clip, '--fps', '4', '--size', '16', '--max-tokens', '2', 'does the circle move?');
  assert.equal(byFps.status, 0, byFps.stderr);
  await fs.rm(root, { recursive: true });
});
