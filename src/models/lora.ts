/**
 * LoRA (Hu et al.): a frozen weight W [out, in] is used as W + (α/r)·B·A with A [r, in] and
 * B [out, r] trainable. B starts at zero, so adding adapters changes nothing until training moves
 * it. Tensor names follow PEFT: `<module>.lora_A.weight`, `<module>.lora_B.weight`.
 */
import type { Graph, ParamAdapter, ParamSpec, Tensor } from '../engine/graph.js';
import { matmul } from '../engine/composite.js';
import { add, mul } from '../engine/ops.js';
import type { ParameterStore } from '../engine/parameters.js';
import { TempolabError } from '../engine/errors.js';

export interface LoraConfig {
  rank: number;
  alpha: number;
  /** Regexes over module names (the weight name without `.weight`). */
  targets: string[];
}

/** q/k/v/o and MLP projections of the vision encoder (Qwen2-VL's fc1/fc2, Qwen2.5-VL's SwiGLU) and the decoder (STAVE stage 2). */
export const DEFAULT_LORA_TARGETS = [
  '^visual\\.blocks\\.\\d+\\.attn\\.(qkv|proj)$',
  '^visual\\.blocks\\.\\d+\\.mlp\\.(fc1|fc2|gate_proj|up_proj|down_proj)$',
  '^model\\.layers\\.\\d+\\.self_attn\\.(q|k|v|o)_proj$',
  '^model\\.layers\\.\\d+\\.mlp\\.(gate|up|down)_proj$',
];

export const loraScale = (c: LoraConfig): number => c.alpha / c.rank;
export const isLoraParameter = (name: string): boolean => /\.lora_[AB]\.weight$/.test(name);

function targetModule(config: LoraConfig, spec: ParamSpec): string | null {
  if (!spec.name.endsWith('.weight') || spec.shape.length !== 2) return null;
  const module = spec.name.slice(0, -'.weight'.length);
  return config.targets.some((t) => new RegExp(t).test(module)) ? module : null;
}

export function loraAdapter(config: LoraConfig): ParamAdapter {
  if (!(Number.isInteger(config.rank) && config.rank > 0)) throw new TempolabError(`LoRA rank must be a positive integer, got ${config.rank}`);
  return (spec: ParamSpec, weight: Tensor, graph: Graph): Tensor => {
    const module = targetModule(config, spec);
    if (!module) return weight;
    const [out, inFeatures] = spec.shape as [number, number];
    const a = graph.param({ name: `${module}.lora_A.weight`, shape: [config.rank, inFeatures], init: { kind: 'uniform', bound: 1 / Math.sqrt(inFeatures) }, decay: true });
    const b = graph.param({ name: `${module}.lora_B.weight`, shape: [out, config.rank], init: { kind: 'zeros' }, decay: true });
    return add(weight, mul(matmul(b, a), loraScale(config)));
  };
}

/** W ← W + (α/r)·B·A for every adapted module; the adapters are removed. */
export function mergeLora(params: ParameterStore, config: LoraConfig): ParameterStore {
  const merged: ParameterStore = new Map();
  const scale = loraScale(config);
  for (const [name, p] of params) {
    if (isLoraParameter(name)) continue;
    const module = name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : null;
    const a = module ? params.get(`${module}.lora_A.weight`) : undefined;
    const b = module ? params.get(`${module}.lora_B.weight`) : undefined;
    if (!a || !b) {
      merged.set(name, { shape: [...p.shape], data: p.data.slice() });
      continue;
    }
    const [out, inFeatures] = p.shape as [number, number];
    const r = a.shape[0]!;
    const data = p.data.slice();
    for (let i = 0; i < out; i++)
      for (let k = 0; k < r; k++) {
        const bik = b.data[i * r + k]! * scale;
        if (bik === 0) continue;
        for (let j = 0; j < inFeatures; j++) data[i * inFeatures + j]! += bik * a.data[k * inFeatures + j]!;
      }
    merged.set(name, { shape: [...p.shape], data });
  }
  return merged;
}
