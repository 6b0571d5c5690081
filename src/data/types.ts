import type { SceneTruth } from './groundTruth.js';

/** TempCompass' five temporal dimensions. */
export const TEMPORAL_DIMENSIONS = ['direction', 'speed', 'order', 'attribute_change', 'action'] as const;
export type TemporalDimension = (typeof TEMPORAL_DIMENSIONS)[number];

/** The temporal dimensions and `perception`: static questions (colour, shape, presence) that measure seeing apart from time. */
export const DIMENSIONS = [...TEMPORAL_DIMENSIONS, 'perception'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** TempCompass' four task types. */
export const FORMATS = ['yes_no', 'multi_choice', 'caption_matching', 'captioning'] as const;
export type Format = (typeof FORMATS)[number];

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** The key slots a generated caption is scored on (captioning format). */
export interface CaptionSlots {
  subject: string;
  motion: string;
  /** The temporal qualifier: a direction, a speed, an order, a change; empty where none applies. */
  direction: string;
}

/** A shape–colour–motion combination; some are held out of train and val. */
export interface Composition {
  shape: string;
  colour: string;
  motion: string;
}

export interface Question {
  id: string;
  videoId: string;
  split: Split;
  dimension: Dimension;
  format: Format;
  /** The full prompt, including the format's instruction line. */
  question: string;
  /** The ground-truth answer exactly as a model should generate it; its first word identifies it. */
  answer: string;
  /** Option texts (without letters) for multi_choice and caption_matching. */
  options?: string[];
  /** The question with the opposite answer about the opposing partner clip; null when there is none. */
  partnerId: string | null;
  /** True when the clip's composition is held out of train (and of val, unless it was made with --val-held-out-share). */
  heldOut: boolean;
  /** The synthetic phenomenon, e.g. `direction.horizontal`; absent for imported questions. */
  phenomenon?: string;
  composition?: Composition;
  /** Captioning only: the slots the caption is scored on. */
  slots?: CaptionSlots;
}

export interface VideoRecord {
  id: string;
  split: Split;
  /** Which frame shard of the split holds the clip, and its position there. */
  shard: number;
  index: number;
  /** The opposing partner clip (synthetic), or null. */
  partnerId: string | null;
  /** How the partner was made: the same frames reversed, or a re-rendered scene. */
  partnerKind?: 'reversed' | 'rerendered';
  /** Synthetic clips: the phenomenon, the outcome shown (0 or 1), and every object of every frame. */
  phenomenon?: string;
  outcome?: 0 | 1;
  scene?: SceneTruth;
  /** Imported videos: the file or directory the frames came from, and the source frame indices. */
  source?: string;
  sourceFrames?: number[];
  /** Imported videos: the source's duration in seconds (Qwen2.5-VL's absolute-time positions use it). */
  seconds?: number;
}

export interface SplitInfo {
  videos: number;
  questions: number;
  shards: string[];
}

export interface Manifest {
  format: 'tempolab-dataset';
  version: 1;
  origin: 'synthetic' | 'imported';
  frames: number;
  height: number;
  width: number;
  channels: 3;
  seed: number | null;
  generator: Record<string, unknown>;
  heldOut: Composition[];
  splits: Record<Split, SplitInfo>;
}
