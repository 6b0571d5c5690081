/** A named store of float32 parameters, and their seeded initialisation from a traced model's specs. */
import { TempolabError } from './errors.js';
import type { Graph, ParamSpec } from './graph.js';
import { Random } from './random.js';
import { fmt, sameShape, sizeOf, type Shape } from './shape.js';

export interface ParameterTensor {
  shape: number[];
  data: Float32Array;
}

export type ParameterStore = Map<string, ParameterTensor>;

/** Creates every parameter of `specs` (or of a traced graph) with its declared initialiser. */
export function initParameters(specsOrGraph: ParamSpec[] | Graph, seed: number): ParameterStore {
  const specs = Array.isArray(specsOrGraph) ? specsOrGraph : specsOrGraph.parameters;
  const store: ParameterStore = new Map();
  for (const spec of specs) {
    // A per-name stream: adding a parameter elsewhere does not change this one's values.
    const rng = new Random(seed ^ hashName(spec.name));
    const data = new Float32Array(sizeOf(spec.shape));
    const init = spec.init;
    if (init.kind === 'ones') data.fill(1);
    else if (init.kind === 'normal') for (let i = 0; i < data.length; i++) data[i] = rng.normal() * init.std;
    else if (init.kind === 'uniform') for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-init.bound, init.bound);
    store.set(spec.name, { shape: [...spec.shape], data });
  }
  return store;
}

function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Throws a one-line error naming the first parameter that is missing or mis-shaped. */
export function checkParameters(store: ParameterStore, specs: { name: string; shape: Shape }[], source = 'parameters'): void {
  for (const spec of specs) {
    const p = store.get(spec.name);
    if (!p) throw new TempolabError(`${source} lack tensor ${spec.name} (expected ${fmt(spec.shape)})`);
    if (!sameShape(p.shape, spec.shape)) throw new TempolabError(`${source} have ${spec.name} ${fmt(p.shape)} but the model expects ${fmt(spec.shape)}`);
  }
}

/** A deep copy (Float32Arrays are copied), e.g. to keep the base model while fine-tuning. */
export function cloneParameters(store: ParameterStore): ParameterStore {
  return new Map([...store].map(([k, v]) => [k, { shape: [...v.shape], data: v.data.slice() }]));
}
