import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/engine/random.js';
import { TempolabError } from '../../src/engine/errors.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { inspectClip, probeClip } from '../../src/probe/clip.js';
import { interFrame, reverseFrames } from '../../src/probe/interventions.js';

const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 7, tokenizer);
const rng = new Random(3);
const video = { frames: Uint8Array.from({ length: 4 * 16 * 16 * 3 }, () => rng.int(256)), count: 4, height: 16, width: 16 };
const clip = { video, question: 'is the red circle moving left ?\nplease answer yes or no:', answer: 'yes' };

test('probeClip: P_C with both distributions in one call; an identity intervention gives exactly 0', async () => {
  const none = await probeClip(model, clip, [reverseFrames(), reverseFrames()]);
  assert.equal(none.pc, 0);
  assert.deepEqual(none.intervened.distribution, none.baseline.distribution);
  const sum = none.baseline.distribution.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9);
  assert.equal(none.answerToken, tokenizer.encode('yes')[0]);
  const knocked = await probeClip(model, clip, [interFrame({ layers: 'all' })]);
  assert.equal(knocked.pc, knocked.intervened.probability - knocked.baseline.probability);
  assert.equal(knocked.baseline.probability, none.baseline.probability);
  assert.notEqual(knocked.pc, 0);
  await assert.rejects(probeClip(model, { ...clip, answer: '' }, []), TempolabError);
});

test('inspectClip: hidden states start at the token embeddings; an inter-frame knockout zeroes those attention weights', async () => {
  const run = await inspectClip(model, clip, { interventions: [interFrame({ layers: [1] })] });
  const hidden = model.config.hidden_size;
  const embed = model.params.get('model.embed_tokens.weight')!.data as Float32Array;
  // Layer 0 of hidden_states is the input embedding: for text token s, row inputIds[s] of embed_tokens.
  const h0 = run.layer('hidden_states', 0).data;
  for (const s of [0, run.spans.lastToken]) {
    const id = run.inputIds[s]!;
    assert.deepEqual(h0.subarray(s * hidden, (s + 1) * hidden), embed.subarray(id * hidden, (id + 1) * hidden));
  }
  const att1 = run.layer('attentions', 1);
  const seq = run.inputIds.length;
  assert.equal(att1.dims.at(-1), seq);
  const heads = att1.dims.at(-3)!;
  const [f0, f1] = run.spans.frames;
  for (let h = 0; h < heads; h++) {
    const rowSum = (i: number) => Array.from({ length: seq }, (_, j) => att1.data[(h * seq + i) * seq + j]!).reduce((a, b) => a + b, 0);
    // A frame-1 token may not attend to frame-0 tokens in layer 1, but does in layer 0.
    const i = f1![0];
    let blocked = 0;
    for (let j = f0![0]; j < f0![1]; j++) blocked += att1.data[(h * seq + i) * seq + j]!;
    assert.equal(blocked, 0);
    assert.ok(Math.abs(rowSum(i) - 1) < 1e-5);
    const att0 = run.layer('attentions', 0).data;
    let open = 0;
    for (let j = f0![0]; j < f0![1]; j++) open += att0[(h * seq + i) * seq + j]!;
    assert.ok(open > 0);
  }
  assert.throws(() => run.layer('vision_hidden_states', 0), TempolabError);
});
