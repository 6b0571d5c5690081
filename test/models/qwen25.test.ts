import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { serializeSafetensors } from '../../src/engine/safetensors.js';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { loadVideoLM, parameterSpecs, saveVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { generate } from '../../src/models/generate.js';
import { toHfConfig } from '../../src/models/hfConfig.js';
import { ropeIndex, temporalPositionScale } from '../../src/models/positionIds.js';
import { mergerWindowSize, patchWindows } from '../../src/models/visionWindows.js';
import { relativeError } from '../engine/helpers.js';
import { interpretRequest, perturb, request, SPECIAL, tinyModel, tinyQwen25Config, VOCAB } from './helpers.js';

const qwen25 = (seed: number, fullatt = [1], windowSize = 8) => tinyModel(seed, tinyQwen25Config(fullatt, windowSize));
function staveq25(seed: number) {
  const sta = addTemporalAttention(qwen25(seed), { seed });
  perturb(sta, seed + 1, (n) => n.includes('temp_attn') || n.includes('norm3'));
  return sta;
}

test('window partition, hand-worked: a 6×10 patch grid (3×5 merged units), windows of 2×2 units, partial at the edges', () => {
  // Merged units row-major; each unit's 4 patches are consecutive (merge-window order).
  const perUnit = [0, 0, 1, 1, 2, 0, 0, 1, 1, 2, 3, 3, 4, 4, 5];
  assert.deepEqual(patchWindows(6, 10, 2, 2), perUnit.flatMap((w) => [w, w, w, w]));
  assert.equal(mergerWindowSize(tinyQwen25Config([1], 112).vision_config), 14, '112 px / merge 2 / patch 4');
  assert.equal(mergerWindowSize(presetConfig('qwen2_5-vl-3b-shaped', 16, SPECIAL).vision_config), 4, "the released models' 112 px windows are 4×4 merged units");
});

/** transformers' get_window_index procedure for one frame: pad the merged grid with −100 to whole windows, cut, drop the padding. */
function hfWindowGroups(llmH: number, llmW: number, ws: number): number[][] {
  const padH = ws - (llmH % ws), padW = ws - (llmW % ws);
  const H = llmH + padH, W = llmW + padW;
  const padded = Array.from({ length: H }, (_, r) => Array.from({ length: W }, (_, c) => (r < llmH && c < llmW ? r * llmW + c : -100)));
  const groups: number[][] = [];
  for (let wr = 0; wr < H / ws; wr++)
    for (let wc = 0; wc < W / ws; wc++) {
      const g: number[] = [];
      for (let r = 0; r < ws; r++) for (let c = 0; c < ws; c++) g.push(padded[wr * ws + r]![wc * ws + c]!);
      const kept = g.filter((i) => i !== -100);
      if (kept.length) groups.push(kept);
    }
  return groups;
}

test('window partition equals the groups of transformers\' get_window_index procedure (several grids)', () => {
  for (const [h, w, ws] of [[6, 10, 2], [8, 8, 2], [4, 12, 4], [10, 6, 3], [2, 2, 1]] as const) {
    const windows = patchWindows(h, w, 2, ws);
    const unitWindow = Array.from({ length: (h / 2) * (w / 2) }, (_, u) => windows[u * 4]!);
    for (let u = 0; u < unitWindow.length; u++) assert.deepEqual(windows.slice(u * 4, u * 4 + 4), new Array(4).fill(unitWindow[u]), 'a merge unit never straddles windows');
    const ours = new Map<number, number[]>();
    unitWindow.forEach((win, u) => ours.set(win, [...(ours.get(win) ?? []), u]));
    assert.deepEqual([...ours.values()], hfWindowGroups(h / 2, w / 2, ws), `${h}×${w}, window ${ws}`);
  }
});

test('M-RoPE with absolute time: the get_rope_index example of transformers\' Qwen2.5-VL docs (fps 1, tokens_per_second 25 → step 50)', () => {
  const V = 9;
  const ids = ropeIndex([...new Array(12).fill(V), 1, 2, 3, 4, 5], V, { t: 3, h: 2, w: 2 }, 2 * 25);
  assert.deepEqual(ids[0], [0, 0, 0, 0, 50, 50, 50, 50, 100, 100, 100, 100, 101, 102, 103, 104, 105]);
  assert.deepEqual(ids[1], [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 101, 102, 103, 104, 105]);
  assert.deepEqual(ids[2], [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 101, 102, 103, 104, 105]);
  const v = tinyQwen25Config().vision_config;
  assert.equal(temporalPositionScale(v), 2, 'second_per_grid_t defaults to 1.0, × tokens_per_second 2');
  assert.equal(temporalPositionScale(v, 0.5), 1);
  assert.equal(temporalPositionScale(tinyModel(1).config.vision_config, 0.5), 1, 'Qwen2-VL: group index');
  assert.deepEqual(ropeIndex([V, V, 7], V, { t: 2, h: 1, w: 1 }, 0.75)[0], [0, 0, 1], '⌊1·0.75⌋ = 0, as transformers truncates with .long()');
});

test('onnxruntime matches the float64 interpreter: tiny Qwen2.5-VL, and with STA (STAVEQ2.5)', async () => {
  for (const model of [qwen25(21), staveq25(22)]) {
    const req = { ...request(model), secondPerGridT: 1.5 };
    const ref = interpretRequest(model, req, ['logits', 'video_embeds']);
    const out = await model.forward(req);
    assert.ok(relativeError(out.videoEmbeds, ref.video_embeds!.data) < 1e-5);
    assert.ok(relativeError(out.logits, ref.logits!.data) < 1e-5);
  }
  const names = [...staveq25(23).params.keys()];
  for (const n of ['visual.blocks.0.mlp.gate_proj.bias', 'visual.blocks.1.norm3.weight', 'visual.blocks.1.temp_attn.qkv.weight', 'visual.merger.ln_q.weight']) assert.ok(names.includes(n), n);
  assert.ok(!names.includes('visual.blocks.1.norm3.bias'), 'STA\'s norm is RMSNorm like the block\'s');
});

test('window attention: a changed patch reaches only its own window through windowed blocks, the whole frame through a full-attention block', async () => {
  const N = 16, C = 32, depth = 2;
  for (const [fullatt, reach] of [[[], 'window'], [[1], 'frame']] as const) {
    const model = qwen25(24, [...fullatt]);
    const req = request(model);
    const changed = { ...req, pixelValuesVideos: req.pixelValuesVideos.slice() };
    const row = changed.pixelValuesVideos.length / (2 * N);
    const patch = 5; // frame 0, merge unit 1 = window 1 (patches 4…7)
    for (let k = 0; k < row; k++) changed.pixelValuesVideos[patch * row + k]! += 1;
    const last = async (r: typeof req) => ((await model.forward(r, ['vision_hidden_states'])).extra.vision_hidden_states!.data as Float32Array).subarray(depth * 2 * N * C);
    const a = await last(req), b = await last(changed);
    for (let t = 0; t < 2; t++)
      for (let n = 0; n < N; n++) {
        const differs = Array.from(a.subarray((t * N + n) * C, (t * N + n + 1) * C)).some((v, i) => v !== b[(t * N + n) * C + i]);
        const expected = t === 0 && (reach === 'frame' || Math.floor(n / 4) === 1);
        assert.equal(differs, expected, `${reach}: frame ${t} patch ${n}`);
      }
  }
});

test('a zero-initialised STA on Qwen2.5-VL leaves the outputs bit-identical; KV-cache decoding equals recomputation', async () => {
  const base = qwen25(25);
  const sta = addTemporalAttention(base, { seed: 3 });
  const req = request(base);
  assert.deepEqual((await sta.forward(req)).logits, (await base.forward(req)).logits);
  assert.match(sta.loadLog.join('\n'), /added STA to 2 blocks/);
  const model = staveq25(26);
  const timed = { ...request(model), secondPerGridT: 2 };
  const gen = await generate(model, timed, { maxNewTokens: 3, stopTokens: [] });
  const seq = timed.inputIds.length;
  const recomputed = await model.forward({ ...timed, inputIds: [...(timed.inputIds as number[]), ...gen.tokens] });
  gen.stepLogits.forEach((logits, step) => assert.ok(relativeError(logits, Float64Array.from(recomputed.logits.subarray((seq - 1 + step) * VOCAB, (seq + step) * VOCAB))) < 1e-5, `step ${step}`));
});

test('a Qwen2.5-VL directory as save_pretrained writes it (text_config, model.visual.* / model.language_model.* names, shards, generation_config) loads and answers the same', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-q25-'));
  const model = staveq25(27);
  const hf = toHfConfig(model.config) as Record<string, unknown>;
  const textKeys = ['hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'rms_norm_eps', 'rope_theta', 'vocab_size', 'tie_word_embeddings', 'rope_scaling', 'max_position_embeddings', 'hidden_act', 'bos_token_id'];
  const text = Object.fromEntries(textKeys.map((k) => [k, hf[k]]));
  text.rope_scaling = { mrope_section: model.config.rope_scaling!.mrope_section, rope_type: 'default', type: 'default' };
  const vision = { ...(hf.vision_config as Record<string, unknown>) };
  delete vision.temporal_attention; // STAVEQ2.5 checkpoints carry temp_attn tensors but no config key
  const layout = { architectures: ['Qwen2_5_VLForConditionalGeneration'], model_type: 'qwen2_5_vl', text_config: { ...text, model_type: 'qwen2_5_vl_text' }, vision_config: vision, video_token_id: hf.video_token_id, vision_start_token_id: hf.vision_start_token_id, vision_end_token_id: hf.vision_end_token_id, image_token_id: hf.image_token_id };
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(layout));
  await fs.writeFile(path.join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [SPECIAL.imEnd, SPECIAL.endOfText] }));
  const renamed = [...model.params].map(([k, v]) => [k.startsWith('visual.') ? 'model.' + k : k.replace(/^model\./, 'model.language_model.'), v] as const);
  await fs.writeFile(path.join(dir, 'model-00001-of-00002.safetensors'), serializeSafetensors(new Map(renamed.slice(0, 10))));
  await fs.writeFile(path.join(dir, 'model-00002-of-00002.safetensors'), serializeSafetensors(new Map(renamed.slice(10))));
  await fs.writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: Object.fromEntries(renamed.map(([k], i) => [k, `model-0000${i < 10 ? 1 : 2}-of-00002.safetensors`])) }));
  const loaded = await loadVideoLM(dir);
  assert.deepEqual(loaded.config.eos_token_id, [SPECIAL.imEnd, SPECIAL.endOfText]);
  assert.equal(loaded.config.vision_config.temporal_attention?.token_order, 'staveq2', 'inferred from temp_attn tensors');
  const req = request(model);
  const paperOrder = await model.forward(req);
  loaded.config.vision_config.temporal_attention!.token_order = 'paper'; // before its first trace
  assert.deepEqual((await loaded.forward(req)).logits, paperOrder.logits);
  // …and tempolab's own save round-trips.
  const again = path.join(dir, 'again');
  await saveVideoLM(model, again);
  assert.deepEqual((await (await loadVideoLM(again)).forward(req)).logits, paperOrder.logits);
  await fs.rm(dir, { recursive: true });
});

