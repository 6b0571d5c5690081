/**
 * Interventions as data. Each is a plain JSON-able value naming what to change — which layers,
 * which token spans, which seed — and nothing about a particular prompt or model, so one list
 * describes an experiment for every question and can be written to a report as is.
 * `compileInterventions` turns a list into the compiled graph's run-time inputs.
 *
 * Names follow "Causality Matters" (Shi et al., AAAI 2026): §4 positional-encoding probes, §5
 * attention knockouts (Eq. 4–5) and the spatiotemporal assembly masks of Fig. 9.
 */
import { TempolabError } from '../engine/errors.js';
import type { LayerSpec } from './context.js';
import { checkTokenSet, type TokenSet } from './tokenSets.js';

/** §4.1: no rotary embedding in these decoder layers (Fig. 2 ablates one layer at a time). */
export interface AblatePE { kind: 'ablatePE'; layers: LayerSpec }

/**
 * §4.2: permute the position ids among the video tokens or among the query (the question's
 * tokens), in one layer (the paper: the first) or in every layer. A token's whole (t, h, w) triple
 * moves together; every other token keeps its ids. One layer only needs per-layer ids, see
 * CompiledInputs.layerPositionIds.
 */
export interface ShufflePositions { kind: 'shufflePositions'; modality: 'video' | 'query'; layer: number | 'all'; seed: number }

/** §4.3 "Reverse PE": frames stay in order; their position ids run backwards (frame 1 gets N's ids). */
export interface ReversePE { kind: 'reversePE' }

/**
 * §4.3 "Reverse Order": the frames enter the model backwards. `positionIds: 'withFrames'` (the
 * §4.3 experiment, and §5.4's "reverse both") lets every frame keep its original ids, so the ids
 * also run N…1 along the sequence; `'inPlace'` (§5.4's plain reversal) leaves the ids where they
 * were, so the reversed clip gets ordinary ids 1…N.
 */
export interface ReverseFrames { kind: 'reverseFrames'; positionIds: 'withFrames' | 'inPlace' }

/** Eq. 4–5: in these layers, no target token may attend to any source token. */
export interface Knockout { kind: 'knockout'; layers: LayerSpec; targets: TokenSet; sources: TokenSet }

/** §5.2 "Inter-frame": each frame's tokens may not attend to earlier frames' tokens. */
export interface InterFrame { kind: 'interFrame'; layers: LayerSpec }

/** §5.2 "Frame-to-query": the text after the video may not attend to any frame token. */
export interface FrameToQuery { kind: 'frameToQuery'; layers: LayerSpec }

/** §5.3: the text after the video sees only this frame's video tokens (and every non-video token). */
export interface RestrictQueryToFrame { kind: 'restrictQueryToFrame'; frame: number; layers: LayerSpec }

/**
 * §5.5 (Fig. 9) assembly masks. Frame tokens keep all attention within their own frame and to text;
 * towards earlier frames they see only:
 * - `correspondingArea`: tokens within `radius` rows and columns of their own spatial position, in every earlier frame;
 * - `previousFrame`: every token of the immediately preceding frame;
 * - `correspondingAreaInPreviousFrame`: tokens within `radius` of their position, in the preceding frame only.
 */
export interface CorrespondingArea { kind: 'correspondingArea'; radius: number; layers: LayerSpec }
export interface PreviousFrame { kind: 'previousFrame'; layers: LayerSpec }
export interface CorrespondingAreaInPreviousFrame { kind: 'correspondingAreaInPreviousFrame'; radius: number; layers: LayerSpec }

/**
 * Vision-side interventions on STAVE's stacked temporal attention, per vision block (`blocks`
 * counts vision encoder blocks from 0, and every named block must carry STA):
 * - `staOff`: STA's residual update is multiplied by 0 — the block runs as if it had no STA;
 * - `temporalKnockout`: STA's frames may not attend to other frames (its mask keeps only the
 *   diagonal), so no information crosses frames there while STA's per-frame path stays;
 * - `ablateTemporalPE`: no 1D RoPE over the frame index in STA.
 */
export interface StaOff { kind: 'staOff'; blocks: LayerSpec }
export interface TemporalKnockout { kind: 'temporalKnockout'; blocks: LayerSpec }
export interface AblateTemporalPE { kind: 'ablateTemporalPE'; blocks: LayerSpec }
export type VisionIntervention = StaOff | TemporalKnockout | AblateTemporalPE;

/** Interventions that only add −∞ entries to the decoder's attention masks. */
export type MaskIntervention =
  | Knockout | InterFrame | FrameToQuery | RestrictQueryToFrame
  | CorrespondingArea | PreviousFrame | CorrespondingAreaInPreviousFrame;

