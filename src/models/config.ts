/**
 * The model configuration, in Hugging Face's Qwen2-VL `config.json` layout, so a real checkpoint's
 * config loads unchanged. tempolab adds one key: `vision_config.temporal_attention` (STA).
 */
import { TempolabError } from '../engine/errors.js';

export type TokenOrder = 'paper' | 'staveq2';

export interface TemporalAttentionConfig {
  /** Which vision blocks get STA: "all" or a list of block indices. */
  layers: 'all' | number[];
  /** Temporal heads = max(1, round(head_scale · spatial heads)). */
  head_scale: number;
  /**
   * "paper": each patch's temporal-attention output returns to its own row. "staveq2": the public
   * STAVEQ2 code's order, which writes (patch, frame)-ordered rows onto (frame, patch)-ordered rows.
   */
  token_order?: TokenOrder;
  /** Initialisation of `temp_attn.proj`: "zero" (the paper) or "normal" (STAVEQ2's create_base.py: N(0, 0.02), zero bias). */
  proj_init?: 'zero' | 'normal';
}

export interface VisionConfig {
  depth: number;
  embed_dim: number;
  num_heads: number;
  /** Qwen2-VL: fc1 width = embed_dim · mlp_ratio (Qwen2.5-VL uses intermediate_size instead). */
  mlp_ratio?: number;
  in_chans: number;
  /** Output width of the patch merger: the language model's hidden size. */
  hidden_size: number;
  patch_size: number;
  spatial_merge_size: number;
  temporal_patch_size: number;
  hidden_act?: string;
  temporal_attention?: TemporalAttentionConfig;
  /** "qwen2_5_vl": the Qwen2.5-VL tower (RMSNorm, SwiGLU MLP, window attention); absent: Qwen2-VL's. */
  model_type?: string;
  /** Qwen2.5-VL: SwiGLU MLP width (Qwen2-VL uses embed_dim · mlp_ratio). */
  intermediate_size?: number;
  /** Qwen2.5-VL: window edge in pixels; blocks outside fullatt_block_indexes attend within windows. */
  window_size?: number;
  fullatt_block_indexes?: number[];
  /** Qwen2.5-VL M-RoPE: temporal position ids advance by this many per second of video. */
  tokens_per_second?: number;
}

export interface VideoLMConfig {
  model_type: string;
  architectures?: string[];
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  rms_norm_eps: number;
  rope_theta: number;
  vocab_size: number;
  tie_word_embeddings: boolean;
  max_position_embeddings?: number;
  hidden_act?: string;
  /** M-RoPE sections (t, h, w) over head_dim/2 rotary frequencies; absent → plain 1D RoPE. */
  rope_scaling?: { type?: string; rope_type?: string; mrope_section?: number[] } | null;
  vision_start_token_id: number;
  vision_end_token_id: number;
  video_token_id: number;
  image_token_id?: number;
  eos_token_id: number | number[];
  bos_token_id?: number;
  vision_config: VisionConfig;
  /** LoRA adapters carried by this checkpoint (tempolab key; removed by export --merge-lora). */
  tempolab_lora?: { rank: number; alpha: number; targets: string[] };
  [key: string]: unknown;
}

export const headDim = (c: VideoLMConfig): number => c.hidden_size / c.num_attention_heads;
export const visionHeadDim = (v: VisionConfig): number => v.embed_dim / v.num_heads;

/** The vision blocks that carry STA, in order. */
export function temporalAttentionLayers(v: VisionConfig): number[] {
  const ta = v.temporal_attention;
  if (!ta) return [];
  return ta.layers === 'all' ? Array.from({ length: v.depth }, (_, i) => i) : [...ta.layers].sort((a, b) => a - b);
}

export function temporalHeads(v: VisionConfig): number {
  return Math.max(1, Math.round((v.temporal_attention?.head_scale ?? 0.25) * v.num_heads));
}

/** M-RoPE sections, or one section covering all rotary frequencies (plain 1D RoPE on t). */
export function mropeSection(c: VideoLMConfig): number[] {
  const section = c.rope_scaling?.mrope_section;
  return section ?? [headDim(c) / 2, 0, 0];
}

