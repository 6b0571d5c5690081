/**
 * Prefilling a prompt under strategies: the strategy graph runs once and its per-layer caches (of
 * per-layer lengths) seed the ordinary KV-cache decoder, so generation continues unchanged.
 */
import { countFlops } from '../engine/flops.js';
import { compile, type CompiledGraph, type Feed } from '../engine/runtime.js';
import { headDim } from '../models/config.js';
import { nextPositionId, type Prefilled } from '../models/generate.js';
import type { PromptSpans } from '../models/spans.js';
import type { ForwardRequest, VideoLM } from '../models/videoLM.js';
import { cachedTokens, layoutOf } from './layout.js';
import { traceStrategicPrefill } from './prefillGraph.js';
import type { Strategies } from './strategies.js';

interface Compiled {
  session: CompiledGraph;
  flops: number;
}

const compiled = new WeakMap<VideoLM, Map<string, Promise<Compiled>>>();

function strategicSession(model: VideoLM, request: ForwardRequest, spans: PromptSpans, strategies: Strategies): Promise<Compiled> {
  const layout = layoutOf(spans);
  const [t, h, w] = request.videoGridThw;
  const key = JSON.stringify([layout, [t, h, w], strategies]);
  let byKey = compiled.get(model);
  if (!byKey) compiled.set(model, (byKey = new Map()));
  let c = byKey.get(key);
  if (!c) {
    const graph = traceStrategicPrefill(model.config, { t, h, w }, layout, strategies);
    c = compile(graph).then((session) => ({ session, flops: countFlops(graph).total }));
    byKey.set(key, c);
  }
  return c;
}

/** FLOPs of the strategy prefill graph for this prompt shape (vision encoder included). */
export async function prefillFlops(model: VideoLM, request: ForwardRequest, spans: PromptSpans, strategies: Strategies): Promise<number> {
  return (await strategicSession(model, request, spans, strategies)).flops;
}

/** KV-cache bytes a prefilled prompt holds (float32 keys and values, all layers). */
export function kvCacheBytes(model: VideoLM, prefilled: Prefilled): number {
  const perToken = 2 * model.config.num_key_value_heads * headDim(model.config) * 4;
  return prefilled.cachedLengths.reduce((sum, n) => sum + n * perToken, 0);
}

export async function strategicPrefill(model: VideoLM, request: ForwardRequest, spans: PromptSpans, strategies: Strategies): Promise<Prefilled> {
  const cfg = model.config;
  const layers = cfg.num_hidden_layers;
  const { session } = await strategicSession(model, request, spans, strategies);
  const feeds = model.feeds([request]);
  const out = await session.run(new Map<string, Feed>([...Object.entries(feeds.inputs), ...[...model.params].map(([k, p]) => [k, p.data] as [string, Feed])]));
  const layout = layoutOf(spans);
  return {
    logits: out.logits!.data as Float32Array,
    keys: Array.from({ length: layers }, (_, l) => out[`present_keys.${l}`]!.data as Float32Array),
    values: Array.from({ length: layers }, (_, l) => out[`present_values.${l}`]!.data as Float32Array),
    cachedLengths: Array.from({ length: layers }, (_, l) => cachedTokens(layout, strategies, l).length),
    nextPosition: nextPositionId(feeds.inputs.position_ids as BigInt64Array, 0, layout.seq, layout.seq),
    decoderRope: request.decoderRope ?? new Float32Array(layers).fill(1),
  };
}