export type Intervention = AblatePE | ShufflePositions | ReversePE | ReverseFrames | MaskIntervention | VisionIntervention;

export const INTERVENTION_KINDS = [
  'ablatePE', 'shufflePositions', 'reversePE', 'reverseFrames', 'knockout', 'interFrame', 'frameToQuery',
  'restrictQueryToFrame', 'correspondingArea', 'previousFrame', 'correspondingAreaInPreviousFrame',
  'staOff', 'temporalKnockout', 'ablateTemporalPE',
] as const satisfies readonly Intervention['kind'][];

const MASK_KINDS: ReadonlySet<string> = new Set<MaskIntervention['kind']>([
  'knockout', 'interFrame', 'frameToQuery', 'restrictQueryToFrame', 'correspondingArea', 'previousFrame', 'correspondingAreaInPreviousFrame',
]);

export const isMaskIntervention = (iv: Intervention): iv is MaskIntervention => MASK_KINDS.has(iv.kind);

const VISION_KINDS: ReadonlySet<string> = new Set<VisionIntervention['kind']>(['staOff', 'temporalKnockout', 'ablateTemporalPE']);

export const isVisionIntervention = (iv: Intervention): iv is VisionIntervention => VISION_KINDS.has(iv.kind);

// Constructors: they check everything that does not depend on the model or the prompt, so a typo
// fails where it is written; layer and frame ranges are checked by compileInterventions.

export function ablatePE({ layers }: { layers: LayerSpec }): AblatePE {
  return checked({ kind: 'ablatePE', layers });
}

export function shufflePositions({ modality, layer = 0, seed = 0 }: { modality: 'video' | 'query'; layer?: number | 'all'; seed?: number }): ShufflePositions {
  return checked({ kind: 'shufflePositions', modality, layer, seed });
}

export function reversePE(): ReversePE {
  return { kind: 'reversePE' };
}

export function reverseFrames({ positionIds = 'withFrames' }: { positionIds?: 'withFrames' | 'inPlace' } = {}): ReverseFrames {
  return checked({ kind: 'reverseFrames', positionIds });
}

export function knockout({ layers, targets, sources }: { layers: LayerSpec; targets: TokenSet; sources: TokenSet }): Knockout {
  return checked({ kind: 'knockout', layers, targets, sources });
}

export function interFrame({ layers }: { layers: LayerSpec }): InterFrame {
  return checked({ kind: 'interFrame', layers });
}

export function frameToQuery({ layers }: { layers: LayerSpec }): FrameToQuery {
  return checked({ kind: 'frameToQuery', layers });
}

export function restrictQueryToFrame({ frame, layers = 'all' }: { frame: number; layers?: LayerSpec }): RestrictQueryToFrame {
  return checked({ kind: 'restrictQueryToFrame', frame, layers });
}

export function correspondingArea({ radius, layers = 'all' }: { radius: number; layers?: LayerSpec }): CorrespondingArea {
  return checked({ kind: 'correspondingArea', radius, layers });
}

export function previousFrame({ layers = 'all' }: { layers?: LayerSpec } = {}): PreviousFrame {
  return checked({ kind: 'previousFrame', layers });
}

export function correspondingAreaInPreviousFrame({ radius, layers = 'all' }: { radius: number; layers?: LayerSpec }): CorrespondingAreaInPreviousFrame {
  return checked({ kind: 'correspondingAreaInPreviousFrame', radius, layers });
}

export function staOff({ blocks = 'all' }: { blocks?: LayerSpec } = {}): StaOff {
  return checked({ kind: 'staOff', blocks });
}

export function temporalKnockout({ blocks = 'all' }: { blocks?: LayerSpec } = {}): TemporalKnockout {
  return checked({ kind: 'temporalKnockout', blocks });
}

export function ablateTemporalPE({ blocks = 'all' }: { blocks?: LayerSpec } = {}): AblateTemporalPE {
  return checked({ kind: 'ablateTemporalPE', blocks });
}

function checked<T extends Intervention>(iv: T): T {
  checkIntervention(iv);
  return iv;
}

/**
 * Checks an intervention's shape — for values built by hand or read back from JSON, which did not
 * pass through a constructor. Throws a one-line TempolabError naming the field and what it takes.
 */