test('qwen2_5-vl-3b-shaped preset: Qwen2.5-VL-3B widths, 2 vision blocks (0 windowed, 1 full), 2 decoder layers', () => {
  const cfg = presetConfig('qwen2_5-vl-3b-shaped', 64, SPECIAL);
  const shapes = new Map(parameterSpecs(cfg).map((s) => [s.name, [...s.shape]]));
  assert.deepEqual(shapes.get('visual.blocks.1.mlp.gate_proj.weight'), [3420, 1280]);
  assert.deepEqual(shapes.get('visual.merger.mlp.2.weight'), [2048, 5120]);
  assert.deepEqual(shapes.get('model.layers.1.self_attn.k_proj.weight'), [256, 2048]);
  assert.deepEqual(shapes.get('model.layers.0.mlp.up_proj.weight'), [11008, 2048]);
  assert.deepEqual(cfg.vision_config.fullatt_block_indexes, [1]);
});

test('weights of the other family, or STA the tensors lack, fail with one line naming the tensor and the fix', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-q25-bad-'));
  await saveVideoLM(qwen25(28), dir);
  const config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'qwen2_vl', vision_config: { ...config.vision_config, hidden_size: 32, embed_dim: 32, hidden_act: 'quick_gelu' } }));
  await assert.rejects(loadVideoLM(dir), /lacks visual\.blocks\.0\.norm1\.bias \[32\], which config\.json implies; these are Qwen2\.5-VL weights: set "model_type": "qwen2_5_vl" in config\.json$/);
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, vision_config: { ...config.vision_config, temporal_attention: { layers: 'all', head_scale: 0.25 } } }));
  await assert.rejects(loadVideoLM(dir), /lacks visual\.blocks\.0\.norm3\.weight \[32\], which config\.json implies; remove vision_config\.temporal_attention/);
  await fs.rm(dir, { recursive: true });
});
