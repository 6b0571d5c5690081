import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { serializeSafetensors, writeSafetensors } from '../../src/engine/safetensors.js';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { loadVideoLM, saveVideoLM } from '../../src/models/checkpoint.js';
import { request, tinyModel } from './helpers.js';

async function tempDir() {
  return fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-ckpt-'));
}

test('a checkpoint written in HF layout loads with the same names, shapes and outputs', async () => {
  const dir = await tempDir();
  const model = tinyModel(11);
  await saveVideoLM(model, dir);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['config.json', 'model.safetensors']);
  const names = [...model.params.keys()];
  for (const expected of ['visual.patch_embed.proj.weight', 'visual.blocks.1.attn.qkv.bias', 'visual.blocks.0.mlp.fc2.weight', 'visual.merger.ln_q.weight', 'visual.merger.mlp.0.weight', 'visual.merger.mlp.2.bias', 'model.embed_tokens.weight', 'model.layers.1.self_attn.q_proj.bias', 'model.layers.0.self_attn.o_proj.weight', 'model.layers.0.mlp.gate_proj.weight', 'model.layers.1.post_attention_layernorm.weight', 'model.norm.weight']) {
    assert.ok(names.includes(expected), `missing ${expected}`);
  }
  assert.deepEqual(model.params.get('visual.patch_embed.proj.weight')!.shape, [32, 3, 2, 4, 4], 'Conv3d weight [C, 3, 2, p, p]');
  assert.ok(!names.includes('model.layers.0.self_attn.o_proj.bias'), 'o_proj has no bias');
  const loaded = await loadVideoLM(dir);
  const req = request(model);
  assert.deepEqual((await loaded.forward(req)).logits, (await model.forward(req)).logits);
  await fs.rm(dir, { recursive: true });
});

test('a missing or mis-shaped tensor fails with one line naming the tensor and both shapes', async () => {
  const dir = await tempDir();
  const model = addTemporalAttention(tinyModel(12));
  await saveVideoLM(model, dir);
  const file = path.join(dir, 'model.safetensors');
  const broken = new Map(model.params);
  broken.set('visual.blocks.1.temp_attn.qkv.weight', { shape: [48, 32], data: new Float32Array(48 * 32) });
  await writeSafetensors(file, broken);
  await assert.rejects(loadVideoLM(dir), /checkpoint has visual\.blocks\.1\.temp_attn\.qkv\.weight \[48,32\] but config expects \[24,32\] \(temporal heads 1, head_scale 0\.25\)/);
  broken.delete('visual.blocks.1.temp_attn.qkv.weight');
  await writeSafetensors(file, broken);
  await assert.rejects(loadVideoLM(dir), /lacks visual\.blocks\.1\.temp_attn\.qkv\.weight \[24,32\], which config\.json implies/);
  await fs.writeFile(path.join(dir, 'config.json'), '{ not json');
  await assert.rejects(loadVideoLM(dir), /config\.json is not valid JSON/);
  await assert.rejects(loadVideoLM(path.join(dir, 'nowhere')), /config\.json not found/);
  await fs.rm(dir, { recursive: true });
});

test('STA is inferred from temp_attn tensors when the config has no temporal_attention key (STAVEQ2 checkpoints)', async () => {
  const dir = await tempDir();
  const sta = addTemporalAttention(tinyModel(13), { layers: [1] });
  await saveVideoLM(sta, dir);
  const config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  delete config.vision_config.temporal_attention;
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  const loaded = await loadVideoLM(dir);
  assert.deepEqual(loaded.config.vision_config.temporal_attention, { layers: [1], head_scale: 0.25, token_order: 'staveq2' });
  assert.match(loaded.loadLog.join('\n'), /token_order "staveq2"/);
  await fs.rm(dir, { recursive: true });
});

test('sharded checkpoints and newer transformers names (model.language_model.*, model.visual.*) load', async () => {
  const dir = await tempDir();
  const model = tinyModel(14);
  await saveVideoLM(model, dir);
  await fs.rm(path.join(dir, 'model.safetensors'));
  const renamed = [...model.params].map(([k, v]) => [k.startsWith('visual.') ? 'model.' + k : k.replace(/^model\./, 'model.language_model.'), v] as const);
  const half = Math.floor(renamed.length / 2);
  const shards = [renamed.slice(0, half), renamed.slice(half)];
  const weightMap: Record<string, string> = {};
  for (const [i, shard] of shards.entries()) {
    const name = `model-0000${i + 1}-of-00002.safetensors`;
    await fs.writeFile(path.join(dir, name), serializeSafetensors(new Map(shard)));
    for (const [k] of shard) weightMap[k] = name;
  }
  await fs.writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  const loaded = await loadVideoLM(dir);
  const req = request(model);
  assert.deepEqual((await loaded.forward(req)).logits, (await model.forward(req)).logits);
  await fs.rm(dir, { recursive: true });
});
