/**
 * Turns a model without STA into one with it (STAVE). The new blocks start as the identity —
 * `proj` is zero and `norm3` is (1, 0) — so the result's outputs equal the input model's exactly;
 * `qkv` gets small random weights so gradients reach it from the first step.
 */
import { TempolabError } from '../engine/errors.js';
import { initParameters } from '../engine/parameters.js';
import { validateConfig, type TemporalAttentionConfig, type VideoLMConfig } from './config.js';
import { parameterSpecs } from './checkpoint.js';
import { VideoLM } from './videoLM.js';

export interface AddTemporalAttentionOptions extends Partial<TemporalAttentionConfig> {
  seed?: number;
}

export function addTemporalAttention(model: VideoLM, options: AddTemporalAttentionOptions = {}): VideoLM {
  if (model.config.vision_config.temporal_attention) throw new TempolabError('the model already has temporal attention; start from a checkpoint without STA');
  const ta: TemporalAttentionConfig = {
    layers: options.layers ?? 'all',
    head_scale: options.head_scale ?? 0.25,
    token_order: options.token_order ?? 'paper',
    proj_init: options.proj_init ?? 'zero',
  };
  const config: VideoLMConfig = validateConfig(structuredClone({ ...model.config, vision_config: { ...model.config.vision_config, temporal_attention: ta } }));
  const added = parameterSpecs(config).filter((s) => !model.params.has(s.name));
  const fresh = initParameters(added, options.seed ?? 0);
  const params = new Map([...model.params, ...fresh]);
  return new VideoLM(config, params, model.tokenizer, [...model.loadLog, `added STA to ${new Set(added.map((p) => p.name.split('.')[2])).size} blocks (${ta.head_scale}× heads, proj ${ta.proj_init}, token order ${ta.token_order})`]);
}
