import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { ropeIndex } from '../../src/models/positionIds.js';
import { generate } from '../../src/models/generate.js';
import { relativeError } from '../engine/helpers.js';
import { interpretRequest, perturb, request, SPECIAL, tinyModel, VOCAB } from './helpers.js';

function withSta(seed: number, tokenOrder: 'paper' | 'staveq2' = 'paper') {
  const sta = addTemporalAttention(tinyModel(seed), { seed, token_order: tokenOrder });
  perturb(sta, seed + 1, (n) => n.includes('temp_attn') || n.includes('norm3'));
  return sta;
}

test('onnxruntime matches the float64 interpreter: VideoLM tiny without STA', async () => {
  const model = tinyModel(1);
  const req = request(model);
  const ref = interpretRequest(model, req, ['logits', 'video_embeds']);
  const out = await model.forward(req);
  assert.ok(relativeError(out.videoEmbeds, ref.video_embeds!.data) < 1e-5);
  assert.ok(relativeError(out.logits, ref.logits!.data) < 1e-5);
});

for (const order of ['paper', 'staveq2'] as const) {
  test(`onnxruntime matches the float64 interpreter: VideoLM tiny with STA (${order} token order)`, async () => {
    const model = withSta(2, order);
    const req = request(model);
    const ref = interpretRequest(model, req, ['logits', 'video_embeds']);
    const out = await model.forward(req);
    assert.ok(relativeError(out.videoEmbeds, ref.video_embeds!.data) < 1e-5);
    assert.ok(relativeError(out.logits, ref.logits!.data) < 1e-5);
  });
}

test('a zero-initialised STA leaves video embeddings and logits bit-identical', async () => {
  const base = tinyModel(3);
  const sta = addTemporalAttention(base, { seed: 5 });
  assert.equal(sta.config.vision_config.temporal_attention?.layers, 'all');
  assert.deepEqual(sta.params.get('visual.blocks.0.temp_attn.qkv.weight')!.shape, [3 * 1 * 8, 32], '0.25 × 4 heads = 1 head of head_dim 8');
  const req = request(base);
  const a = await base.forward(req);
  const b = await sta.forward(req);
  assert.deepEqual(b.videoEmbeds, a.videoEmbeds);
  assert.deepEqual(b.logits, a.logits);
  // …and the STA branch is really there: a non-zero proj changes the output.
  perturb(sta, 9, (n) => n.includes('temp_attn.proj'));
  assert.notDeepEqual((await sta.forward(req)).logits, a.logits);
});

const T = 2, N = 16, C = 32;
/** Vision hidden states after the last block, [T][N][C] for batch 0. */
async function visionFeatures(model: ReturnType<typeof tinyModel>, req: ReturnType<typeof request>, spatialKnockout = false) {
  const depth = model.config.vision_config.depth;
  const mask = new Float32Array(depth * N * N);
  if (spatialKnockout) for (let l = 0; l < depth; l++) for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) if (i !== j) mask[(l * N + i) * N + j] = -Infinity;
  const out = await model.forward({ ...req, visionSpatialMask: mask }, ['vision_hidden_states']);
  const all = out.extra.vision_hidden_states!.data as Float32Array;
  return all.subarray(depth * T * N * C);
}
const patchRow = (f: Float32Array, t: number, n: number) => Array.from(f.subarray((t * N + n) * C, (t * N + n + 1) * C));

test('with spatial attention knocked out, STA mixes only the same patch position across frames', async () => {
  const model = withSta(4);
  const req = request(model);
  const perturbed = { ...req, pixelValuesVideos: req.pixelValuesVideos.slice() };
  const rowSize = perturbed.pixelValuesVideos.length / (T * N);
  const n0 = 5;
  for (let k = 0; k < rowSize; k++) perturbed.pixelValuesVideos[n0 * rowSize + k]! += 1; // frame 0, patch 5
  const a = await visionFeatures(model, req, true);
  const b = await visionFeatures(model, perturbed, true);
  for (let t = 0; t < T; t++)
    for (let n = 0; n < N; n++) {
      const changed = patchRow(a, t, n).some((v, i) => v !== patchRow(b, t, n)[i]);
      assert.equal(changed, n === n0, `frame ${t} patch ${n}: ${changed ? 'changed' : 'unchanged'}`);
    }
});

