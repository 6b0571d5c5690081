/**
 * Sliding layer windows (§5): knockouts are applied to k consecutive layers at a time "to reduce
 * noise and improve stability" — k = 5 for the paper's 28-layer model. Smaller models get a window
 * covering the same fraction of their depth. Windows are whole (no window is cut short at the
 * top), so there are L − k + 1 of them, labelled by their first layer.
 */
import { TempolabError } from '../engine/errors.js';
import { knockout, type Intervention } from './interventions.js';
import type { TokenSet } from './tokenSets.js';

/** The paper's k = 5 per 28 layers, scaled to `numLayers`: max(1, round(5·L/28)). */
export function defaultWindowSize(numLayers: number): number {
  checkLayerCount(numLayers);
  return Math.max(1, Math.round((5 * numLayers) / 28));
}

/** Every window of k consecutive layers, in order of its first layer. */
export function slidingWindows(numLayers: number, k = defaultWindowSize(numLayers)): number[][] {
  checkLayerCount(numLayers);
  if (!Number.isInteger(k) || k < 1 || k > numLayers)
    throw new TempolabError(`window size ${k} is out of range: it must be an integer from 1 to the model's ${numLayers} layers`);
  return Array.from({ length: numLayers - k + 1 }, (_, start) => Array.from({ length: k }, (_, i) => start + i));
}

export interface Windowed<T = Intervention> {
  /** The window's first layer: the x coordinate of the paper's plots. */
  start: number;
  layers: number[];
  intervention: T;
}

/** `make(window)` for every sliding window. */
export function overWindows<T>(numLayers: number, k: number | undefined, make: (layers: number[]) => T): Windowed<T>[] {
  return slidingWindows(numLayers, k).map((layers) => ({ start: layers[0]!, layers, intervention: make(layers) }));
}

/** One knockout of targets → sources per window (Figs. 5–6). */
export function windowedKnockouts(targets: TokenSet, sources: TokenSet, numLayers: number, k?: number): Windowed[] {
  return overWindows(numLayers, k, (layers) => knockout({ layers, targets, sources }));
}

function checkLayerCount(numLayers: number): void {
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new TempolabError(`numLayers must be a positive integer, got ${numLayers}`);
}
