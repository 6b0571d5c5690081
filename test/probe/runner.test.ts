import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { ropeIndex } from '../../src/models/positionIds.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { compileInterventions, baselineInputs } from '../../src/probe/compile.js';
import type { ProbeContext } from '../../src/probe/context.js';
import { experiment } from '../../src/probe/experiments.js';
import { knockout } from '../../src/probe/interventions.js';
import { experimentQuestions, runExperiment } from '../../src/probe/runner.js';
import { perturb, request, SPECIAL, tinyConfig, tinyModel } from '../models/helpers.js';

/** The layout of helpers.request(): [6 7 <vs> v×8 <ve> 8 9 10], 2 temporal groups of 2×2 merged tokens. */
function contextFor(ids: number[], layers: number): ProbeContext {
  return {
    spans: { length: 15, instruction: [0, 2], visionStart: 2, frames: [[3, 7], [7, 11]], visionEnd: 11, query: [12, 14], suffix: [14, 15], lastToken: 14, answer: null },
    numLayers: layers,
    positionIds: ropeIndex(ids, SPECIAL.videoPad, { t: 2, h: 2, w: 2 }),
    mergedGrid: { t: 2, h: 2, w: 2 },
    rawFrames: 4,
  };
}

test('a knockout whose source set is empty changes nothing (bit-identical logits)', async () => {
  const model = tinyModel(31);
  const req = request(model);
  const ctx = contextFor(req.inputIds as number[], 2);
  const plain = await model.forward(req);
  for (const inputs of [baselineInputs(ctx), compileInterventions([knockout({ layers: 'all', targets: 'lastToken', sources: { tokens: [] } })], ctx)]) {
    const out = await model.forward({ ...req, decoderMask: inputs.decoderMask, decoderRope: inputs.decoderRope, positionIds: inputs.positionIds });
    assert.deepEqual(out.logits, plain.logits);
  }
});

test('knocking out every source but the token itself, on a 1-layer model, equals the hand-computed attention-free result', async () => {
  const config = { ...tinyConfig(), num_hidden_layers: 1 };
  const model = createVideoLM(config, 32);
  perturb(model, 33);
  const req = request(model);
  const ids = req.inputIds as number[];
  const everyone = ids.map((_, i) => i);
  const selfOnly = everyone.map((i) => knockout({ layers: [0], targets: { tokens: [i] }, sources: { tokens: everyone.filter((j) => j !== i) } }));
  const inputs = compileInterventions(selfOnly, contextFor(ids, 1));
  const out = await model.forward({ ...req, decoderMask: inputs.decoderMask }, ['logits', 'video_embeds']);

  // By hand: a token that attends only to itself gets softmax weight 1 on its own value, so the layer
  // is x + o_proj(v_proj(RMSNorm(x))) (each query head reading its KV group's value), then the MLP.
  const P = (n: string) => model.params.get(n)!.data;
  const D = config.hidden_size, hd = D / config.num_attention_heads, kv = config.num_key_value_heads, groups = config.num_attention_heads / kv, I = config.intermediate_size, V = config.vocab_size;
  const rms = (x: number[], w: Float32Array) => { const r = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length + config.rms_norm_eps); return x.map((v, i) => (v / r) * w[i]!); };
  const linear = (x: number[], w: Float32Array, rows: number, b?: Float32Array) => Array.from({ length: rows }, (_, o) => x.reduce((s, v, i) => s + v * w[o * x.length + i]!, b ? b[o]! : 0));
  let video = 0;
  for (const [s, id] of ids.entries()) {
    const x = id === SPECIAL.videoPad ? Array.from(out.videoEmbeds.subarray(video * D, ++video * D)) : Array.from(P('model.embed_tokens.weight').subarray(id * D, (id + 1) * D));
    const v = linear(rms(x, P('model.layers.0.input_layernorm.weight')), P('model.layers.0.self_attn.v_proj.weight'), kv * hd, P('model.layers.0.self_attn.v_proj.bias'));
    const heads = Array.from({ length: config.num_attention_heads }, (_, h) => v.slice(Math.floor(h / groups) * hd, (Math.floor(h / groups) + 1) * hd)).flat();
    const x1 = linear(heads, P('model.layers.0.self_attn.o_proj.weight'), D).map((a, i) => a + x[i]!);
    const h2 = rms(x1, P('model.layers.0.post_attention_layernorm.weight'));
    const gate = linear(h2, P('model.layers.0.mlp.gate_proj.weight'), I).map((g) => g / (1 + Math.exp(-g)));
    const up = linear(h2, P('model.layers.0.mlp.up_proj.weight'), I);
    const x2 = linear(gate.map((g, i) => g * up[i]!), P('model.layers.0.mlp.down_proj.weight'), D).map((a, i) => a + x1[i]!);
    const logits = linear(rms(x2, P('model.norm.weight')), P('model.embed_tokens.weight'), V); // tiny ties lm_head to the embedding
    const got = out.logits.subarray(s * V, (s + 1) * V);
    logits.forEach((l, k) => assert.ok(Math.abs(got[k]! - l) < 1e-4 * Math.max(1, Math.abs(l)), `token ${s} logit ${k}: ${got[k]} vs ${l}`));
  }
});