export function checkIntervention(iv: Intervention): void {
  if (iv === null || typeof iv !== 'object' || !(INTERVENTION_KINDS as readonly string[]).includes((iv as { kind?: unknown }).kind as string))
    throw new TempolabError(`unknown intervention ${JSON.stringify(iv)}: its kind must be one of ${INTERVENTION_KINDS.join(', ')}`);
  const what = iv.kind;
  if ('layers' in iv) checkLayerSpec(iv.layers, what);
  if ('blocks' in iv) checkLayerSpec(iv.blocks, what);
  switch (iv.kind) {
    case 'shufflePositions':
      if (iv.modality !== 'video' && iv.modality !== 'query') throw new TempolabError(`shufflePositions: modality must be "video" or "query", got ${JSON.stringify(iv.modality)}`);
      if (iv.layer !== 'all' && !(Number.isInteger(iv.layer) && iv.layer >= 0)) throw new TempolabError(`shufflePositions: layer must be a non-negative integer or "all", got ${JSON.stringify(iv.layer)}`);
      if (!Number.isInteger(iv.seed)) throw new TempolabError(`shufflePositions: seed must be an integer, got ${JSON.stringify(iv.seed)}`);
      return;
    case 'reverseFrames':
      if (iv.positionIds !== 'withFrames' && iv.positionIds !== 'inPlace') throw new TempolabError(`reverseFrames: positionIds must be "withFrames" or "inPlace", got ${JSON.stringify(iv.positionIds)}`);
      return;
    case 'knockout':
      checkTokenSet(iv.targets, 'knockout targets');
      checkTokenSet(iv.sources, 'knockout sources');
      return;
    case 'restrictQueryToFrame':
      if (!Number.isInteger(iv.frame) || iv.frame < 0) throw new TempolabError(`restrictQueryToFrame: frame must be a non-negative integer (frames count from 0), got ${JSON.stringify(iv.frame)}`);
      return;
    case 'correspondingArea':
    case 'correspondingAreaInPreviousFrame':
      if (!Number.isInteger(iv.radius) || iv.radius < 0) throw new TempolabError(`${what}: radius must be a non-negative integer (rows and columns of the merged grid), got ${JSON.stringify(iv.radius)}`);
      return;
    default:
      return;
  }
}

function checkLayerSpec(layers: LayerSpec, what: string): void {
  if (layers === 'all') return;
  if (!Array.isArray(layers) || layers.length === 0)
    throw new TempolabError(`${what}: layers must be a non-empty list of decoder layer indices or "all", got ${JSON.stringify(layers)}`);
  for (const l of layers)
    if (!Number.isInteger(l) || l < 0) throw new TempolabError(`${what}: layer ${JSON.stringify(l)} is not a layer index: layers are integers counted from 0`);
}

/** A short human-readable name, for report legends and logs. */
export function describeIntervention(iv: Intervention): string {
  const layers = (spec: LayerSpec) => (spec === 'all' ? 'all layers' : spec.length === 1 ? `layer ${spec[0]}` : `layers ${spec.join(',')}`);
  const set = (s: TokenSet): string => (typeof s === 'string' ? s : Array.isArray(s) ? (s as readonly TokenSet[]).map(set).join('+') : JSON.stringify(s).replace(/"/g, ''));
  switch (iv.kind) {
    case 'ablatePE': return `no PE in ${layers(iv.layers)}`;
    case 'shufflePositions': return `shuffle ${iv.modality} position ids in ${iv.layer === 'all' ? 'all layers' : `layer ${iv.layer}`} (seed ${iv.seed})`;
    case 'reversePE': return 'reverse PE';
    case 'reverseFrames': return iv.positionIds === 'withFrames' ? 'reverse order (ids travel with frames)' : 'reverse order (ids in place)';
    case 'knockout': return `knock out ${set(iv.targets)} → ${set(iv.sources)} in ${layers(iv.layers)}`;
    case 'interFrame': return `inter-frame knockout in ${layers(iv.layers)}`;
    case 'frameToQuery': return `frame-to-query knockout in ${layers(iv.layers)}`;
    case 'restrictQueryToFrame': return `query sees only frame ${iv.frame} in ${layers(iv.layers)}`;
    case 'correspondingArea': return `corresponding area (radius ${iv.radius}) in ${layers(iv.layers)}`;
    case 'previousFrame': return `previous frame in ${layers(iv.layers)}`;
    case 'correspondingAreaInPreviousFrame': return `corresponding area in previous frame (radius ${iv.radius}) in ${layers(iv.layers)}`;
    case 'staOff': return `STA off in vision ${layers(iv.blocks).replace('layer', 'block')}`;
    case 'temporalKnockout': return `temporal knockout in vision ${layers(iv.blocks).replace('layer', 'block')}`;
    case 'ablateTemporalPE': return `no temporal PE in vision ${layers(iv.blocks).replace('layer', 'block')}`;
  }
}
