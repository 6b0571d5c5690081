import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import ort from 'onnxruntime-node';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { Random } from '../../src/engine/random.js';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { exportOnnx } from '../../src/models/onnxExport.js';
import { ropeIndex } from '../../src/models/positionIds.js';
import { videoToPixelValues } from '../../src/models/processor.js';
import { encodeVideoQuestion } from '../../src/models/prompt.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tempolab-onnx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('export --onnx: standalone vision encoder, prefill and decode step reproduce the model in onnxruntime', async () => {
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const model = addTemporalAttention(createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 4, tokenizer), { proj_init: 'normal', seed: 1 });
  const cfg = model.config;
  const seq = 48;
  const summary = await exportOnnx(model, dir, { frames: 4, size: 16, seq, maxNewTokens: 4 });
  assert.deepEqual(summary.files, ['vision_encoder.onnx', 'prefill.onnx', 'decode_step.onnx', 'onnx.json']);
  const rng = new Random(2);
  const frames = Uint8Array.from({ length: 4 * 16 * 16 * 3 }, () => rng.int(256));
  const pv = videoToPixelValues(frames, 4, 16, 16, cfg.vision_config);
  const prompt = encodeVideoQuestion(tokenizer, { question: 'does the red circle move left ?', videoTokens: model.mergedTokens(pv.grid), temporalGroups: pv.grid.t });
  const length = prompt.inputIds.length;
  // Right-pad to the exported length; causal attention keeps the padding out of earlier positions.
  const padded = [...prompt.inputIds, ...new Array(seq - length).fill(tokenizer.special.imEnd)];
  const reference = await model.forward({ inputIds: prompt.inputIds, pixelValuesVideos: pv.data, videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w] }, ['logits', 'video_embeds']);

  const session = (file: string) => ort.InferenceSession.create(readFileSync(path.join(dir, file)));
  const tensor = (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: number[]) => new ort.Tensor(type, data, dims);
  const pixels = tensor('float32', pv.data, [1, pv.data.length / (3 * 2 * 16), 3 * 2 * 16]);

  const vision = await (await session('vision_encoder.onnx')).run({ pixel_values_videos: pixels });
  const embeds = vision.video_embeds!.data as Float32Array;
  embeds.forEach((x, i) => assert.ok(Math.abs(x - reference.videoEmbeds[i]!) < 1e-5));

  // Prefill inputs built by hand from onnx.json's description.
  let k = 0;
  const embedIndex = BigInt64Array.from(padded, (id, s) => BigInt(id === cfg.video_token_id ? seq + k++ : s));
  const ids = ropeIndex(padded, cfg.video_token_id, { t: pv.grid.t, h: pv.grid.h / 2, w: pv.grid.w / 2 });
  const L = cfg.num_hidden_layers;
  const positions = new BigInt64Array(L * 3 * seq);
  for (let l = 0; l < L; l++) ids.forEach((row, r) => row.forEach((p, s) => (positions[(l * 3 + r) * seq + s] = BigInt(p))));
  const prefill = await (await session('prefill.onnx')).run({
    input_ids: tensor('int64', BigInt64Array.from(padded, BigInt), [1, seq]), embed_index: tensor('int64', embedIndex, [1, seq]),
    position_ids: tensor('int64', positions, [L, 1, 3, seq]), pixel_values_videos: pixels,
  });
  const V = cfg.vocab_size;
  const logits = prefill.logits!.data as Float32Array;
  for (let i = 0; i < length * V; i++) assert.ok(Math.abs(logits[i]! - reference.logits[i]!) < 1e-4, `prefill logit ${i}`);

  // One decode step after the prompt equals the full forward over prompt + that token.
  const next = tokenizer.encode('yes')[0]!;
  const longer = [...prompt.inputIds, next];
  const full = await model.forward({ inputIds: longer, pixelValuesVideos: pv.data, videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w] }, ['logits']);
  const capacity = summary.capacity;
  const kv = cfg.num_key_value_heads;
  const hd = cfg.hidden_size / cfg.num_attention_heads;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: tensor('int64', BigInt64Array.of(BigInt(next)), [1, 1]),
    position_ids: tensor('int64', BigInt64Array.from(ropeIndex(longer, cfg.video_token_id, { t: pv.grid.t, h: pv.grid.h / 2, w: pv.grid.w / 2 }).map((row) => BigInt(row[length]!))), [1, 3, 1]),
  };
  for (let l = 0; l < L; l++) {
    for (const which of ['keys', 'values'] as const) {
      const present = prefill[`present_${which}`]!.data as Float32Array;
      const cache = new Float32Array(kv * capacity * hd);
      for (let h = 0; h < kv; h++) for (let s = 0; s < length; s++) cache.set(present.subarray(((l * kv + h) * seq + s) * hd, ((l * kv + h) * seq + s + 1) * hd), (h * capacity + s) * hd);
      feeds[`past_${which}.${l}`] = tensor('float32', cache, [1, kv, capacity, hd]);
    }
    const mask = new Float32Array(capacity + 1).fill(-Infinity);
    mask.fill(0, 0, length);
    mask[capacity] = 0;
    feeds[`decoder_mask.${l}`] = tensor('float32', mask, [1, capacity + 1]);
  }
  const step = await (await session('decode_step.onnx')).run(feeds);
  const stepLogits = step.logits!.data as Float32Array;
  for (let i = 0; i < V; i++) assert.ok(Math.abs(stepLogits[i]! - full.logits[length * V + i]!) < 1e-4, `decode logit ${i}`);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'onnx.json'), 'utf8'));
  assert.equal(manifest.video_tokens, model.mergedTokens(pv.grid));
});
