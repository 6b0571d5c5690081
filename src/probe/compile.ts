/**
 * Compiling a list of interventions into the run-time inputs of the one compiled decoder graph.
 * Nothing here changes the graph: masks, rotary switches, position ids and the raw frame order
 * are all inputs, so every probe of an experiment runs the same session.
 *
 * Composition: interventions apply in list order. Masks only ever add −∞ entries (a union of
 * blocked pairs, i.e. the allowed pairs AND together); rotary switches only ever turn off; id and
 * frame-order changes apply one after the other (so reverseFrames twice is the identity).
 */
import { TempolabError } from '../engine/errors.js';
import { resolveLayers, validateContext, type ProbeContext } from './context.js';
import { checkIntervention, isMaskIntervention, isVisionIntervention, type Intervention, type VisionIntervention } from './interventions.js';
import { applyMaskIntervention, causalMask, checkEveryRowAttends } from './masks.js';
import { copyIds, reverseFrameOrder, reverseVideoGroupIds, shuffleIdColumns, shuffledTokens } from './positions.js';

export interface CompiledInputs {
  /** [L, S, S] additive masks: row = query token i, column = key token j; 0 = may attend, −∞ = blocked (j > i always). */
  decoderMask: Float32Array;
  /** [L]: 1 = apply rotary embedding in layer l, 0 = skip it. */
  decoderRope: Float32Array;
  /** [3][S] M-RoPE ids (t, h, w rows) used by every layer without an entry in layerPositionIds. */
  positionIds: number[][];
  /**
   * [L]: ids for one layer only, or null to use positionIds. Only shufflePositions with a single
   * layer (§4.2 shuffles in the first layer alone) sets an entry; a graph that takes one id
   * tensor for all layers must refuse inputs where any entry is non-null.
   */
  layerPositionIds: (number[][] | null)[];
  /** Order of the raw frames fed to the vision encoder: a permutation of 0…F−1. */
  frameOrder: number[];
  /** Vision-side inputs, null where no intervention touched them (the model's defaults apply). */
  visionTemporalMask: Float32Array | null;
  visionTemporalRope: Float32Array | null;
  visionTemporalGate: Float32Array | null;
}

/** The inputs with no intervention: plain causal masks, rotary on in every layer, default ids, frames in order. */
export function baselineInputs(ctx: ProbeContext): CompiledInputs {
  validateContext(ctx);
  const S = ctx.spans.length;
  const L = ctx.numLayers;
  const causal = causalMask(S);
  const decoderMask = new Float32Array(L * S * S);
  for (let l = 0; l < L; l++) decoderMask.set(causal, l * S * S);
  return {
    decoderMask,
    decoderRope: new Float32Array(L).fill(1),
    positionIds: copyIds(ctx.positionIds),
    layerPositionIds: new Array<number[][] | null>(L).fill(null),
    frameOrder: Array.from({ length: ctx.rawFrames }, (_, f) => f),
    visionTemporalMask: null,
    visionTemporalRope: null,
    visionTemporalGate: null,
  };
}

/** The graph inputs for `interventions` applied together to one prompt. */
export function compileInterventions(interventions: readonly Intervention[], ctx: ProbeContext): CompiledInputs {
  if (!Array.isArray(interventions)) throw new TempolabError(`compileInterventions takes a list of interventions, got ${JSON.stringify(interventions)}`);
  const inputs = baselineInputs(ctx);
  const { spans, numLayers } = ctx;
  // An id change for all layers must also reach any single-layer ids set before it.
  const everyLayer = (f: (ids: number[][]) => number[][]) => {
    inputs.positionIds = f(inputs.positionIds);
    inputs.layerPositionIds = inputs.layerPositionIds.map((ids) => ids && f(ids));
  };
  let masked = false;
  for (const iv of interventions) {
    checkIntervention(iv);
    if (isVisionIntervention(iv)) {
      applyVisionIntervention(inputs, iv, ctx);
      continue;
    }
    if (isMaskIntervention(iv)) {
      applyMaskIntervention(inputs.decoderMask, iv, ctx);
      masked = true;
      continue;
    }
    switch (iv.kind) {
      case 'ablatePE':
        for (const l of resolveLayers(iv.layers, numLayers, 'ablatePE')) inputs.decoderRope[l] = 0;
        break;
      case 'shufflePositions': {
        const tokens = shuffledTokens(iv.modality, spans);
        const shuffle = (ids: number[][]) => shuffleIdColumns(ids, tokens, iv.seed);
        if (iv.layer === 'all') everyLayer(shuffle);
        else {
          const [l] = resolveLayers([iv.layer], numLayers, 'shufflePositions');
          inputs.layerPositionIds[l!] = shuffle(inputs.layerPositionIds[l!] ?? inputs.positionIds);
        }
        break;
      }
      case 'reversePE':
        everyLayer((ids) => reverseVideoGroupIds(ids, spans));
        break;
      case 'reverseFrames':
        inputs.frameOrder = reverseFrameOrder(inputs.frameOrder);
        if (iv.positionIds === 'withFrames') everyLayer((ids) => reverseVideoGroupIds(ids, spans));
        break;
    }
  }
  if (masked) checkEveryRowAttends(inputs.decoderMask, spans.length, numLayers);
  return inputs;
}

/** STA blocks of `iv`, each checked against the encoder: a block without STA has nothing to change. */
function staBlocks(iv: VisionIntervention, ctx: ProbeContext): number[] {
  if (!ctx.vision) throw new TempolabError(`${iv.kind} needs the vision encoder's shape in the probe context (context.vision); build the context with PreparedClip`);
  const { depth, staBlocks: withSta } = ctx.vision;
  const blocks = iv.blocks === 'all' ? [...withSta] : [...new Set(iv.blocks)].sort((a, b) => a - b);
  if (blocks.length === 0) throw new TempolabError(`${iv.kind}: the model has no STA blocks; vision-side interventions need a STAVE model`);
  for (const b of blocks) {
    if (!Number.isInteger(b) || b < 0 || b >= depth) throw new TempolabError(`${iv.kind}: vision block ${b} is out of range: the encoder has ${depth} blocks, 0–${depth - 1}`);
    if (!withSta.includes(b)) throw new TempolabError(`${iv.kind}: vision block ${b} has no STA (STA blocks: ${withSta.join(', ') || 'none'})`);
  }
  return blocks;
}

function applyVisionIntervention(inputs: CompiledInputs, iv: VisionIntervention, ctx: ProbeContext): void {
  const depth = ctx.vision?.depth ?? 0;
  const t = ctx.mergedGrid.t;
  const blocks = staBlocks(iv, ctx);
  switch (iv.kind) {
    case 'staOff':
      inputs.visionTemporalGate ??= new Float32Array(depth).fill(1);
      for (const b of blocks) inputs.visionTemporalGate[b] = 0;
      return;
    case 'ablateTemporalPE':
      inputs.visionTemporalRope ??= new Float32Array(depth).fill(1);
      for (const b of blocks) inputs.visionTemporalRope[b] = 0;
      return;
    case 'temporalKnockout':
      inputs.visionTemporalMask ??= new Float32Array(depth * t * t);
      for (const b of blocks) for (let i = 0; i < t; i++) for (let j = 0; j < t; j++) if (i !== j) inputs.visionTemporalMask[(b * t + i) * t + j] = -Infinity;
      return;
  }
}
