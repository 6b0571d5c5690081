/**
 * Running lowered graphs with onnxruntime-node. Sessions are cached by the hash of the model bytes,
 * so tracing the same model again (same shapes) reuses the compiled session.
 */
import os from 'node:os';
import ort from 'onnxruntime-node';
import { TempolabError } from './errors.js';
import type { DType, Graph, Tensor } from './graph.js';
import { lowerToOnnx, type LoweredModel } from './onnx.js';
import { fmt, sizeOf, type Shape } from './shape.js';

/** Host-side data for a tensor: float32 → Float32Array, int64 → BigInt64Array, bool → Uint8Array. */
export type HostData = Float32Array | BigInt64Array | Uint8Array;

export interface HostTensor {
  data: HostData;
  shape: number[];
}

export type Feed = HostData | number[] | HostTensor;

export interface RuntimeOptions {
  /** 'cpu' (default) or 'cuda' / 'webgpu' where the installed onnxruntime has them. */
  executionProvider?: string;
  threads?: number;
}

export function defaultThreads(): number {
  const fromEnv = Number(process.env.TEMPOLAB_THREADS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : os.availableParallelism();
}

export function runtimeInfo(): { onnxruntimeVersion: string; threads: number; executionProviders: string[] } {
  return {
    onnxruntimeVersion: ort.env.versions.node ?? ort.env.versions.common,
    threads: defaultThreads(),
    executionProviders: ort.listSupportedBackends().map((b) => (b.bundled ? b.name : `${b.name} (not installed)`)),
  };
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/**
 * Whether idle intra-op threads keep spinning after a run (onnxruntime's default). Spinning lowers
 * latency for one busy session, but when several sessions alternate — side-by-side benchmarks — the
 * previous session's spinning threads steal the cores from the next one, so benchmarks turn it off.
 */
let allowSpinning = true;

export function configureRuntime(options: { allowSpinning: boolean }): void {
  allowSpinning = options.allowSpinning;
}

function session(model: LoweredModel, options: RuntimeOptions): Promise<ort.InferenceSession> {
  const ep = options.executionProvider ?? process.env.TEMPOLAB_EP ?? 'cpu';
  const threads = options.threads ?? defaultThreads();
  const key = `${model.hash}:${ep}:${threads}:${allowSpinning}`;
  let s = sessions.get(key);
  if (!s) {
    s = ort.InferenceSession.create(model.bytes, {
      executionProviders: [ep],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      extra: { session: { intra_op: { allow_spinning: allowSpinning ? '1' : '0' } } },
    });
    s.catch(() => sessions.delete(key));
    sessions.set(key, s);
  }
  return s;
}

function toHost(name: string, feed: Feed, shape: Shape, dtype: DType): ort.Tensor {
  const data = Array.isArray(feed) ? feed : 'data' in feed && !ArrayBuffer.isView(feed) ? feed.data : (feed as HostData);
  if (data.length !== sizeOf(shape)) {
    throw new TempolabError(`input '${name}' has ${data.length} values but the graph expects ${dtype}${fmt(shape)} (${sizeOf(shape)} values)`);
  }
  const dims = [...shape];
  switch (dtype) {
    case 'float32':
      if (data instanceof Float32Array) return new ort.Tensor('float32', data, dims);
      if (data instanceof BigInt64Array) break;
      return new ort.Tensor('float32', Float32Array.from(data as ArrayLike<number>), dims);
    case 'int64':
      if (data instanceof BigInt64Array) return new ort.Tensor('int64', data, dims);
      return new ort.Tensor('int64', BigInt64Array.from(Array.from(data as ArrayLike<number>, (v) => BigInt(v))), dims);
    case 'bool':
      if (data instanceof BigInt64Array) break;
      return new ort.Tensor('bool', data instanceof Uint8Array ? data : Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0)), dims);
  }
  throw new TempolabError(`input '${name}': cannot feed ${data.constructor.name} as ${dtype}`);
}

/** A graph lowered to ONNX and compiled by onnxruntime: call `run` with host arrays. */
export class CompiledGraph {
  private constructor(
    readonly model: LoweredModel,
    private readonly inputSpecs: Map<string, { shape: Shape; dtype: DType }>,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(graph: Graph, outputs?: Record<string, Tensor>, options: RuntimeOptions = {}): Promise<CompiledGraph> {
    const model = lowerToOnnx(graph, outputs);
    const specs = new Map(model.inputNames.map((n) => {
      const t = graph.inputs.get(n)!.tensor;
      return [n, { shape: t.shape, dtype: t.dtype }] as const;
    }));
    return new CompiledGraph(model, specs, await session(model, options));
  }

  get inputNames(): string[] {
    return this.model.inputNames;
  }

  inputSpec(name: string): { shape: Shape; dtype: DType } | undefined {
    return this.inputSpecs.get(name);
  }

  /** Runs the graph. Extra feeds are ignored, so callers may pass a whole parameter store. */
  async run(feeds: Record<string, Feed> | Map<string, Feed>): Promise<Record<string, HostTensor>> {
    const get = (n: string) => (feeds instanceof Map ? feeds.get(n) : feeds[n]);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, spec] of this.inputSpecs) {
      const feed = get(name);
      if (feed === undefined) throw new TempolabError(`missing input '${name}' ${spec.dtype}${fmt(spec.shape)}`);
      ortFeeds[name] = toHost(name, feed, spec.shape, spec.dtype);
    }
    const results = await this.session.run(ortFeeds);
    const out: Record<string, HostTensor> = {};
    for (const name of this.model.outputNames) {
      const t = results[name]!;
      out[name] = { data: t.data as HostData, shape: [...t.dims] };
    }
    return out;
  }
}

/** Lowers and compiles `graph` (or just the given outputs). */
export function compile(graph: Graph, outputs?: Record<string, Tensor>, options?: RuntimeOptions): Promise<CompiledGraph> {
  return CompiledGraph.create(graph, outputs, options);
}
