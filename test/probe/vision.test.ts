import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/engine/random.js';
import { TempolabError } from '../../src/engine/errors.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { inspectClip, PreparedClip, probeClip } from '../../src/probe/clip.js';
import { compileInterventions } from '../../src/probe/compile.js';
import { ablateTemporalPE, staOff, temporalKnockout } from '../../src/probe/interventions.js';

const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
const base = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 5, tokenizer);
// proj N(0, 0.02) instead of zero, so STA changes the output and switching it off is visible.
const stave = addTemporalAttention(base, { proj_init: 'normal', seed: 2 });
const rng = new Random(9);
const frames = Uint8Array.from({ length: 4 * 16 * 16 * 3 }, () => rng.int(256));
const clip = (f: Uint8Array) => ({ video: { frames: f, count: 4, height: 16, width: 16 }, question: 'does the red circle move left ?\nplease answer yes or no:', answer: 'yes' });

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)), `index ${i}: ${a[i]} vs ${b[i]}`);
};

test('staOff in every STA block gives the model without STA; in one block it changes the output', async () => {
  const without = await inspectClip(base, clip(frames), { outputs: ['logits'] });
  const off = await inspectClip(stave, clip(frames), { interventions: [staOff()], outputs: ['logits'] });
  const on = await inspectClip(stave, clip(frames), { outputs: ['logits'] });
  close(off.logits, without.logits, 1e-5);
  assert.ok(on.logits.some((v, i) => Math.abs(v - without.logits[i]!) > 1e-4), 'STA with a random proj changes the logits');
  const r = await probeClip(stave, clip(frames), [staOff({ blocks: [1] })]);
  assert.notEqual(r.pc, 0);
});

test('temporalKnockout: no information crosses frames, so changing a later frame leaves frame 0\'s vision states unchanged', async () => {
  const changed = frames.slice();
  // Raw frames 2 and 3 form temporal group 1; group 0 (frames 0 and 1) is untouched.
  for (let i = 2 * 16 * 16 * 3; i < changed.length; i++) changed[i] = 255 - changed[i]!;
  const group0 = async (f: Uint8Array, interventions: Parameters<typeof compileInterventions>[0]) => {
    const run = await inspectClip(stave, clip(f), { interventions, outputs: ['vision_hidden_states'] });
    const last = run.layer('vision_hidden_states', stave.config.vision_config.depth).data;
    return last.subarray(0, last.length / 2);
  };
  close(await group0(changed, [temporalKnockout()]), await group0(frames, [temporalKnockout()]), 1e-5);
  const a = await group0(changed, []);
  const b = await group0(frames, []);
  assert.ok(a.some((v, i) => Math.abs(v - b[i]!) > 1e-4), 'with STA attending across frames, group 0 does see group 1');
});

test('vision interventions compile to per-block gates, RoPE switches and diagonal masks, and are checked against the encoder', () => {
  const ctx = new PreparedClip(stave, clip(frames)).context;
  const inputs = compileInterventions([staOff({ blocks: [1] }), ablateTemporalPE({ blocks: [0] }), temporalKnockout({ blocks: [1] })], ctx);
  assert.deepEqual([...inputs.visionTemporalGate!], [1, 0]);
  assert.deepEqual([...inputs.visionTemporalRope!], [0, 1]);
  // 2 temporal groups: block 0 untouched, block 1 keeps only the diagonal.
  assert.deepEqual([...inputs.visionTemporalMask!], [0, 0, 0, 0, 0, -Infinity, -Infinity, 0]);
  assert.equal(compileInterventions([], ctx).visionTemporalGate, null);
  assert.throws(() => compileInterventions([staOff({ blocks: [2] })], ctx), (e: unknown) => e instanceof TempolabError && /vision block 2 is out of range: the encoder has 2 blocks/.test(e.message));
  const plainCtx = new PreparedClip(base, clip(frames)).context;
  assert.throws(() => compileInterventions([temporalKnockout()], plainCtx), (e: unknown) => e instanceof TempolabError && /no STA blocks/.test(e.message));
});
