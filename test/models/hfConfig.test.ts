import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parameterSpecs } from '../../src/models/checkpoint.js';
import { validateConfig, type VideoLMConfig } from '../../src/models/config.js';
import { fromHfConfig, toHfConfig } from '../../src/models/hfConfig.js';

// Config files in the layouts of the public Hugging Face repositories and of save_pretrained.
const fixture = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../test/models/fixtures/hf-configs/${name}.json`, import.meta.url)), 'utf8'));
const load = (name: string) => validateConfig(fromHfConfig(fixture(name)));

/** Parameter shapes by name, traced from the config (no weights allocated). */
function shapes(cfg: VideoLMConfig): Map<string, number[]> {
  return new Map(parameterSpecs(cfg).map((s) => [s.name, [...s.shape]]));
}

/** Shapes as transformers' printed modules list them (Qwen2-VL-7B-Instruct, Qwen2.5-VL-3B/7B). */
function assertQwen2VL(cfg: VideoLMConfig, lm: { hidden: number; inter: number; kv: number; vocab: number; layers: number; tied: boolean }) {
  const s = shapes(cfg);
  assert.deepEqual(s.get('visual.patch_embed.proj.weight'), [1280, 3, 2, 14, 14]);
  assert.deepEqual(s.get('visual.blocks.31.attn.qkv.weight'), [3840, 1280]);
  assert.deepEqual(s.get('visual.blocks.0.mlp.fc1.weight'), [5120, 1280]);
  assert.deepEqual(s.get('visual.blocks.0.norm1.bias'), [1280]);
  assert.deepEqual(s.get('visual.merger.ln_q.bias'), [1280]);
  assert.deepEqual(s.get('visual.merger.mlp.0.weight'), [5120, 5120]);
  assert.deepEqual(s.get('visual.merger.mlp.2.weight'), [lm.hidden, 5120]);
  assert.ok(!s.has('visual.blocks.32.attn.qkv.weight'));
  assert.deepEqual(s.get('model.embed_tokens.weight'), [lm.vocab, lm.hidden]);
  assert.deepEqual(s.get(`model.layers.${lm.layers - 1}.self_attn.k_proj.weight`), [lm.kv * 128, lm.hidden]);
  assert.deepEqual(s.get('model.layers.0.mlp.gate_proj.weight'), [lm.inter, lm.hidden]);
  assert.ok(!s.has(`model.layers.${lm.layers}.self_attn.q_proj.weight`));
  assert.equal(s.has('lm_head.weight'), !lm.tied);
}

function assertQwen25VL(cfg: VideoLMConfig, lm: { hidden: number; inter: number; kv: number; vocab: number; layers: number; tied: boolean }) {
  const s = shapes(cfg);
  assert.deepEqual(s.get('visual.patch_embed.proj.weight'), [1280, 3, 2, 14, 14]);
  assert.deepEqual(s.get('visual.blocks.7.attn.qkv.weight'), [3840, 1280]);
  assert.deepEqual(s.get('visual.blocks.0.mlp.gate_proj.weight'), [3420, 1280]);
  assert.deepEqual(s.get('visual.blocks.0.mlp.up_proj.bias'), [3420]);
  assert.deepEqual(s.get('visual.blocks.0.mlp.down_proj.weight'), [1280, 3420]);
  assert.deepEqual(s.get('visual.blocks.0.norm1.weight'), [1280]);
  assert.ok(!s.has('visual.blocks.0.norm1.bias'), 'Qwen2.5-VL vision norms are RMSNorm');
  assert.ok(!s.has('visual.blocks.0.mlp.fc1.weight'));
  assert.deepEqual(s.get('visual.merger.ln_q.weight'), [1280]);
  assert.ok(!s.has('visual.merger.ln_q.bias'));
  assert.deepEqual(s.get('visual.merger.mlp.2.weight'), [lm.hidden, 5120]);
  assert.deepEqual(s.get('model.embed_tokens.weight'), [lm.vocab, lm.hidden]);
  assert.deepEqual(s.get(`model.layers.${lm.layers - 1}.self_attn.k_proj.weight`), [lm.kv * 128, lm.hidden]);
  assert.deepEqual(s.get('model.layers.0.mlp.down_proj.weight'), [lm.hidden, lm.inter]);
  assert.equal(s.has('lm_head.weight'), !lm.tied);
}

const QWEN2_VL_2B = { hidden: 1536, inter: 8960, kv: 2, vocab: 151936, layers: 28, tied: true };

test('Qwen2-VL-2B/7B-Instruct config.json (hub layout) load with the published shapes', () => {
  const two = load('qwen2-vl-2b-instruct');
  assert.equal(two.vision_config.hidden_act, 'quick_gelu', 'absent → Qwen2VLVisionConfig default');
  assert.deepEqual(two.rope_scaling, { type: 'mrope', rope_type: 'mrope', mrope_section: [16, 24, 24] });
  assert.equal(two.eos_token_id, 151645);
  assertQwen2VL(two, QWEN2_VL_2B);
  assertQwen2VL(load('qwen2-vl-7b-instruct'), { hidden: 3584, inter: 18944, kv: 4, vocab: 152064, layers: 28, tied: false });
});

test('Qwen2.5-VL-3B/7B-Instruct config.json: hidden_size is the ViT width, out_hidden_size the merger output', () => {
  const three = load('qwen2_5-vl-3b-instruct');
  assert.equal(three.vision_config.embed_dim, 1280);
  assert.equal(three.vision_config.hidden_size, 2048);
  assert.deepEqual(three.vision_config.fullatt_block_indexes, [7, 15, 23, 31]);
  assert.equal(three.vision_config.tokens_per_second, 2);
  assertQwen25VL(three, { hidden: 2048, inter: 11008, kv: 2, vocab: 151936, layers: 36, tied: true });
  assertQwen25VL(load('qwen2_5-vl-7b-instruct'), { hidden: 3584, inter: 18944, kv: 4, vocab: 152064, layers: 28, tied: false });
});

test('save_pretrained layouts: text_config nesting (transformers ≥ 4.53) and default-omitting diffs (4.4x) equal the hub config', () => {
  const hub = load('qwen2-vl-2b-instruct');
  for (const name of ['qwen2-vl-2b-save-pretrained-text-config', 'qwen2-vl-2b-save-pretrained-diff']) {
    const saved = load(name);
    for (const key of ['hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'vocab_size', 'tie_word_embeddings', 'rope_theta', 'rms_norm_eps', 'eos_token_id', 'video_token_id', 'vision_start_token_id', 'vision_end_token_id'] as const) {
      assert.deepEqual(saved[key], hub[key], `${name}: ${key}`);
    }
    assert.deepEqual(saved.rope_scaling?.mrope_section, [16, 24, 24]);
    assert.deepEqual(saved.vision_config, hub.vision_config, `${name}: vision_config`);
    assertQwen2VL(saved, QWEN2_VL_2B);
  }
});

test('transformers v5 rope_parameters (rope_theta inside) and in_channels; omitted 2.5 vision fields take the defaults', () => {
  const cfg = load('qwen2_5-vl-3b-rope-parameters');
  assert.equal(cfg.rope_theta, 1e6);
  assert.deepEqual(cfg.rope_scaling?.mrope_section, [16, 24, 24]);
  assert.equal(cfg.vision_config.in_chans, 3);
  assert.equal(cfg.vision_config.window_size, 112);
  assert.equal(cfg.vision_config.intermediate_size, 3420);
  assert.equal(cfg.vision_config.num_heads, 16);
});

test('every text and vision field left out takes transformers\' default', () => {
  const cfg = fromHfConfig({ model_type: 'qwen2_vl', eos_token_id: 151645 });
  assert.equal(cfg.hidden_size, 8192);
  assert.equal(cfg.intermediate_size, 29568);
  assert.equal(cfg.num_hidden_layers, 80);
  assert.equal(cfg.num_attention_heads, 64);
  assert.equal(cfg.num_key_value_heads, 8);
  assert.equal(cfg.rms_norm_eps, 1e-5);
  assert.equal(cfg.vocab_size, 152064);
  assert.equal(cfg.tie_word_embeddings, false);
  assert.equal(cfg.video_token_id, 151656);
  assert.deepEqual(cfg.vision_config, { depth: 32, embed_dim: 1280, num_heads: 16, mlp_ratio: 4, in_chans: 3, hidden_size: 3584, patch_size: 14, spatial_merge_size: 2, temporal_patch_size: 2, hidden_act: 'quick_gelu' });
  assert.equal(fromHfConfig({ model_type: 'qwen2_vl', eos_token_id: 1, num_attention_heads: 4, num_key_value_heads: null }).num_key_value_heads, 4, 'null → num_attention_heads (transformers BC)');
  const v25 = fromHfConfig({ model_type: 'qwen2_5_vl' }, { eos_token_id: [151645, 151643] });
  assert.deepEqual(v25.eos_token_id, [151645, 151643], 'from generation_config.json');
  assert.equal(v25.vision_config.embed_dim, 3584);
  assert.equal(v25.vision_config.tokens_per_second, 4);
});

test('toHfConfig writes what transformers reads, and reading it back gives the same config', () => {
  for (const name of ['qwen2-vl-2b-instruct', 'qwen2_5-vl-3b-instruct']) {
    const cfg = load(name);
    const written = toHfConfig(cfg) as { vision_config: Record<string, unknown> };
    assert.equal(written.vision_config.in_channels, 3);
    if (name.startsWith('qwen2_5')) {
      assert.equal(written.vision_config.hidden_size, 1280);
      assert.equal(written.vision_config.out_hidden_size, 2048);
      assert.ok(!('embed_dim' in written.vision_config));
    }
    assert.deepEqual(validateConfig(fromHfConfig(JSON.parse(JSON.stringify(written)))), cfg);
  }
});

test('bad config files fail with one line naming the key and the fix', () => {
  const base = fixture('qwen2-vl-2b-instruct');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...base, model_type: 'llava' }, /config\.json: model_type "llava".*tempolab loads qwen2_vl and qwen2_5_vl/],
    [{ ...base, rope_scaling: { rope_type: 'yarn', factor: 4 } }, /rope_scaling\.rope_type "yarn" is not supported/],
    [{ ...base, rope_scaling: { type: 'mrope', mrope_section: [16, 24] } }, /rope_scaling\.mrope_section must be three/],
    [{ ...base, use_sliding_window: true }, /use_sliding_window is true.*set "use_sliding_window": false/],
    [{ ...base, eos_token_id: undefined }, /eos_token_id is missing.*add "eos_token_id"/],
    [{ ...base, vision_config: { ...base.vision_config, hidden_act: 'gelu' } }, /vision_config\.hidden_act "gelu" is not supported for qwen2_vl/],
    [{ ...base, head_dim: 64 }, /head_dim 64 differs from hidden_size \/ num_attention_heads = 128/],
    [{ ...base, text_config: 3 }, /text_config must be an object/],
  ];
  for (const [raw, pattern] of cases) assert.throws(() => fromHfConfig(JSON.parse(JSON.stringify(raw))), pattern);
  assert.throws(() => validateConfig(fromHfConfig({ ...base, vision_config: { ...base.vision_config, hidden_size: 1024 } })), /vision_config\.hidden_size 1024 must equal hidden_size 1536/);
});
