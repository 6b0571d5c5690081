/**
 * compileTrainStep: forward + loss + gradients of the trainable parameters + clipping + AdamW, as
 * ONE graph run by one session.run. Frozen parameters are plain inputs: no gradient nodes, no
 * optimizer state, never written.
 */
import { grad } from './autodiff.js';
import { TempolabError } from './errors.js';
import type { Graph, ParamSpec, Tensor } from './graph.js';
import { adamwUpdate, clipByGlobalNorm, DEFAULT_ADAMW, type AdamWConfig } from './optimizer.js';
import type { ParameterStore } from './parameters.js';
import { compile, type CompiledGraph, type Feed, type RuntimeOptions } from './runtime.js';
import { fmt } from './shape.js';

export interface TrainStepOptions extends Partial<AdamWConfig> {
  /** The loss: a scalar output name of the graph, or the tensor itself. Default 'loss'. */
  loss?: string | Tensor;
  /** Which parameters train; the rest are frozen. Default: all. */
  trainable?: (name: string) => boolean;
  /** Extra graph outputs to return each step (e.g. logits for accuracy). */
  extraOutputs?: string[];
  runtime?: RuntimeOptions;
}

/** AdamW moments of the trainable parameters and the number of steps taken. */
export interface OptimizerState {
  step: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export interface StepResult {
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  extra: Record<string, Float32Array | BigInt64Array | Uint8Array>;
}

const M = (name: string) => `adam.m.${name}`;
const V = (name: string) => `adam.v.${name}`;
const NEXT = (name: string) => `next.${name}`;

export class TrainStep {
  constructor(
    readonly compiled: CompiledGraph,
    /** The step's graph outputs (loss, gradNorm, next.* tensors), for inspection and the interpreter. */
    readonly outputs: Record<string, Tensor>,
    readonly trainable: ParamSpec[],
    readonly frozen: ParamSpec[],
    private readonly extraOutputs: string[],
  ) {}

  /** Zero moments for every trainable parameter. */
  initState(): OptimizerState {
    const zeros = () => new Map(this.trainable.map((p) => [p.name, new Float32Array(p.shape.reduce((a, b) => a * b, 1))]));
    return { step: 0, m: zeros(), v: zeros() };
  }

  /**
   * Runs one step with learning rate `lr`, replacing the trainable parameters in `params` and the
   * moments in `state` with their updated values.
   */
  async run(params: ParameterStore, state: OptimizerState, batch: Record<string, Feed>, lr: number): Promise<StepResult> {
    const feeds = new Map<string, Feed>(Object.entries(batch));
    for (const [name, p] of params) feeds.set(name, p.data);
    for (const p of this.trainable) {
      feeds.set(M(p.name), state.m.get(p.name)!);
      feeds.set(V(p.name), state.v.get(p.name)!);
    }
    feeds.set('train.step', new Float32Array([state.step + 1]));
    feeds.set('train.lr', new Float32Array([lr]));
    const out = await this.compiled.run(feeds);
    const loss = (out.loss!.data as Float32Array)[0]!;
    const gradNorm = (out.gradNorm!.data as Float32Array)[0]!;
    for (const p of this.trainable) {
      params.get(p.name)!.data = out[NEXT(p.name)]!.data as Float32Array;
      state.m.set(p.name, out[NEXT(M(p.name))]!.data as Float32Array);
      state.v.set(p.name, out[NEXT(V(p.name))]!.data as Float32Array);
    }
    state.step += 1;
    return { loss, gradNorm, extra: Object.fromEntries(this.extraOutputs.map((n) => [n, out[n]!.data])) };
  }
}

/** Appends the backward pass and optimizer to `graph` and compiles the whole step. */
export async function compileTrainStep(graph: Graph, options: TrainStepOptions = {}): Promise<TrainStep> {
  const loss = typeof options.loss === 'object' ? options.loss : graph.outputs.get(options.loss ?? 'loss');
  if (!loss) throw new TempolabError(`compileTrainStep: the graph has no output '${options.loss ?? 'loss'}'; pass options.loss`);
  if (loss.rank !== 0) throw new TempolabError(`compileTrainStep: loss must be a scalar, got ${fmt(loss.shape)}`);
  const config: AdamWConfig = { ...DEFAULT_ADAMW, ...stripUndefined(options) };
  const isTrainable = options.trainable ?? (() => true);
  const specs = graph.parameters;
  const trainable = specs.filter((p) => isTrainable(p.name));
  const frozen = specs.filter((p) => !isTrainable(p.name));
  if (trainable.length === 0) throw new TempolabError('compileTrainStep: no trainable parameters (check the trainable filter)');

  const paramTensors = trainable.map((p) => graph.inputs.get(p.name)!.tensor);
  const { norm, clipped } = clipByGlobalNorm(grad(loss, paramTensors), config.maxGradNorm);
  const step = graph.input('train.step', []);
  const lr = graph.input('train.lr', []);
  const outputs: Record<string, Tensor> = { loss, gradNorm: norm };
  trainable.forEach((p, i) => {
    const m = graph.input(M(p.name), p.shape);
    const v = graph.input(V(p.name), p.shape);
    const next = adamwUpdate(paramTensors[i]!, clipped[i]!, m, v, step, lr, p.decay, config);
    outputs[NEXT(p.name)] = next.param;
    outputs[NEXT(M(p.name))] = next.m;
    outputs[NEXT(V(p.name))] = next.v;
  });
  const extraOutputs = options.extraOutputs ?? [];
  for (const name of extraOutputs) {
    const t = graph.outputs.get(name);
    if (!t) throw new TempolabError(`compileTrainStep: extra output '${name}' is not a graph output`);
    outputs[name] = t;
  }
  return new TrainStep(await compile(graph, outputs, options.runtime), outputs, trainable, frozen, extraOutputs);
}

function stripUndefined(o: Partial<AdamWConfig>): Partial<AdamWConfig> {
  const keys: (keyof AdamWConfig)[] = ['beta1', 'beta2', 'eps', 'weightDecay', 'maxGradNorm'];
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
