/**
 * A raw Hugging Face `config.json` → tempolab's VideoLMConfig, reading it the way transformers'
 * Qwen2VLConfig / Qwen2_5_VLConfig do: every field the file omits takes transformers' default
 * (save_pretrained writes only the fields that differ from them), `in_chans` and `in_channels` both
 * name the input channels, `rope_scaling` may say `type` or `rope_type` (or be `rope_parameters`,
 * carrying `rope_theta`), and newer transformers nest the language model's fields under
 * `text_config`. `toHfConfig` writes the inverse, so transformers reads tempolab's checkpoints.
 *
 * One naming clash matters: in Qwen2-VL's vision_config `hidden_size` is the merger's output (the
 * language model's width) and `embed_dim` the ViT width; in Qwen2.5-VL's, `hidden_size` is the ViT
 * width and `out_hidden_size` the merger's output. Internally tempolab always uses Qwen2-VL's names.
 */
import { TempolabError } from '../engine/errors.js';
import type { VideoLMConfig, VisionConfig } from './config.js';

type Json = Record<string, unknown>;

/** Qwen2VLTextConfig / Qwen2_5_VLTextConfig defaults (identical in both). */
export const HF_TEXT_DEFAULTS = {
  vocab_size: 152064,
  hidden_size: 8192,
  intermediate_size: 29568,
  num_hidden_layers: 80,
  num_attention_heads: 64,
  num_key_value_heads: 8,
  hidden_act: 'silu',
  max_position_embeddings: 32768,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: false,
  rope_theta: 1_000_000,
  use_sliding_window: false,
} as const;

/** Qwen2VLConfig / Qwen2_5_VLConfig special-token defaults. */
export const HF_TOKEN_DEFAULTS = { image_token_id: 151655, video_token_id: 151656, vision_start_token_id: 151652, vision_end_token_id: 151653 } as const;

/** Qwen2VLVisionConfig defaults. */
export const HF_QWEN2_VL_VISION_DEFAULTS = {
  depth: 32,
  embed_dim: 1280,
  hidden_size: 3584,
  hidden_act: 'quick_gelu',
  mlp_ratio: 4,
  num_heads: 16,
  in_channels: 3,
  patch_size: 14,
  spatial_merge_size: 2,
  temporal_patch_size: 2,
} as const;

/** Qwen2_5_VLVisionConfig defaults (`hidden_size` is the ViT width here). */
export const HF_QWEN2_5_VL_VISION_DEFAULTS = {
  depth: 32,
  hidden_size: 3584,
  hidden_act: 'silu',
  intermediate_size: 3420,
  num_heads: 16,
  in_channels: 3,
  patch_size: 14,
  spatial_merge_size: 2,
  temporal_patch_size: 2,
  tokens_per_second: 4,
  window_size: 112,
  out_hidden_size: 3584,
  fullatt_block_indexes: [7, 15, 23, 31],
} as const;

const TEXT_KEYS = [...Object.keys(HF_TEXT_DEFAULTS), 'rope_scaling', 'rope_parameters', 'bos_token_id', 'eos_token_id', 'head_dim'] as const;

