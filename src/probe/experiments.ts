/**
 * The paper's figures as lists of conditions: each says which interventions give P̃, which give
 * the reference P (usually none), where it sits on the x axis, and which answer counts as ground
 * truth. A runner compiles both lists for every question, runs the model twice, and feeds the
 * probabilities to `pcSeries` — it needs no knowledge of any single figure.
 *
 * Labels count frames from 1 as the paper does; interventions count them from 0.
 */
import { TempolabError } from '../engine/errors.js';
import type { Format } from '../data/types.js';
import {
  ablatePE, correspondingArea, correspondingAreaInPreviousFrame, frameToQuery, interFrame, previousFrame, restrictQueryToFrame,
  reverseFrames, reversePE, shufflePositions, type Intervention,
} from './interventions.js';
import { overWindows, windowedKnockouts } from './windows.js';

export interface ExperimentCondition {
  /** The series this point belongs to (the figure's legend entry). */
  label: string;
  /** The x coordinate: the ablated layer or the window's first layer; null for whole-model interventions. */
  layer: number | null;
  /** The layers the intervention touches, when it is layer-specific. */
  layers: number[] | null;
  /** P̃ is measured with these. */
  interventions: Intervention[];
  /** P is measured with these ([] = the unmodified model). */
  baseline: Intervention[];
  /**
   * Which answer is the ground truth: the question's own, or — for clips whose frames these
   * interventions reverse — the answer to the reversed clip (its reversed partner in the dataset),
   * as in Fig. 8 where reversal flips a yes/no answer.
   */
  groundTruth: 'original' | 'reversed';
}

export interface Experiment {
  name: ExperimentName;
  figure: string;
  section: string;
  title: string;
  /** Question formats the figure uses. */
  formats: readonly Format[] | 'all';
  conditions: ExperimentCondition[];
}

/** The model and clip shape the figures are laid out for. */
export interface ExperimentShape {
  numLayers: number;
  /** Temporal groups per clip. */
  numFrames: number;
}

export interface ExperimentOptions {
  /** Sliding-window size (default max(1, round(5·L/28))). */
  k?: number;
  /** Seed of the position shuffle (Fig. 3). */
  seed?: number;
  /** Neighbourhood radius of the corresponding-area masks, in merged-grid rows/columns (Fig. 9; default 1). */
  radius?: number;
}

const condition = (c: Partial<ExperimentCondition> & Pick<ExperimentCondition, 'label' | 'interventions'>): ExperimentCondition =>
  ({ layer: null, layers: null, baseline: [], groundTruth: 'original', ...c });

/** Fig. 2 (§4.1): rotary embedding removed from one decoder layer at a time. */
export function peAblationExperiment(numLayers: number): Experiment {
  checkShape({ numLayers, numFrames: 1 });
  return {
    name: 'pe-ablation', figure: 'Fig. 2', section: '§4.1', title: 'Layer-wise PE ablation', formats: 'all',
    conditions: Array.from({ length: numLayers }, (_, l) => condition({ label: 'no PE', layer: l, layers: [l], interventions: [ablatePE({ layers: [l] })] })),
  };
}

/** Fig. 3 (§4.2): video or query position ids shuffled in the first layer. */
export function positionShuffleExperiment({ seed = 0 }: { seed?: number } = {}): Experiment {
  return {
    name: 'position-shuffle', figure: 'Fig. 3', section: '§4.2', title: 'Modality-specific position-id shuffling in the first layer', formats: 'all',
    conditions: (['video', 'query'] as const).map((modality) =>
      condition({ label: `shuffled ${modality} ids`, layer: 0, layers: [0], interventions: [shufflePositions({ modality, layer: 0, seed })] })),
  };
}

/** Fig. 4 (§4.3): reverse PE vs reverse order (see positions.ts for the reading of §4.3). */
export function reverseExperiment(): Experiment {
  return {
    name: 'reverse', figure: 'Fig. 4', section: '§4.3', title: 'Reversing position ids vs reversing frame order', formats: 'all',
    conditions: [
      condition({ label: 'reverse PE', interventions: [reversePE()] }),
      condition({ label: 'reverse order', interventions: [reverseFrames({ positionIds: 'withFrames' })] }),
    ],
  };
}

/** Fig. 5 (§5.1): the last token blocked from the query or from the frames, per window. */
export function finalTokenKnockoutExperiment(numLayers: number, k?: number): Experiment {
  checkShape({ numLayers, numFrames: 1 });
  const series = [['blocked query', 'query'], ['blocked frames', 'frames']] as const;
  return {
    name: 'final-token-knockout', figure: 'Fig. 5', section: '§5.1', title: 'Blocking the final token from the query or the video', formats: 'all',
    conditions: series.flatMap(([label, sources]) =>
      windowedKnockouts('lastToken', sources, numLayers, k).map((w) => condition({ label, layer: w.start, layers: w.layers, interventions: [w.intervention] }))),
  };
}

/** Fig. 6 (§5.2): frame-to-query and inter-frame knockouts, per window. */
export function stagewiseExperiment(numLayers: number, k?: number): Experiment {
  checkShape({ numLayers, numFrames: 1 });
  const series: [string, (layers: number[]) => Intervention][] = [
    ['frame-to-query', (layers) => frameToQuery({ layers })],
    ['inter-frame', (layers) => interFrame({ layers })],
  ];
  return {
    name: 'stagewise', figure: 'Fig. 6', section: '§5.2', title: 'Blocking inter-frame and frame-to-query attention', formats: 'all',
    conditions: series.flatMap(([label, make]) =>
      overWindows(numLayers, k, make).map((w) => condition({ label, layer: w.start, layers: w.layers, interventions: [w.intervention] }))),
  };
}