test('spatial attention never mixes frames (no STA)', async () => {
  const model = tinyModel(5);
  const req = request(model);
  const perturbed = { ...req, pixelValuesVideos: req.pixelValuesVideos.slice() };
  for (let k = 0; k < perturbed.pixelValuesVideos.length / 2; k++) perturbed.pixelValuesVideos[k]! += 0.5; // all of frame 0
  const a = await visionFeatures(model, req);
  const b = await visionFeatures(model, perturbed);
  assert.deepEqual(Array.from(b.subarray(N * C)), Array.from(a.subarray(N * C)), 'frame 1 must not change');
  assert.notDeepEqual(Array.from(b.subarray(0, N * C)), Array.from(a.subarray(0, N * C)));
});

test('reversing the temporal groups only permutes vision features without STA, but changes them with STA', async () => {
  const reverseGroups = (pv: Float32Array) => {
    const half = pv.length / 2;
    const out = new Float32Array(pv.length);
    out.set(pv.subarray(half), 0);
    out.set(pv.subarray(0, half), half);
    return out;
  };
  const merged = 8, hidden = 32;
  const groupsSwapped = (e: Float32Array) => [...e.subarray((merged / 2) * hidden), ...e.subarray(0, (merged / 2) * hidden)];
  for (const [label, model, expectPermutation] of [['no STA', tinyModel(6), true], ['STA', withSta(6), false]] as const) {
    const req = request(model);
    const a = await model.forward(req);
    const b = await model.forward({ ...req, pixelValuesVideos: reverseGroups(req.pixelValuesVideos) });
    const isPermutation = groupsSwapped(a.videoEmbeds).every((v, i) => v === b.videoEmbeds[i]);
    assert.equal(isPermutation, expectPermutation, label);
  }
});

test('position ids for a hand-worked prompt (text, 2×2×2 merged video, text)', () => {
  const V = SPECIAL.videoPad;
  const ids = ropeIndex([6, 7, 2, V, V, V, V, V, V, V, V, 3, 8, 9], V, { t: 2, h: 2, w: 2 });
  assert.deepEqual(ids, [
    [0, 1, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 6, 7],
    [0, 1, 2, 3, 3, 4, 4, 3, 3, 4, 4, 5, 6, 7],
    [0, 1, 2, 3, 4, 3, 4, 3, 4, 3, 4, 5, 6, 7],
  ]);
});

test('KV-cache decoding gives the same logits as recomputing the full sequence', async () => {
  const model = withSta(7);
  const req = request(model);
  const gen = await generate(model, req, { maxNewTokens: 4, stopTokens: [] });
  assert.equal(gen.tokens.length, 4);
  const full = [...req.inputIds as number[], ...gen.tokens];
  const recomputed = await model.forward({ ...req, inputIds: full });
  const seq = (req.inputIds as number[]).length;
  gen.stepLogits.forEach((logits, step) => {
    const ref = recomputed.logits.subarray((seq - 1 + step) * VOCAB, (seq + step) * VOCAB);
    assert.ok(relativeError(logits, Float64Array.from(ref)) < 1e-5, `step ${step}`);
  });
});

test('forward rejects a prompt whose video token count does not match the grid', async () => {
  const model = tinyModel(8);
  const req = request(model);
  await assert.rejects(model.forward({ ...req, inputIds: (req.inputIds as number[]).filter((_, i) => i !== 4) }), /the prompt has 7 video tokens but a 2×4×4 grid merges into 8/);
  await assert.rejects(model.forward({ ...req, inputIds: [99, ...(req.inputIds as number[]).slice(1)] }), /token id 99 at position 0 is outside the vocabulary \[0, 16\)/);
});
