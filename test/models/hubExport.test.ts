import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { readSafetensors } from '../../src/engine/safetensors.js';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { withLora } from '../../src/models/adapters.js';
import { createVideoLM, loadVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { CHAT_TEMPLATE, exportForHub } from '../../src/models/hubExport.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'tempolab-export-'));
after(() => rmSync(root, { recursive: true, force: true }));
const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
const base = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 0, tokenizer);
const json = (dir: string, file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));

test('a model without STA, LoRA merged, is labelled Qwen2-VL; the processor config reproduces tempolab\'s pixels', async () => {
  const dir = path.join(root, 'plain');
  const summary = await exportForHub(withLora(base, { rank: 2 }), dir, { mergeLora: true });
  assert.equal(summary.kind, 'qwen2-vl');
  assert.deepEqual(json(dir, 'config.json').architectures, ['Qwen2VLForConditionalGeneration']);
  assert.equal(json(dir, 'config.json').tempolab_lora, undefined);
  const names = [...(await readSafetensors(path.join(dir, 'model.safetensors'))).tensors.keys()];
  assert.ok(!names.some((n) => n.includes('lora_') || n.includes('temp_attn')));
  const pre = json(dir, 'preprocessor_config.json');
  // tiny: patch 4, merge 2 → one merge window is 8×8 pixels; CLIP's mean and std; rescale 1/255.
  assert.deepEqual([pre.patch_size, pre.merge_size, pre.temporal_patch_size, pre.min_pixels], [4, 2, 2, 64]);
  assert.deepEqual(pre.image_mean, [0.48145466, 0.4578275, 0.40821073]);
  assert.equal(pre.rescale_factor, 1 / 255);
  for (const f of summary.files) assert.ok(existsSync(path.join(dir, f)), f);
  assert.equal(json(dir, 'chat_template.json').chat_template, CHAT_TEMPLATE);
  // Every special token the template writes exists in the exported tokenizer.
  for (const token of CHAT_TEMPLATE.match(/<\|[a-z_]+\|>/g)!) assert.notEqual(tokenizer.tokenToId(token), undefined, token);
  assert.ok((await loadVideoLM(dir)).params.size > 0);
});

test('a model with STA is labelled a STAVEQ2 checkpoint with the authors\' class, and keeps its STA tensors', async () => {
  const dir = path.join(root, 'stave');
  const summary = await exportForHub(withLora(addTemporalAttention(base), { rank: 2 }), dir, { mergeLora: true });
  assert.equal(summary.kind, 'staveq2');
  const config = json(dir, 'config.json');
  assert.deepEqual(config.architectures, ['CustomQwen2VLForConditionalGeneration']);
  assert.equal(config.model_type, 'qwen2_vl');
  const names = [...(await readSafetensors(path.join(dir, 'model.safetensors'))).tensors.keys()];
  assert.ok(names.includes('visual.blocks.0.temp_attn.qkv.weight'));
  assert.ok(!names.some((n) => n.includes('lora_')));
  assert.match(summary.notes.join(' '), /STAVEQ2 checkpoint: STA in vision blocks 0, 1/);
  assert.match(summary.notes.join(' '), /paper's token order/);
  const unmerged = await exportForHub(withLora(base, { rank: 2 }), path.join(root, 'lora'));
  assert.equal(unmerged.kind, 'tempolab-lora');
  assert.match(unmerged.notes[0]!, /--merge-lora/);
});