/** Fig. 7 (§5.3): the query sees a single frame, per frame and window. */
export function singleFrameExperiment(numLayers: number, numFrames: number, k?: number): Experiment {
  checkShape({ numLayers, numFrames });
  return {
    name: 'single-frame', figure: 'Fig. 7', section: '§5.3', title: 'Restricting query attention to single frames', formats: 'all',
    conditions: singleFrameConditions(numLayers, numFrames, k, [], 'frame'),
  };
}

/**
 * Fig. 8 (§5.4): the single-frame restriction on reversed clips of yes/no questions, scored
 * against the reversed clip's answer, once with ids left in place and once with ids travelling
 * with their frames (positions aligned with the original order again). P is the reversed clip
 * without restriction, so P_C isolates the restriction.
 */
export function reversedAttributionExperiment(numLayers: number, numFrames: number, k?: number): Experiment {
  checkShape({ numLayers, numFrames });
  const variants = [
    ['reversed order', reverseFrames({ positionIds: 'inPlace' })],
    ['reversed order and ids', reverseFrames({ positionIds: 'withFrames' })],
  ] as const;
  return {
    name: 'reversed-attribution', figure: 'Fig. 8', section: '§5.4', title: 'Single-frame attribution on reversed clips (yes/no)', formats: ['yes_no'],
    conditions: variants.flatMap(([label, reverse]) =>
      singleFrameConditions(numLayers, numFrames, k, [reverse], `${label}: frame`).map((c) => ({ ...c, groundTruth: 'reversed' as const }))),
  };
}

/**
 * Fig. 9 (§5.5): the three assembly masks, per window, on top of the baseline in which the query
 * sees only the last frame in every layer — so everything the answer learns about time must have
 * been assembled into the last frame, and P_C measures what each mask takes away from that.
 */
export function spatiotemporalExperiment(numLayers: number, numFrames: number, { k, radius = 1 }: { k?: number; radius?: number } = {}): Experiment {
  checkShape({ numLayers, numFrames });
  const baseline = [restrictQueryToFrame({ frame: numFrames - 1 })];
  const series: [string, (layers: number[]) => Intervention][] = [
    ['corresponding area', (layers) => correspondingArea({ radius, layers })],
    ['previous frame', (layers) => previousFrame({ layers })],
    ['corresponding area in previous frame', (layers) => correspondingAreaInPreviousFrame({ radius, layers })],
  ];
  return {
    name: 'spatiotemporal', figure: 'Fig. 9', section: '§5.5', title: 'Spatiotemporal assembly across frames (query sees the last frame)', formats: 'all',
    conditions: series.flatMap(([label, make]) =>
      overWindows(numLayers, k, make).map((w) => condition({ label, layer: w.start, layers: w.layers, interventions: [...baseline, w.intervention], baseline }))),
  };
}

function singleFrameConditions(numLayers: number, numFrames: number, k: number | undefined, before: Intervention[], label: string): ExperimentCondition[] {
  return Array.from({ length: numFrames }, (_, frame) =>
    overWindows(numLayers, k, (layers) => restrictQueryToFrame({ frame, layers })).map((w) =>
      condition({ label: `${label} ${frame + 1}`, layer: w.start, layers: w.layers, interventions: [...before, w.intervention], baseline: before }))).flat();
}

/** The CLI's experiment names (`tempolab probe run NAME`), each with the figure it reproduces. */
export const EXPERIMENT_NAMES = [
  'pe-ablation', 'position-shuffle', 'reverse', 'final-token-knockout', 'stagewise', 'single-frame', 'reversed-attribution', 'spatiotemporal',
] as const;
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];

/** The named experiment laid out for a model and clip shape. */
export function experiment(name: ExperimentName, shape: ExperimentShape, options: ExperimentOptions = {}): Experiment {
  checkShape(shape);
  const { numLayers, numFrames } = shape;
  switch (name) {
    case 'pe-ablation': return peAblationExperiment(numLayers);
    case 'position-shuffle': return positionShuffleExperiment({ seed: options.seed });
    case 'reverse': return reverseExperiment();
    case 'final-token-knockout': return finalTokenKnockoutExperiment(numLayers, options.k);
    case 'stagewise': return stagewiseExperiment(numLayers, options.k);
    case 'single-frame': return singleFrameExperiment(numLayers, numFrames, options.k);
    case 'reversed-attribution': return reversedAttributionExperiment(numLayers, numFrames, options.k);
    case 'spatiotemporal': return spatiotemporalExperiment(numLayers, numFrames, { k: options.k, radius: options.radius });
    default:
      throw new TempolabError(`unknown probe experiment "${String(name)}": use one of ${EXPERIMENT_NAMES.join(', ')}`);
  }
}

function checkShape({ numLayers, numFrames }: ExperimentShape): void {
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new TempolabError(`numLayers must be a positive integer, got ${numLayers}`);
  if (!Number.isInteger(numFrames) || numFrames < 1) throw new TempolabError(`numFrames must be a positive integer (temporal groups per clip), got ${numFrames}`);
}