/**
 * The activations the model implements: SwiGLU with SiLU in the decoder, QuickGELU in the Qwen2-VL
 * ViT's MLP, SwiGLU with SiLU in the Qwen2.5-VL tower's.
 */
export const SUPPORTED_ACTIVATIONS = { decoder: ['silu'], vision: ['quick_gelu'], visionQwen25: ['silu'] } as const;

function fail(message: string): never {
  throw new TempolabError(`config.json: ${message}`);
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
};
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);

function positiveInteger(value: unknown, key: string): void {
  if (!isInteger(value) || value <= 0) fail(`${key} must be a positive integer, got ${show(value)}`);
}

function numberIn(value: unknown, key: string, low: number, high: number, range: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > low && value < high)) fail(`${key} must be a number ${range}, got ${show(value)}`);
}

function optional(c: Record<string, unknown>, key: string, check: (value: unknown) => void): void {
  if (c[key] !== undefined) check(c[key]);
}

function tokenId(value: unknown, key: string, vocab: number): void {
  if (!isInteger(value) || value < 0 || value >= vocab) fail(`${key} must be a token id in [0, vocab_size ${vocab}), got ${show(value)}`);
}

function activation(value: unknown, key: string, supported: readonly string[]): void {
  if (!supported.includes(value as string)) fail(`${key} ${show(value)} is not supported: tempolab implements ${supported.join(', ')} there`);
}

/**
 * Checks the type and range of every key the model reads, and the invariants the model code relies
 * on; every failure is one line naming the key and what it accepts.
 */
