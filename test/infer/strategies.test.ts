import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpret } from '../../src/engine/interpreter.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { decode, prefillBatch } from '../../src/models/generate.js';
import type { PromptSpans } from '../../src/models/spans.js';
import { causalDecoderMask, type ForwardRequest, type VideoLM } from '../../src/models/videoLM.js';
import { kvCacheBytes, prefillFlops, strategicPrefill } from '../../src/infer/prefill.js';
import { traceStrategicPrefill } from '../../src/infer/prefillGraph.js';
import { parseStrategies, type Strategies } from '../../src/infer/strategies.js';
import { layoutOf } from '../../src/infer/layout.js';
import { relativeError } from '../engine/helpers.js';
import { perturb, request, tinyConfig, tinyQwen25Config, VOCAB } from '../models/helpers.js';

const LAYERS = 4;
/** helpers.request(): [6 7 <vs> v×8 <ve> 8 9 10]: frames at 3–6 and 7–10, 4 tokens each. */
const SPANS: PromptSpans = { length: 15, instruction: [0, 2], visionStart: 2, frames: [[3, 7], [7, 11]], visionEnd: 11, query: [12, 14], suffix: [14, 15], lastToken: 14, answer: null };
const [V0, V1, N, S] = [3, 11, 4, 15];

function model4(base = tinyConfig()): VideoLM {
  const m = createVideoLM({ ...base, num_hidden_layers: LAYERS }, 51);
  perturb(m, 52);
  return m;
}

/** Last-token logits of the strategy graph, in float64. */
function strategicLogits64(m: VideoLM, req: ForwardRequest, s: Strategies): Float64Array {
  const graph = traceStrategicPrefill(m.config, { t: 2, h: 4, w: 4 }, layoutOf(SPANS), s);
  return interpret(graph, feeds64(m, req), { logits: graph.outputs.get('logits')! }).logits!.data;
}

/** Last-token logits of the ordinary VideoLM graph with an explicit mask per layer, in float64. */
function maskedLogits64(m: VideoLM, req: ForwardRequest, blocked: (layer: number, row: number, col: number) => boolean): Float64Array {
  const mask = causalDecoderMask(LAYERS, S);
  for (let l = 0; l < LAYERS; l++) for (let i = 0; i < S; i++) for (let j = 0; j <= i; j++) if (blocked(l, i, j)) mask[(l * S + i) * S + j] = -Infinity;
  const graph = m.graph(m.feeds([req]).shape);
  const all = interpret(graph, { ...feeds64(m, req), decoder_mask: mask }, { logits: graph.outputs.get('logits')! }).logits!.data;
  return all.slice((S - 1) * VOCAB, S * VOCAB);
}

function feeds64(m: VideoLM, req: ForwardRequest): Record<string, ArrayLike<number>> {
  const out: Record<string, ArrayLike<number>> = {};
  for (const [k, v] of Object.entries(m.feeds([req]).inputs)) out[k] = Array.from(v as ArrayLike<number | bigint>, Number);
  for (const [k, p] of m.params) out[k] = p.data;
  return out;
}

const frameOf = (p: number) => (p >= V0 && p < V1 ? Math.floor((p - V0) / N) : -1);

for (const [kind, configOf] of [['Qwen2-VL', tinyConfig], ['Qwen2.5-VL', () => tinyQwen25Config()]] as const) {
  test(`${kind}: strategy 2 (per-frame blocks) equals masked full attention with the block-diagonal mask (float64)`, () => {
    const m = model4(configOf());
    const req = request(m);
    const s: Strategies = { noInterFrame: [1, 4] };
    const expected = maskedLogits64(m, req, (l, i, j) => l >= 1 && frameOf(i) >= 0 && frameOf(j) >= 0 && frameOf(j) !== frameOf(i));
    assert.ok(relativeError(strategicLogits64(m, req, s), expected) < 1e-10);
  });

  test(`${kind}: strategy 1 (query → last frame on a gathered key subset) equals masked full attention (float64)`, () => {
    const m = model4(configOf());
    const req = request(m);
    const expected = maskedLogits64(m, req, (l, i, j) => l >= 1 && l < 3 && i >= V1 && frameOf(j) === 0);
    assert.ok(relativeError(strategicLogits64(m, req, { sparseQuery: [1, 3] }), expected) < 1e-10);
  });

  test(`${kind}: strategy 3 (temporal exit) equals hiding the frames from later tokens in the exited layers (float64)`, () => {
    const m = model4(configOf());
    const req = request(m);
    const expected = maskedLogits64(m, req, (l, i, j) => l >= 2 && i >= V1 && frameOf(j) >= 0);
    assert.ok(relativeError(strategicLogits64(m, req, { exitAt: 2 }), expected) < 1e-10);
  });

  test(`${kind}: temporal exit at L = number of layers equals the baseline bit for bit; the baseline matches the ordinary prefill`, async () => {
    const m = model4(configOf());
    const req = request(m);
    const base = await strategicPrefill(m, req, SPANS, {});
    const exitAtEnd = await strategicPrefill(m, req, SPANS, { exitAt: LAYERS });
    assert.deepEqual(exitAtEnd.logits, base.logits);
    exitAtEnd.keys.forEach((k, l) => assert.deepEqual(k, base.keys[l]));
    const ordinary = (await prefillBatch(m, [req]))[0]!;
    assert.ok(relativeError(base.logits, Float64Array.from(ordinary.logits)) < 1e-5);
    base.keys.forEach((k, l) => assert.ok(relativeError(k, Float64Array.from(ordinary.keys[l]!)) < 1e-5, `layer ${l} keys`));
  });
}

test('with an early temporal exit, the KV cache of layers ≥ L holds no frame tokens (sizes checked), and decoding runs on it', async () => {
  const m = model4();
  const req = request(m);
  const kvHeads = m.config.num_key_value_heads, hd = m.config.hidden_size / m.config.num_attention_heads;
  const exited = await strategicPrefill(m, req, SPANS, { exitAt: 1 });
  assert.deepEqual(exited.cachedLengths, [S, S - 8, S - 8, S - 8]);
  exited.keys.forEach((k, l) => assert.equal(k.length, kvHeads * exited.cachedLengths[l]! * hd));
  const base = await strategicPrefill(m, req, SPANS, {});
  assert.equal(kvCacheBytes(m, base) - kvCacheBytes(m, exited), 3 * 8 * 2 * kvHeads * hd * 4);
  const sparse = await strategicPrefill(m, req, SPANS, { sparseQuery: [2, 4] });
  assert.deepEqual(sparse.cachedLengths, [S, S, S - 4, S - 4], 'sparse-q layers keep only the last frame');
  const generation = await decode(m, exited, { maxNewTokens: 3, stopTokens: [] });
  assert.equal(generation.tokens.length, 3);
  assert.ok((await prefillFlops(m, req, SPANS, { exitAt: 1 })) < (await prefillFlops(m, req, SPANS, {})));
});

test('strategy specs scale with depth and reject malformed input with one line', () => {
  assert.deepEqual(parseStrategies('exit@0.7,sparse-q@0.35-0.7,no-interframe@0.7-1', 28), { exitAt: 20, sparseQuery: [10, 20], noInterFrame: [20, 28] });
  assert.deepEqual(parseStrategies('sparse-q@0.35-0.7', 4), { sparseQuery: [1, 3] });
  assert.throws(() => parseStrategies('exit@1.5', 4), /--strategy 'exit@1.5' is not understood; comma-separated: exit@F/);
  assert.throws(() => parseStrategies('fast', 4), /not understood/);
});
