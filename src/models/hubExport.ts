/**
 * Exporting a model as what a Hugging Face loader really loads. A checkpoint with STA tensors is not
 * a Qwen2-VL checkpoint: transformers' Qwen2VLForConditionalGeneration would load it, drop every
 * `temp_attn` / `norm3` tensor without an error, and run a different model. So the export names the
 * class that does load it — the STAVEQ2 authors' CustomQwen2VLForConditionalGeneration (their
 * create_base.py saves it with `save_pretrained`, config `model_type` "qwen2_vl") — and says so;
 * only a checkpoint without STA and without unmerged LoRA is labelled plain Qwen2-VL. Beside the
 * weights go the processor settings (preprocessor_config.json) and the chat template
 * (chat_template.json) that reproduce tempolab's own pixel values and prompts.
 */
import path from 'node:path';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { mergeAdapters } from './adapters.js';
import { saveVideoLM } from './checkpoint.js';
import { temporalAttentionLayers, type VideoLMConfig } from './config.js';
import { CLIP_MEAN, CLIP_STD } from './processor.js';
import { VideoLM } from './videoLM.js';

export const QWEN2VL_ARCHITECTURE = 'Qwen2VLForConditionalGeneration';
/** The class name the public STAVEQ2 code saves its models under. */
export const STAVEQ2_ARCHITECTURE = 'CustomQwen2VLForConditionalGeneration';

export type ExportKind = 'qwen2-vl' | 'staveq2' | 'tempolab-lora';

export interface ExportSummary {
  kind: ExportKind;
  architectures: string[];
  files: string[];
  /** What a user must know to load the directory elsewhere, one sentence each. */
  notes: string[];
}

/**
 * Qwen2-VL's chat template for one video per user turn, laid out exactly as tempolab's
 * videoChatPrompt: a default system turn, then `<|vision_start|><|video_pad|><|vision_end|>` before
 * the question (the processor expands the single pad to the clip's token count).
 */
export const CHAT_TEMPLATE = [
  "{% for message in messages %}",
  "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}",
  "<|im_start|>{{ message['role'] }}\n",
  "{% if message['content'] is string %}{{ message['content'] }}",
  "{% else %}{% for part in message['content'] %}",
  "{% if part['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>",
  "{% elif part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>",
  "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}",
  "{% endfor %}{% endif %}<|im_end|>\n",
  "{% endfor %}",
  "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}",
].join('');

/**
 * Qwen2VLImageProcessor settings that give tempolab's pixel values: CLIP mean and std, the model's
 * patch, merge and temporal patch sizes, and a pixel floor of one merge window so the small frames
 * tempolab trains on are not upscaled (the processor's default floor is 56×56).
 */
export function preprocessorConfig(cfg: VideoLMConfig): Record<string, unknown> {
  const v = cfg.vision_config;
  const factor = v.patch_size * v.spatial_merge_size;
  return {
    image_processor_type: 'Qwen2VLImageProcessor',
    processor_class: 'Qwen2VLProcessor',
    do_convert_rgb: true,
    do_resize: true,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: CLIP_MEAN,
    image_std: CLIP_STD,
    patch_size: v.patch_size,
    temporal_patch_size: v.temporal_patch_size,
    merge_size: v.spatial_merge_size,
    min_pixels: factor * factor,
    max_pixels: 12_845_056,
  };
}

/** Writes `model` to `dir` as a Hugging Face model directory and says what loads it. */
export async function exportForHub(model: VideoLM, dir: string, options: { mergeLora?: boolean } = {}): Promise<ExportSummary> {
  const merged = options.mergeLora ? mergeAdapters(model) : model;
  const config = structuredClone(merged.config);
  const sta = temporalAttentionLayers(config.vision_config);
  const notes: string[] = [];
  let kind: ExportKind;
  if (config.tempolab_lora) {
    kind = 'tempolab-lora';
    config.architectures = [sta.length ? STAVEQ2_ARCHITECTURE : QWEN2VL_ARCHITECTURE];
    notes.push('LoRA adapters are kept as separate lora_A/lora_B tensors, which no Hugging Face class folds in: export with --merge-lora for a loadable checkpoint');
  } else if (sta.length) {
    kind = 'staveq2';
    config.architectures = [STAVEQ2_ARCHITECTURE];
    notes.push(`a STAVEQ2 checkpoint: STA in vision blocks ${sta.join(', ')}; load it with the STAVEQ2 authors' ${STAVEQ2_ARCHITECTURE} (github.com/AliRasekh/STAVEQ2) or tempolab — transformers' ${QWEN2VL_ARCHITECTURE} would silently drop the temp_attn and norm3 tensors`);
    if ((config.vision_config.temporal_attention?.token_order ?? 'paper') === 'paper') {
      notes.push("its STA uses the paper's token order; the STAVEQ2 code writes temporal-attention rows in its own order, so it computes a different function unless the model was trained with --token-order staveq2");
    }
  } else {
    kind = 'qwen2-vl';
    config.architectures = [QWEN2VL_ARCHITECTURE];
  }
  config.model_type = 'qwen2_vl';
  await saveVideoLM(new VideoLM(config, merged.params, merged.tokenizer, merged.loadLog), dir);
  await writeFileAtomic(path.join(dir, 'preprocessor_config.json'), `${JSON.stringify(preprocessorConfig(config), null, 2)}\n`);
  await writeFileAtomic(path.join(dir, 'chat_template.json'), `${JSON.stringify({ chat_template: CHAT_TEMPLATE }, null, 2)}\n`);
  const files = ['config.json', 'model.safetensors', ...(merged.tokenizer ? ['tokenizer.json', 'tokenizer_config.json'] : []), 'preprocessor_config.json', 'chat_template.json'];
  if (!merged.tokenizer) notes.push('the model has no tokenizer; copy tokenizer.json and tokenizer_config.json beside it before loading');
  return { kind, architectures: config.architectures, files, notes };
}