export function validateConfig(c: VideoLMConfig): VideoLMConfig {
  if (!isObject(c)) fail(`must be a JSON object with the Qwen2-VL keys, got ${show(c)}`);
  optional(c, 'model_type', (v) => typeof v !== 'string' && fail(`model_type must be a string, got ${show(v)}`));
  optional(c, 'architectures', (v) => (!Array.isArray(v) || v.some((a) => typeof a !== 'string')) && fail(`architectures must be a list of strings, got ${show(v)}`));
  for (const key of ['hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'vocab_size'] as const) positiveInteger(c[key], key);
  numberIn(c.rms_norm_eps, 'rms_norm_eps', 0, 1, 'in (0, 1), e.g. 1e-6');
  numberIn(c.rope_theta, 'rope_theta', 0, Infinity, '> 0, e.g. 10000 or 1000000');
  if (typeof c.tie_word_embeddings !== 'boolean') fail(`tie_word_embeddings must be true or false, got ${show(c.tie_word_embeddings)}`);
  optional(c, 'max_position_embeddings', (v) => positiveInteger(v, 'max_position_embeddings'));
  optional(c, 'hidden_act', (v) => activation(v, 'hidden_act', SUPPORTED_ACTIVATIONS.decoder));
  for (const key of ['vision_start_token_id', 'vision_end_token_id', 'video_token_id'] as const) tokenId(c[key], key, c.vocab_size);
  for (const key of ['image_token_id', 'bos_token_id'] as const) optional(c, key, (v) => tokenId(v, key, c.vocab_size));
  const eos = c.eos_token_id;
  if (Array.isArray(eos) ? !eos.length : eos === undefined) fail(`eos_token_id must be a token id or a non-empty list of them, got ${show(eos)}`);
  for (const id of [eos].flat()) tokenId(id, 'eos_token_id', c.vocab_size);
  if (c.hidden_size % c.num_attention_heads) fail(`hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`);
  if (c.num_attention_heads % c.num_key_value_heads) fail(`num_attention_heads ${c.num_attention_heads} is not divisible by num_key_value_heads ${c.num_key_value_heads}`);
  if (headDim(c) % 2) fail(`head_dim ${headDim(c)} must be even for rotary embeddings`);
  const scaling = c.rope_scaling;
  if (scaling !== undefined && scaling !== null) {
    if (!isObject(scaling)) fail(`rope_scaling must be an object like {"type": "mrope", "mrope_section": [16, 24, 24]} or null, got ${show(scaling)}`);
    for (const key of ['type', 'rope_type'] as const) optional(scaling, key, (v) => typeof v !== 'string' && fail(`rope_scaling.${key} must be a string, got ${show(v)}`));
    const section = scaling.mrope_section;
    if (section !== undefined) {
      if (!Array.isArray(section) || section.length !== 3 || section.some((x) => !isInteger(x) || x < 0)) {
        fail(`rope_scaling.mrope_section must be three non-negative integers (t, h, w), got ${show(section)}`);
      }
      if (section.reduce((a, b) => a + b, 0) !== headDim(c) / 2) fail(`rope_scaling.mrope_section ${show(section)} must sum to head_dim/2 = ${headDim(c) / 2}`);
    }
  }
  optional(c, 'tempolab_lora', (l) => {
    if (!isObject(l) || !isInteger(l.rank) || l.rank <= 0 || typeof l.alpha !== 'number' || !(l.alpha > 0) || !Array.isArray(l.targets) || l.targets.some((t) => typeof t !== 'string')) {
      fail(`tempolab_lora must be {"rank": positive integer, "alpha": positive number, "targets": [module names]}, got ${show(l)}`);
    }
  });
  validateVisionConfig(c.vision_config, c.hidden_size);
  return c;
}

function validateVisionConfig(v: VisionConfig, hiddenSize: number): void {
  if (!isObject(v)) fail(`vision_config must be an object (tempolab models are Qwen2-VL-style Video-LLMs), got ${show(v)}`);
  for (const key of ['depth', 'embed_dim', 'num_heads', 'patch_size', 'spatial_merge_size', 'temporal_patch_size', 'hidden_size'] as const) positiveInteger(v[key], `vision_config.${key}`);
  if (v.in_chans !== 3) fail(`vision_config.in_chans must be 3 (frames are RGB), got ${show(v.in_chans)}`);
  if (v.model_type === 'qwen2_5_vl') {
    positiveInteger(v.intermediate_size, 'vision_config.intermediate_size');
    positiveInteger(v.window_size, 'vision_config.window_size');
  } else {
    numberIn(v.mlp_ratio, 'vision_config.mlp_ratio', 0, Infinity, '> 0, e.g. 4');
    if (!Number.isInteger(v.embed_dim * v.mlp_ratio!)) fail(`vision_config.embed_dim × mlp_ratio must be an integer (the MLP width), got ${v.embed_dim} × ${v.mlp_ratio}`);
  }
  const tower = v.model_type === 'qwen2_5_vl' ? SUPPORTED_ACTIVATIONS.visionQwen25 : SUPPORTED_ACTIVATIONS.vision;
  optional(v as unknown as Record<string, unknown>, 'hidden_act', (a) => activation(a, 'vision_config.hidden_act', tower));
  if (v.embed_dim % v.num_heads) fail(`vision_config.embed_dim ${v.embed_dim} is not divisible by vision_config.num_heads ${v.num_heads}`);
  if (visionHeadDim(v) % 4) fail(`vision head_dim ${visionHeadDim(v)} must be divisible by 4 (2D rotary: half rows, half columns)`);
  if (v.hidden_size !== hiddenSize) fail(`vision_config.hidden_size ${v.hidden_size} must equal hidden_size ${hiddenSize} (the merger feeds the decoder)`);
  const ta = v.temporal_attention;
  if (ta === undefined || ta === null) return;
  if (!isObject(ta)) fail(`vision_config.temporal_attention must be an object like {"layers": "all", "head_scale": 0.25}, got ${show(ta)}`);
  numberIn(ta.head_scale, 'vision_config.temporal_attention.head_scale', 0, Infinity, '> 0');
  if (ta.layers !== 'all' && (!Array.isArray(ta.layers) || ta.layers.some((i) => !isInteger(i) || i < 0 || i >= v.depth) || new Set(ta.layers).size !== ta.layers.length)) {
    fail(`vision_config.temporal_attention.layers must be "all" or distinct block indices in [0, ${v.depth}), got ${show(ta.layers)}`);
  }
  if (ta.token_order !== undefined && ta.token_order !== 'paper' && ta.token_order !== 'staveq2') fail(`temporal_attention.token_order must be "paper" or "staveq2", got ${show(ta.token_order)}`);
  if (ta.proj_init !== undefined && ta.proj_init !== 'zero' && ta.proj_init !== 'normal') fail(`temporal_attention.proj_init must be "zero" or "normal", got ${show(ta.proj_init)}`);
}

/** Token ids shared by every preset: the special tokens come first in tempolab's word-level vocabularies. */
export interface PresetSpecialTokens {
  endOfText: number;
  imEnd: number;
  visionStart: number;
  visionEnd: number;
  videoPad: number;
  imagePad: number;
}

export const PRESETS = ['tiny', 'small', 'qwen2-vl-2b-shaped', 'qwen2_5-vl-3b-shaped'] as const;
export type PresetName = (typeof PRESETS)[number];

/**
 * Model presets. `tiny` runs in tests in seconds; `small` is the default for the main job (8×32×32
 * clips of 8-px patches → 4 temporal groups × 4×4 patches → 16 video tokens); `qwen2-vl-2b-shaped` has Qwen2-VL-2B's
 * real widths and head counts with only 2 vision and 2 decoder layers, for benchmarks; likewise
 * `qwen2_5-vl-3b-shaped` for Qwen2.5-VL-3B (RMSNorm + SwiGLU vision tower, one windowed block).
 */
export function presetConfig(name: PresetName, vocabSize: number, special: PresetSpecialTokens): VideoLMConfig {
  const shapes = {
    tiny: { hidden: 32, inter: 64, layers: 2, heads: 4, kv: 2, section: [2, 1, 1], vDepth: 2, vEmbed: 32, vHeads: 4, patch: 4 },
    small: { hidden: 128, inter: 384, layers: 4, heads: 4, kv: 2, section: [8, 4, 4], vDepth: 4, vEmbed: 128, vHeads: 4, patch: 8 },
    'qwen2-vl-2b-shaped': { hidden: 1536, inter: 8960, layers: 2, heads: 12, kv: 2, section: [16, 24, 24], vDepth: 2, vEmbed: 1280, vHeads: 16, patch: 14 },
    'qwen2_5-vl-3b-shaped': { hidden: 2048, inter: 11008, layers: 2, heads: 16, kv: 2, section: [16, 24, 24], vDepth: 2, vEmbed: 1280, vHeads: 16, patch: 14 },
  }[name];
  if (!shapes) throw new TempolabError(`unknown preset '${name}'; use ${PRESETS.join(', ')}`);
  const realScale = name === 'qwen2-vl-2b-shaped' || name === 'qwen2_5-vl-3b-shaped';
  // Qwen2.5-VL-3B's vision tower with 2 blocks: block 0 windowed (112 px windows), block 1 full.
  const qwen25 = name === 'qwen2_5-vl-3b-shaped'
    ? { model_type: 'qwen2_5_vl', intermediate_size: 3420, window_size: 112, fullatt_block_indexes: [1], tokens_per_second: 2, hidden_act: 'silu' }
    : undefined;
  return validateConfig({
    model_type: qwen25 ? 'qwen2_5_vl' : 'qwen2_vl',
    architectures: [qwen25 ? 'Qwen2_5_VLForConditionalGeneration' : 'Qwen2VLForConditionalGeneration'],
    hidden_size: shapes.hidden,
    intermediate_size: shapes.inter,
    num_hidden_layers: shapes.layers,
    num_attention_heads: shapes.heads,
    num_key_value_heads: shapes.kv,
    rms_norm_eps: 1e-6,
    rope_theta: realScale ? 1_000_000 : 10_000,
    vocab_size: vocabSize,
    tie_word_embeddings: name !== 'small',
    max_position_embeddings: 32768,
    hidden_act: 'silu',
    rope_scaling: { type: 'mrope', mrope_section: shapes.section },
    vision_start_token_id: special.visionStart,
    vision_end_token_id: special.visionEnd,
    video_token_id: special.videoPad,
    image_token_id: special.imagePad,
    eos_token_id: special.imEnd,
    bos_token_id: special.endOfText,
    vision_config: {
      depth: shapes.vDepth,
      embed_dim: shapes.vEmbed,
      num_heads: shapes.vHeads,
      mlp_ratio: qwen25 ? undefined : 4,
      in_chans: 3,
      hidden_size: shapes.hidden,
      patch_size: shapes.patch,
      spatial_merge_size: 2,
      temporal_patch_size: 2,
      hidden_act: 'quick_gelu',
      ...qwen25,
    },
  });
}
