/**
 * The training examples of a dataset split: every question encoded as prompt + teacher-forced
 * answer, padded to one length so a whole run uses one compiled train step, and the clips'
 * pixel values computed once per video.
 */
import type { Dataset } from '../data/dataset.js';
import type { Question, Split } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { encodeVideoQuestion, padQuestion, type EncodedQuestion } from '../models/prompt.js';
import { clipPixelValues, type PixelValues } from '../models/processor.js';
import type { ForwardRequest, VideoLM } from '../models/videoLM.js';
import { BatchSchedule } from './batches.js';

export class TrainingData {
  readonly questions: Question[];
  readonly encoded: EncodedQuestion[];
  readonly length: number;
  private readonly pixels = new Map<string, PixelValues>();
  private readonly schedule: BatchSchedule;
  /** The question index behind each slot of the schedule's epochs (repeats when balanced). */
  private readonly slots: number[];

  constructor(
    readonly dataset: Dataset,
    readonly model: VideoLM,
    /** A split of the dataset, or questions of your own about its clips. */
    source: Split | readonly Question[],
    readonly seed: number,
    filter: (q: Question) => boolean = () => true,
    /**
     * Groups that get an equal share of every epoch (e.g. by dimension): a smaller group's questions
     * are repeated until it is as large as the largest one. Without it every question appears once.
     */
    balanceBy?: (q: Question) => string,
  ) {
    const tokenizer = model.tokenizer;
    if (!tokenizer) throw new TempolabError('the model has no tokenizer; training needs tokenizer.json in the model directory');
    this.questions = (typeof source === 'string' ? dataset.questions(source) : source).filter(filter);
    const what = typeof source === 'string' ? `the ${source} split of ${dataset.dir}` : 'the question list';
    if (!this.questions.length) throw new TempolabError(`${what} has no questions to train on`);
    const grid = this.pixelValues(this.questions[0]!.videoId).grid;
    const videoTokens = model.mergedTokens(grid);
    const raw = this.questions.map((q) => encodeVideoQuestion(tokenizer, { question: q.question, answer: q.answer, videoTokens, temporalGroups: grid.t }));
    // One padded length (a multiple of 8) for the whole run: one train-step graph. A fold, not
    // Math.max(...): spreading hundreds of thousands of questions overflows the call stack.
    this.length = Math.ceil(raw.reduce((m, e) => Math.max(m, e.inputIds.length), 0) / 8) * 8;
    this.encoded = raw.map((e) => padQuestion(e, this.length, tokenizer.special.endOfText));
    this.slots = balanceBy ? balancedSlots(this.questions, balanceBy) : this.questions.map((_, i) => i);
    this.schedule = new BatchSchedule(this.slots.length, seed);
  }

  /** How many examples an epoch has (more than the questions when balanced). */
  get epochLength(): number {
    return this.slots.length;
  }

  pixelValues(videoId: string): PixelValues {
    let pv = this.pixels.get(videoId);
    if (!pv) {
      pv = clipPixelValues(this.dataset, videoId, this.model.config.vision_config);
      this.pixels.set(videoId, pv);
    }
    return pv;
  }

  /** The example indices of global step `step` (seeded epochs: resume reproduces them). */
  batchIndices(step: number, batchSize: number): number[] {
    return this.schedule.indices(step, batchSize).map((slot) => this.slots[slot]!);
  }

  requests(indices: number[]): ForwardRequest[] {
    return indices.map((i) => {
      const e = this.encoded[i]!;
      const pv = this.pixelValues(this.questions[i]!.videoId);
      return { inputIds: e.inputIds, labels: e.labels, pixelValuesVideos: pv.data, videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w] as const, secondPerGridT: pv.secondPerGridT };
    });
  }

  /** Tokens that carry a loss in these examples (answer tokens). */
  supervisedTokens(indices: number[]): number {
    return indices.reduce((sum, i) => sum + this.encoded[i]!.labels.filter((l) => l >= 0).length, 0);
  }
}

/** Every group's question indices, each group cycled up to the size of the largest. */
export function balancedSlots(questions: readonly Question[], groupOf: (q: Question) => string): number[] {
  const groups = new Map<string, number[]>();
  questions.forEach((q, i) => {
    const key = groupOf(q);
    const members = groups.get(key);
    if (members) members.push(i);
    else groups.set(key, [i]);
  });
  const size = [...groups.values()].reduce((m, g) => Math.max(m, g.length), 0);
  return [...groups.values()].flatMap((g) => Array.from({ length: size }, (_, k) => g[k % g.length]!));
}
