/**
 * Strategies as objects, in the spirit of kvpress' presses: each says, for a model of a given
 * depth, where the pathway mechanisms apply — so they can be built from a ratio of the depth or
 * from explicit layers, composed, and written by a user as any object with a `plan` method. The
 * mechanisms themselves (temporal exit, query → last frame, no inter-frame attention) are what the
 * strategic prefill graph implements; a Strategy chooses their layers, the string form
 * (`exit@0.7,sparse-q@0.35-0.7`) is one way to write the same choice.
 */
import { TempolabError } from '../engine/errors.js';
import { parseStrategies, type Strategies } from './strategies.js';

export interface Strategy {
  /** Shown in reports and benchmark tables. */
  readonly name: string;
  /** The layer plan for a decoder of `numLayers` layers. */
  plan(numLayers: number): Strategies;
}

/** Where a strategy starts: a fraction of the depth (rounded to a layer) or an explicit layer. */
export type LayerPoint = { ratio: number } | { layer: number };
/** Where a ranged strategy applies: fractions of the depth, or explicit layers; half-open [from, to). */
export type LayerSpan = { ratio: readonly [number, number] } | { layers: readonly [number, number] };

function layerAt(point: LayerPoint, numLayers: number, what: string): number {
  if ('ratio' in point) {
    if (!(point.ratio >= 0 && point.ratio <= 1)) throw new TempolabError(`${what}: ratio must be in [0, 1] (a fraction of the decoder depth), got ${point.ratio}`);
    return Math.round(point.ratio * numLayers);
  }
  if (!Number.isInteger(point.layer) || point.layer < 0 || point.layer > numLayers) throw new TempolabError(`${what}: layer must be an integer in 0–${numLayers} for this ${numLayers}-layer model, got ${point.layer}`);
  return point.layer;
}

function spanOf(span: LayerSpan, numLayers: number, what: string): [number, number] {
  const [a, b] = 'ratio' in span ? span.ratio.map((r) => layerAt({ ratio: r }, numLayers, what)) : span.layers.map((l) => layerAt({ layer: l }, numLayers, what));
  if (!(a! <= b!)) throw new TempolabError(`${what}: the range must run forwards (from ≤ to), got ${a}–${b}`);
  return [a!, b!];
}

const label = (what: string, x: LayerPoint | LayerSpan) =>
  'ratio' in x ? `${what}@${Array.isArray(x.ratio) ? x.ratio.join('-') : x.ratio}` : 'layer' in x ? `${what}@layer ${x.layer}` : `${what}@layers ${x.layers.join('-')}`;

/** §6 temporal exit: from that layer on, frame tokens leave the sequence (no compute, no KV cache). */
export function temporalExit(at: LayerPoint): Strategy {
  return { name: label('exit', at), plan: (n) => ({ exitAt: layerAt(at, n, 'temporalExit') }) };
}

/** §6 staged sparse attention: in these layers the tokens after the video attend only to the last frame. */
export function sparseQuery(span: LayerSpan): Strategy {
  return { name: label('sparse-q', span), plan: (n) => ({ sparseQuery: spanOf(span, n, 'sparseQuery') }) };
}

/** §6 staged sparse attention: in these layers frame tokens attend only within their own frame. */
export function noInterFrame(span: LayerSpan): Strategy {
  return { name: label('no-interframe', span), plan: (n) => ({ noInterFrame: spanOf(span, n, 'noInterFrame') }) };
}

/** The string form as a Strategy. */
export function strategyFromSpec(spec: string): Strategy {
  return { name: spec, plan: (n) => parseStrategies(spec, n) };
}

/** Several strategies applied together; two that set the same mechanism are an error, not a silent override. */
export function composeStrategies(...strategies: readonly Strategy[]): Strategy {
  return {
    name: strategies.map((s) => s.name).join(',') || 'none',
    plan: (n) => {
      const out: Strategies = {};
      for (const s of strategies) {
        for (const [key, value] of Object.entries(s.plan(n)) as [keyof Strategies, Strategies[keyof Strategies]][]) {
          if (value === undefined) continue;
          if (out[key] !== undefined) throw new TempolabError(`strategies '${strategies.map((x) => x.name).join("', '")}' both set ${key}; compose strategies that use different mechanisms`);
          (out as Record<string, unknown>)[key] = value;
        }
      }
      return out;
    },
  };
}

/** A plan from any of the forms: the string spec, one Strategy, or several composed. */
export function planStrategies(strategy: string | Strategy | readonly Strategy[], numLayers: number): Strategies {
  const s = typeof strategy === 'string' ? strategyFromSpec(strategy) : Array.isArray(strategy) ? composeStrategies(...(strategy as readonly Strategy[])) : (strategy as Strategy);
  if (typeof s.plan !== 'function') throw new TempolabError('a strategy must be a spec string or an object with a plan(numLayers) method');
  const plan = s.plan(numLayers);
  for (const [key, value] of Object.entries(plan)) {
    const layers = Array.isArray(value) ? value : [value];
    if (layers.some((l) => !Number.isInteger(l) || l < 0 || l > numLayers)) throw new TempolabError(`strategy '${s.name}' planned ${key} = ${JSON.stringify(value)}, outside the model's 0–${numLayers} layers`);
  }
  return plan;
}