function fail(message: string): never {
  throw new TempolabError(`config.json: ${message}`);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const pick = <T>(value: unknown, fallback: T): T => (value === undefined || value === null ? fallback : (value as T));

/** Which Qwen VL family the file describes: model_type, else the architectures list. */
function family(raw: Json): 'qwen2_vl' | 'qwen2_5_vl' {
  const type = raw.model_type;
  const archs = Array.isArray(raw.architectures) ? raw.architectures.map(String) : [];
  if (type === 'qwen2_5_vl' || (type === undefined && archs.some((a) => a.startsWith('Qwen2_5_VL')))) return 'qwen2_5_vl';
  if (type === 'qwen2_vl' || (type === undefined && (archs.length === 0 || archs.some((a) => a.startsWith('Qwen2VL'))))) return 'qwen2_vl';
  fail(`model_type ${JSON.stringify(type)} (architectures ${JSON.stringify(archs)}) is not supported; tempolab loads qwen2_vl and qwen2_5_vl checkpoints`);
}

/** rope_scaling / rope_parameters in either spelling → { type, rope_type, mrope_section } and rope_theta. */
function rope(text: Json): { scaling: VideoLMConfig['rope_scaling']; theta: number } {
  const source = isObject(text.rope_scaling) ? text.rope_scaling : isObject(text.rope_parameters) ? text.rope_parameters : undefined;
  const key = isObject(text.rope_scaling) ? 'rope_scaling' : 'rope_parameters';
  const theta = Number(pick(text.rope_theta, pick(source?.rope_theta, HF_TEXT_DEFAULTS.rope_theta)));
  if (!source) return { scaling: text.rope_scaling === null ? null : undefined, theta };
  const ropeType = String(pick(source.rope_type, pick(source.type, 'default')));
  if (ropeType !== 'mrope' && ropeType !== 'default') {
    fail(`${key}.rope_type "${ropeType}" is not supported (tempolab implements M-RoPE without scaling); remove ${key} or use "mrope" with mrope_section`);
  }
  const section = source.mrope_section;
  if (section !== undefined && (!Array.isArray(section) || section.length !== 3 || section.some((s) => !Number.isInteger(s) || s < 0))) {
    fail(`${key}.mrope_section must be three non-negative integers (t, h, w), got ${JSON.stringify(section)}`);
  }
  const scaling: NonNullable<VideoLMConfig['rope_scaling']> = { type: 'mrope', rope_type: ropeType };
  if (section) scaling.mrope_section = [...(section as number[])];
  return { scaling, theta };
}

function visionConfig(raw: unknown, kind: 'qwen2_vl' | 'qwen2_5_vl'): VisionConfig {
  if (raw !== undefined && !isObject(raw)) fail(`vision_config must be an object, got ${JSON.stringify(raw)}`);
  const v: Json = raw ?? {};
  const inChans = pick(v.in_chans, pick(v.in_channels, 3));
  const keep = isObject(v.temporal_attention) ? { temporal_attention: v.temporal_attention as unknown as VisionConfig['temporal_attention'] } : {};
  const act = pick(v.hidden_act, kind === 'qwen2_vl' ? HF_QWEN2_VL_VISION_DEFAULTS.hidden_act : HF_QWEN2_5_VL_VISION_DEFAULTS.hidden_act);
  const expected = kind === 'qwen2_vl' ? 'quick_gelu' : 'silu';
  if (act !== expected) fail(`vision_config.hidden_act "${act}" is not supported for ${kind}; its vision MLP uses "${expected}"`);
  if (kind === 'qwen2_vl') {
    const d = HF_QWEN2_VL_VISION_DEFAULTS;
    return {
      depth: pick(v.depth, d.depth),
      embed_dim: pick(v.embed_dim, d.embed_dim),
      num_heads: pick(v.num_heads, d.num_heads),
      mlp_ratio: pick(v.mlp_ratio, d.mlp_ratio),
      in_chans: inChans,
      hidden_size: pick(v.hidden_size, d.hidden_size),
      patch_size: pick(v.patch_size, d.patch_size),
      spatial_merge_size: pick(v.spatial_merge_size, d.spatial_merge_size),
      temporal_patch_size: pick(v.temporal_patch_size, d.temporal_patch_size),
      hidden_act: pick(v.hidden_act, d.hidden_act),
      ...keep,
    };
  }
  const d = HF_QWEN2_5_VL_VISION_DEFAULTS;
  const fullatt = pick(v.fullatt_block_indexes, [...d.fullatt_block_indexes]);
  if (!Array.isArray(fullatt) || fullatt.some((i) => !Number.isInteger(i) || i < 0)) fail(`vision_config.fullatt_block_indexes must be a list of block indices, got ${JSON.stringify(fullatt)}`);
  const out: VisionConfig = {
    model_type: 'qwen2_5_vl',
    depth: pick(v.depth, d.depth),
    embed_dim: pick(v.hidden_size, d.hidden_size),
    num_heads: pick(v.num_heads, d.num_heads),
    in_chans: inChans,
    hidden_size: pick(v.out_hidden_size, d.out_hidden_size),
    patch_size: pick(v.patch_size, d.patch_size),
    spatial_merge_size: pick(v.spatial_merge_size, d.spatial_merge_size),
    temporal_patch_size: pick(v.temporal_patch_size, d.temporal_patch_size),
    hidden_act: pick(v.hidden_act, d.hidden_act),
    intermediate_size: pick(v.intermediate_size, d.intermediate_size),
    window_size: pick(v.window_size, d.window_size),
    fullatt_block_indexes: [...(fullatt as number[])],
    tokens_per_second: pick(v.tokens_per_second, d.tokens_per_second),
    ...keep,
  };
  return out;
}

/**
 * Reads a parsed config.json (and optionally generation_config.json, which supplies eos_token_id
 * when config.json lacks it, as transformers' generate does) into a VideoLMConfig. Throws one-line
 * errors naming the key; shapes and divisibility are left to validateConfig.
 */
export function fromHfConfig(raw: unknown, generationConfig?: unknown): VideoLMConfig {
  if (!isObject(raw)) fail('must hold a JSON object');
  const kind = family(raw);
  if (raw.text_config !== undefined && !isObject(raw.text_config)) fail(`text_config must be an object, got ${JSON.stringify(raw.text_config)}`);
  // Newer transformers write the language model's fields under text_config; older ones at the top.
  const text: Json = { ...raw, ...(raw.text_config as Json | undefined) };
  const t = HF_TEXT_DEFAULTS;
  if (text.use_sliding_window === true) fail('use_sliding_window is true, but tempolab\'s decoder attends to the whole sequence; set "use_sliding_window": false (Qwen2-VL checkpoints ship with false)');
  const heads = pick<number>(text.num_attention_heads, t.num_attention_heads);
  const hidden = pick<number>(text.hidden_size, t.hidden_size);
  if (text.head_dim !== undefined && text.head_dim !== null && Number(text.head_dim) * heads !== hidden) {
    fail(`head_dim ${JSON.stringify(text.head_dim)} differs from hidden_size / num_attention_heads = ${hidden / heads}; tempolab's Qwen2 decoder needs them equal`);
  }
  const textAct = pick(text.hidden_act, t.hidden_act);
  if (textAct !== 'silu') fail(`hidden_act "${textAct}" is not supported; the Qwen2 decoder's MLP is SwiGLU with "silu"`);
  const { scaling, theta } = rope(text);
  const generation = isObject(generationConfig) ? generationConfig : {};
  const eos = pick(text.eos_token_id, pick(raw.eos_token_id, generation.eos_token_id));
  if (eos === undefined) fail('eos_token_id is missing and no generation_config.json gives it; add "eos_token_id": 151645 (<|im_end|> in Qwen2-VL\'s vocabulary)');
  const known = new Set(['text_config', 'vision_config', 'rope_parameters', 'in_channels', ...TEXT_KEYS]);
  const extras = Object.fromEntries(Object.entries(raw).filter(([k]) => !known.has(k) && !(k in HF_TOKEN_DEFAULTS)));
  const cfg: VideoLMConfig = {
    ...extras,
    model_type: kind,
    architectures: pick(raw.architectures, [kind === 'qwen2_5_vl' ? 'Qwen2_5_VLForConditionalGeneration' : 'Qwen2VLForConditionalGeneration']),
    hidden_size: hidden,
    intermediate_size: pick(text.intermediate_size, t.intermediate_size),
    num_hidden_layers: pick(text.num_hidden_layers, t.num_hidden_layers),
    num_attention_heads: heads,
    // transformers: absent → 8; an explicit null → num_attention_heads (its backward compatibility).
    num_key_value_heads: text.num_key_value_heads === undefined ? t.num_key_value_heads : pick(text.num_key_value_heads, heads),
    rms_norm_eps: pick(text.rms_norm_eps, t.rms_norm_eps),
    rope_theta: theta,
    vocab_size: pick(text.vocab_size, t.vocab_size),
    tie_word_embeddings: pick(text.tie_word_embeddings, t.tie_word_embeddings),
    max_position_embeddings: pick(text.max_position_embeddings, t.max_position_embeddings),
    hidden_act: pick(text.hidden_act, t.hidden_act),
    vision_start_token_id: pick(raw.vision_start_token_id, HF_TOKEN_DEFAULTS.vision_start_token_id),
    vision_end_token_id: pick(raw.vision_end_token_id, HF_TOKEN_DEFAULTS.vision_end_token_id),
    video_token_id: pick(raw.video_token_id, HF_TOKEN_DEFAULTS.video_token_id),
    image_token_id: pick(raw.image_token_id, HF_TOKEN_DEFAULTS.image_token_id),
    eos_token_id: eos as number | number[],
    vision_config: visionConfig(raw.vision_config, kind),
  };
  if (scaling !== undefined) cfg.rope_scaling = scaling;
  const bos = pick(text.bos_token_id, raw.bos_token_id);
  if (bos !== undefined) cfg.bos_token_id = bos as number;
  return cfg;
}

/** The config.json transformers reads back (Qwen2.5-VL's vision names restored, both channel spellings). */
export function toHfConfig(cfg: VideoLMConfig): Json {
  const { vision_config: v, ...rest } = cfg;
  if (v.model_type !== 'qwen2_5_vl') return { ...rest, vision_config: { ...v, in_channels: v.in_chans } };
  const { embed_dim, hidden_size, model_type: _type, ...vision } = v;
  return { ...rest, vision_config: { ...vision, hidden_size: embed_dim, out_hidden_size: hidden_size, in_channels: v.in_chans } };
}