test('experiments run on a model: one row per question and condition, probabilities in (0, 1], P̃ = P where nothing changes', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-probe-'));
  const dataDir = path.join(root, 'data');
  await synthesizeDataset(dataDir, { train: 2, val: 2, test: 4, frames: 4, size: 16, seed: 5 });
  const dataset = openDataset(dataDir);
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 7, tokenizer);
  for (const name of ['pe-ablation', 'final-token-knockout', 'reverse', 'reversed-attribution', 'position-shuffle'] as const) {
    const exp = experiment(name, { numLayers: 2, numFrames: 2 }, { k: 1 });
    const questions = experimentQuestions(exp, dataset, dataset.questions('test')).slice(0, 3);
    assert.ok(questions.length > 0, `${name} found questions`);
    const rows = await runExperiment(model, dataset, exp, questions);
    assert.equal(rows.length, questions.length * exp.conditions.length, name);
    for (const r of rows) assert.ok(r.baseline > 0 && r.baseline <= 1 && r.intervened > 0 && r.intervened <= 1, `${name}: ${JSON.stringify(r)}`);
  }
  const same = experiment('pe-ablation', { numLayers: 2, numFrames: 2 });
  const q = dataset.questions('test').slice(0, 1);
  const rows = await runExperiment(model, dataset, { ...same, conditions: [{ ...same.conditions[0]!, interventions: [] }] }, q);
  assert.equal(rows[0]!.intervened, rows[0]!.baseline);
  await fs.rm(root, { recursive: true });
});

test('with RoPE off in every decoder layer, reversePE changes nothing (bit-identical); reversing frames twice is the identity', async () => {
  const { reversePE, reverseFrames, ablatePE } = await import('../../src/probe/interventions.js');
  const model = tinyModel(41);
  const req = request(model);
  const ctx = contextFor(req.inputIds as number[], 2);
  const run = async (interventions: Parameters<typeof compileInterventions>[0]) => {
    const inputs = compileInterventions(interventions, ctx);
    return (await model.forward({ ...req, decoderMask: inputs.decoderMask, decoderRope: inputs.decoderRope, positionIds: inputs.positionIds, layerPositionIds: inputs.layerPositionIds })).logits;
  };
  const noRope = ablatePE({ layers: 'all' });
  assert.deepEqual(await run([noRope, reversePE()]), await run([noRope]));
  assert.notDeepEqual(await run([reversePE()]), await run([]), 'with RoPE on, reversing position ids does change the logits');
  assert.deepEqual(compileInterventions([reverseFrames(), reverseFrames()], ctx), compileInterventions([], ctx));
});
