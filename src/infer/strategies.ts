/**
 * The three pathway-guided strategies of "Causality Matters" §6, as layer ranges that scale with
 * depth (the paper's 28-layer ranges as fractions):
 *  - sparse-q@a-b:      in layers [a·L, b·L) the tokens after the video attend only to the last
 *                       frame's tokens (plus all text);
 *  - no-interframe@a-b: in layers [a·L, b·L) frame tokens attend only within their own frame (plus
 *                       the text before the video);
 *  - exit@a:            from layer a·L on, frame tokens leave the sequence (no compute, no KV cache).
 */
import { TempolabError } from '../engine/errors.js';

export interface Strategies {
  /** Half-open layer range. */
  sparseQuery?: [number, number];
  noInterFrame?: [number, number];
  /** First layer without frame tokens. */
  exitAt?: number;
}

export const STRATEGY_HELP = 'comma-separated: exit@F (e.g. exit@0.7), sparse-q@F-F (e.g. sparse-q@0.35-0.7), no-interframe@F-F (e.g. no-interframe@0.7-1); F is a fraction of the decoder depth';

/** The paper's settings (layers 10–20, 20–28 and 20– of 28), as fractions. */
export const PAPER_STRATEGIES = { sparseQuery: 'sparse-q@0.35-0.7', noInterFrame: 'no-interframe@0.7-1', exit: 'exit@0.7' } as const;

const layerOf = (fraction: number, layers: number) => Math.round(fraction * layers);

export function parseStrategies(spec: string, numLayers: number): Strategies {
  const out: Strategies = {};
  if (spec.trim() === '' || spec === 'none') return out;
  for (const part of spec.split(',').map((p) => p.trim())) {
    const m = /^(exit|sparse-q|no-interframe)@([0-9.]+)(?:-([0-9.]+))?$/.exec(part);
    const bad = () => new TempolabError(`--strategy '${part}' is not understood; ${STRATEGY_HELP}`);
    if (!m) throw bad();
    const [, kind, a, b] = m;
    const from = Number(a);
    if (!(from >= 0 && from <= 1)) throw bad();
    if (kind === 'exit') {
      if (b !== undefined) throw bad();
      out.exitAt = layerOf(from, numLayers);
      continue;
    }
    const to = b === undefined ? 1 : Number(b);
    if (!(to >= from && to <= 1)) throw bad();
    const range: [number, number] = [layerOf(from, numLayers), layerOf(to, numLayers)];
    if (kind === 'sparse-q') out.sparseQuery = range;
    else out.noInterFrame = range;
  }
  return out;
}

export function describeStrategies(s: Strategies): string {
  const parts: string[] = [];
  if (s.sparseQuery) parts.push(`query→last frame in layers ${s.sparseQuery[0]}–${s.sparseQuery[1] - 1}`);
  if (s.noInterFrame) parts.push(`no inter-frame attention in layers ${s.noInterFrame[0]}–${s.noInterFrame[1] - 1}`);
  if (s.exitAt !== undefined) parts.push(`temporal exit from layer ${s.exitAt}`);
  return parts.length ? parts.join('; ') : 'baseline';
}

export const inRange = (layer: number, range?: [number, number]): boolean => !!range && layer >= range[0] && layer < range[1];
