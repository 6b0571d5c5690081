/**
 * Parameter scopes: a model is a plain function that asks its scope for named parameters. Tracing
 * the function records each parameter as a graph input together with its shape, initialiser and
 * decay flag, so one definition gives both the graph and the parameter list (like Flax / nanoGPT).
 * Names follow Hugging Face's dotted convention (`visual.blocks.0.attn.qkv.weight`).
 */
import type { Graph, ParamInit, Tensor } from './graph.js';
import { layerNorm, matmul, rmsNorm } from './composite.js';
import { add, gatherRows } from './ops.js';

export class Scope {
  constructor(
    readonly graph: Graph,
    readonly prefix = '',
  ) {}

  /** A child scope: `scope.sub('blocks').sub(3)` names parameters `blocks.3.*`. */
  sub(name: string | number): Scope {
    return new Scope(this.graph, this.prefix ? `${this.prefix}.${name}` : String(name));
  }

  name(leaf: string): string {
    return this.prefix ? `${this.prefix}.${leaf}` : leaf;
  }

  param(leaf: string, shape: number[], init: ParamInit, decay = shape.length >= 2): Tensor {
    const spec = { name: this.name(leaf), shape, init, decay };
    const weight = this.graph.param(spec);
    return this.graph.adapter ? this.graph.adapter(spec, weight, this.graph) : weight;
  }
}

export interface LinearOptions {
  bias?: boolean;
  /** Standard deviation of the weight initialiser; default 0.02 (GPT-2 / Qwen2 initializer_range). */
  std?: number;
  /** Initialise weight and bias to zero (STA's output projection). */
  zeroInit?: boolean;
}

/** y = x·Wᵀ + b with W stored [out, in] as in PyTorch / Hugging Face. */
export function linear(scope: Scope, x: Tensor, outFeatures: number, options: LinearOptions = {}): Tensor {
  const inFeatures = x.shape[x.rank - 1]!;
  const init: ParamInit = options.zeroInit ? { kind: 'zeros' } : { kind: 'normal', std: options.std ?? 0.02 };
  const weight = scope.param('weight', [outFeatures, inFeatures], init);
  const y = matmul(x, weight, { transB: true });
  return options.bias === false ? y : add(y, scope.param('bias', [outFeatures], { kind: 'zeros' }));
}

export function layerNormLayer(scope: Scope, x: Tensor, eps = 1e-6): Tensor {
  const dim = x.shape[x.rank - 1]!;
  return layerNorm(x, scope.param('weight', [dim], { kind: 'ones' }, false), scope.param('bias', [dim], { kind: 'zeros' }, false), eps);
}

export function rmsNormLayer(scope: Scope, x: Tensor, eps = 1e-6): Tensor {
  const dim = x.shape[x.rank - 1]!;
  return rmsNorm(x, scope.param('weight', [dim], { kind: 'ones' }, false), eps);
}

export function embedding(scope: Scope, ids: Tensor, vocabSize: number, dim: number, std = 0.02): Tensor {
  return gatherRows(scope.param('weight', [vocabSize, dim], { kind: 'normal', std }), ids);
}
