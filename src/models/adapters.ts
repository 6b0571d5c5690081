/** Adding LoRA adapters to a model, and exporting a model with them merged into plain weights. */
import { TempolabError } from '../engine/errors.js';
import { initParameters } from '../engine/parameters.js';
import { parameterSpecs } from './checkpoint.js';
import { DEFAULT_LORA_TARGETS, mergeLora, type LoraConfig } from './lora.js';
import { VideoLM } from './videoLM.js';

/** A copy of `model` with LoRA adapters (B = 0, so outputs are unchanged) on the targeted projections. */
export function withLora(model: VideoLM, lora: Partial<LoraConfig> & { seed?: number } = {}): VideoLM {
  if (model.config.tempolab_lora) throw new TempolabError('the model already has LoRA adapters; merge them first (tempolab export --merge-lora)');
  const config = structuredClone(model.config);
  config.tempolab_lora = { rank: lora.rank ?? 8, alpha: lora.alpha ?? 16, targets: lora.targets ?? DEFAULT_LORA_TARGETS };
  const added = parameterSpecs(config).filter((s) => !model.params.has(s.name));
  if (!added.length) throw new TempolabError(`no parameter matches the LoRA targets ${JSON.stringify(config.tempolab_lora.targets)}`);
  return new VideoLM(config, new Map([...model.params, ...initParameters(added, lora.seed ?? 0)]), model.tokenizer, model.loadLog);
}

/** The same model with W + (α/r)·B·A folded into each adapted weight: a plain HF-layout checkpoint. */
export function mergeAdapters(model: VideoLM): VideoLM {
  const lora = model.config.tempolab_lora;
  if (!lora) return model;
  const config = structuredClone(model.config);
  delete config.tempolab_lora;
  return new VideoLM(config, mergeLora(model.params, lora), model.tokenizer, model.loadLog);
}
