import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertShardBuffersFit } from '../../src/data/dataset.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { readSafetensors, serializeSafetensors } from '../../src/engine/safetensors.js';
import { withLora } from '../../src/models/adapters.js';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { createVideoLM, loadVideoLM, saveVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig, validateConfig, type VideoLMConfig } from '../../src/models/config.js';
import { assertClipFits, inferenceBytes } from '../../src/models/memory.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import type { VideoLM } from '../../src/models/videoLM.js';

let root: string;
let model: VideoLM;
const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-validation-'));
  model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 4, tokenizer);
});
after(async () => fs.rm(root, { recursive: true, force: true }));

/** A copy of the tiny model's directory with `edit` applied to its config. */
async function modelDir(name: string, edit: (c: VideoLMConfig) => void = () => {}, m: VideoLM = model): Promise<string> {
  const dir = path.join(root, name);
  await saveVideoLM(m, dir);
  const config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8')) as VideoLMConfig;
  edit(config);
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

test('a safetensors file that is a link to /dev/zero or a directory is refused at once', { skip: process.platform === 'win32' }, async () => {
  const link = path.join(root, 'zero.safetensors');
  await fs.symlink('/dev/zero', link);
  const t0 = Date.now();
  await assert.rejects(readSafetensors(link), /zero\.safetensors is not a regular file/);
  assert.ok(Date.now() - t0 < 1000);
  const dir = await modelDir('dev-zero');
  await fs.rm(path.join(dir, 'model.safetensors'));
  await fs.symlink('/dev/zero', path.join(dir, 'model.safetensors'));
  await assert.rejects(loadVideoLM(dir), /model\.safetensors is not a regular file/);
  await fs.mkdir(path.join(root, 'dir.safetensors'));
  await assert.rejects(readSafetensors(path.join(root, 'dir.safetensors')), /not a regular file/);
});

test('NaN or Inf in a weight is reported by tensor name and element on load', async () => {
  const dir = await modelDir('nan');
  const { tensors } = await readSafetensors(path.join(dir, 'model.safetensors'));
  const name = [...tensors.keys()].sort()[3]!;
  (tensors.get(name)!.data as Float32Array)[2] = NaN;
  await fs.writeFile(path.join(dir, 'model.safetensors'), serializeSafetensors(tensors as Map<string, { shape: number[]; data: Float32Array }>));
  await assert.rejects(loadVideoLM(dir), new RegExp(`tensor ${name.replace(/\./g, '\\.')} holds NaN at element 2`));
});

test('shard indexes: a null or listless index, ../ or absolute shard paths, and shards holding unlisted tensors are refused', async () => {
  const dir = await modelDir('sharded');
  const { tensors } = await readSafetensors(path.join(dir, 'model.safetensors'));
  await fs.rename(path.join(dir, 'model.safetensors'), path.join(dir, 'model-00001.safetensors'));
  const index = path.join(dir, 'model.safetensors.index.json');
  const all = Object.fromEntries([...tensors.keys()].map((n) => [n, 'model-00001.safetensors']));
  await fs.writeFile(index, JSON.stringify({ weight_map: all }));
  assert.equal((await loadVideoLM(dir)).params.size, model.params.size, 'the valid index loads');
  const cases: [unknown, RegExp][] = [
    [null, /needs a "weight_map" object/],
    [[], /needs a "weight_map" object/],
    [{ weight_map: {} }, /weight_map is empty/],
    [{ weight_map: { ...all, 'model.norm.weight': '../outside.safetensors' } }, /maps to \.\.\/outside\.safetensors, outside the model directory/],
    [{ weight_map: { ...all, 'model.norm.weight': '/etc/passwd' } }, /outside the model directory/],
    [{ weight_map: { ...all, 'model.norm.weight': 7 } }, /maps to 7, not a file name/],
    [{ weight_map: Object.fromEntries(Object.entries(all).slice(1)) }, /holds .* which .* does not list/],
  ];
  for (const [json, message] of cases) {
    await fs.writeFile(index, JSON.stringify(json));
    await assert.rejects(loadVideoLM(dir), message, JSON.stringify(json)?.slice(0, 80));
  }
});

test('a checkpoint with more decoder layers, vision blocks, STA blocks or LoRA than its config is an error naming the tensor', async () => {
  await assert.rejects(loadVideoLM(await modelDir('fewer-layers', (c) => (c.num_hidden_layers = 1))), /has model\.layers\.1\.\S+ but config\.json says num_hidden_layers 1/);
  await assert.rejects(loadVideoLM(await modelDir('fewer-blocks', (c) => (c.vision_config.depth = 1))), /has visual\.blocks\.1\.\S+ but config\.json says vision_config\.depth 1/);
  const stave = addTemporalAttention(model, { layers: 'all' });
  await assert.rejects(
    loadVideoLM(await modelDir('fewer-sta', (c) => (c.vision_config.temporal_attention!.layers = [0]), stave)),
    /has visual\.blocks\.1\.(temp_attn|norm3)\.\S+ but vision_config\.temporal_attention does not give block 1 STA/,
  );
  const lora = withLora(model, { rank: 2, alpha: 4, seed: 1 });
  await assert.rejects(loadVideoLM(await modelDir('no-lora-key', (c) => delete c.tempolab_lora, lora)), /has LoRA tensor \S+\.lora_[AB]\.weight but config\.json has no tempolab_lora/);
  await assert.rejects(loadVideoLM(await modelDir('null-config', () => {}).then(async (d) => (await fs.writeFile(path.join(d, 'config.json'), 'null'), d))), /config\.json: must (be|hold) a JSON object/);
  await assert.rejects(loadVideoLM(await modelDir('no-vision', (c) => delete (c as Partial<VideoLMConfig>).vision_config)), /config\.json: vision_config/);
  await assert.rejects(loadVideoLM(await modelDir('gelu', (c) => (c.hidden_act = 'gelu'))), /hidden_act "gelu" is not supported/);
});

test('memory limits: the estimate grows with size⁴ (per-frame attention) and a clip that cannot fit names the largest that does', () => {
  const c = model.config;
  const small = inferenceBytes(c, { frames: 8, size: 256 });
  const big = inferenceBytes(c, { frames: 8, size: 512 });
  // Spatial attention scores dominate: (patches per frame)² grows 16× when the side doubles.
  assert.ok(big / small > 12 && big / small < 17, `${big / small}`);
  assert.throws(() => assertClipFits(c, { frames: 8, size: 4096 }, 64, 2 ** 30), /--size 4096 with --frames 8 needs about \d+ GB .*; use --size (\d+) or less/);
  const advised = Number(/use --size (\d+) or less/.exec((() => { try { assertClipFits(c, { frames: 8, size: 4096 }, 64, 2 ** 30); } catch (e) { return (e as Error).message; } return ''; })())![1]);
  assert.ok(inferenceBytes(c, { frames: 8, size: advised }) <= 2 ** 30 && inferenceBytes(c, { frames: 8, size: advised + 8 }) > 2 ** 30, `advised ${advised}`);
  assert.doesNotThrow(() => assertClipFits(c, { frames: 8, size: 32 }, 64, 2 ** 30));
});

test('data synth/import refuse clip shapes whose shard buffers cannot fit, naming the largest --size that does (hand-worked)', () => {
  const shape = { frames: 8, height: 32, width: 32, channels: 3 };
  // 10 clips × 8·32·32·3 B = 245 760 B > 100 000 B; at size 24: 138 240 B, still too much; at 16: 61 440 B.
  assert.throws(() => assertShardBuffersFit(shape, [10, 0, 0], 4096, 100_000), /10 clips of 8x32x32 need 0\.0 GB .*; use --size 16 or less/);
  assert.doesNotThrow(() => assertShardBuffersFit(shape, [10, 0, 0], 4096, 245_760));
  // Only up to shardClips clips per split are held at once.
  assert.doesNotThrow(() => assertShardBuffersFit(shape, [1000, 1000, 0], 5, 245_760));
});

test('the vision activation is checked against the tower: quick_gelu for Qwen2-VL, silu for Qwen2.5-VL', () => {
  const special = tokenizer.special;
  const qwen25 = presetConfig('qwen2_5-vl-3b-shaped', tokenizer.vocabSize, special);
  assert.equal(qwen25.vision_config.hidden_act, 'silu');
  assert.throws(() => validateConfig({ ...qwen25, vision_config: { ...qwen25.vision_config, hidden_act: 'quick_gelu' } }), /vision_config\.hidden_act "quick_gelu" is not supported: tempolab implements silu there/);
  const qwen2 = presetConfig('tiny', tokenizer.vocabSize, special);
  assert.throws(() => validateConfig({ ...qwen2, vision_config: { ...qwen2.vision_config, hidden_act: 'silu' } }), /vision_config\.hidden_act "silu" is not supported: tempolab implements quick_gelu there/);
});
