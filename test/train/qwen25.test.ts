import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { synthesizeDataset } from '../../src/data/synth.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { createVideoLM, loadVideoLM, saveVideoLM } from '../../src/models/checkpoint.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { tinyQwen25Config } from '../models/helpers.js';

const cliPath = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('train stave from a Qwen2.5-VL model (STAVEQ2.5): STA added, LoRA on the SwiGLU vision MLP, finite loss', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-stave25-'));
  await synthesizeDataset(path.join(root, 'data'), { train: 8, val: 2, test: 2, frames: 4, size: 16, seed: 2 });
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const config = { ...tinyQwen25Config(), vocab_size: tokenizer.vocabSize, ...{ eos_token_id: tokenizer.special.imEnd, video_token_id: tokenizer.special.videoPad, vision_start_token_id: tokenizer.special.visionStart, vision_end_token_id: tokenizer.special.visionEnd, image_token_id: tokenizer.special.imagePad } };
  await saveVideoLM(createVideoLM(config, 3, tokenizer), path.join(root, 'base'));
  const run = spawnSync(process.execPath, [cliPath, 'train', 'stave', '--from', path.join(root, 'base'), '--data', path.join(root, 'data'), '--out', path.join(root, 'stave'), '--stage1-steps', '2', '--stage2-steps', '2', '--batch', '2'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const log = (await fs.readFile(path.join(root, 'stave', 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { loss: number });
  assert.ok(log.length === 4 && log.every((r) => Number.isFinite(r.loss)));
  const model = await loadVideoLM(path.join(root, 'stave', 'checkpoint'));
  assert.equal(model.config.vision_config.model_type, 'qwen2_5_vl');
  for (const name of ['visual.blocks.1.temp_attn.qkv.weight', 'visual.blocks.0.norm3.weight', 'visual.blocks.0.mlp.gate_proj.lora_A.weight', 'visual.blocks.1.mlp.down_proj.lora_B.weight']) assert.ok(model.params.has(name), name);
  await fs.rm(root, { recursive: true });
});
