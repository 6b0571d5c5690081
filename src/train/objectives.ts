/**
 * What a training stage optimises: its graph and its batches. The staged pipeline uses four —
 * dense image supervision of the ViT, language modelling of the decoder, video question answering
 * (alignment and instruction tuning, STAVE and the control), and the vision-only video classifier.
 * Scene reading and scene alignment (scene tokens: perfect perception as words) are measured by
 * bench:binding and are not pipeline stages.
 */
import type { Dataset } from '../data/dataset.js';
import { outcomeClass, colourClass, shapeClass, patchTruth, OUTCOME_CLASSES } from '../data/groundTruth.js';
import type { Question, Split, VideoRecord } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { Random } from '../engine/random.js';
import type { Graph } from '../engine/graph.js';
import type { Feed } from '../engine/runtime.js';
import { traceVideoLM, type ForwardShape } from '../models/graph.js';
import { traceLanguageModel, traceSceneAlignment, traceVideoClassifier, traceVisionPretraining, VISION_REGRESSION_TARGETS } from '../models/pretraining.js';
import { clipPixelValues, imagePixelValues, type PixelValues } from '../models/processor.js';
import { IGNORE } from '../models/prompt.js';
import { mergeWindowOrder } from '../models/rotary.js';
import { textChatPrompt } from '../models/tokenizer/index.js';
import type { VideoLM } from '../models/videoLM.js';
import { BatchSchedule } from './batches.js';
import { sceneBags } from './sceneTokens.js';
import { TrainingData } from './trainingData.js';

export interface Objective {
  /** Training examples (clips, texts or questions). */
  readonly examples: number;
  /** Tokens per example for text objectives, patches per clip for vision ones (the progress line). */
  readonly sequenceLength: number;
  graph(model: VideoLM, batchSize: number): Graph;
  /** The inputs of global step `step`'s batch and how many supervised units it holds (for throughput). */
  batch(model: VideoLM, step: number, batchSize: number): { feeds: Record<string, Feed>; units: number };
}

const int64 = (values: ArrayLike<number>) => BigInt64Array.from(Array.from(values, (v) => BigInt(v)));

/** Per-example arrays laid end to end: one batch input. */
function concatenated(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

function synthClips(dataset: Dataset, split: Split, what: string): VideoRecord[] {
  const clips = dataset.videos(split).filter((v) => v.scene && v.phenomenon !== undefined);
  if (!clips.length) throw new TempolabError(`${what} needs synthetic clips with ground truth; the ${split} split of ${dataset.dir} has none (make it with tempolab data synth)`);
  return clips;
}

/** Labels of one clip's frames, each frame an image: [T, N] classes and [T, N, 5] regression targets + mask. */
export interface ImageLabels {
  pixels: PixelValues;
  colour: number[];
  shape: number[];
  targets: Float32Array;
  mask: Float32Array;
}

/** Objectives over the synthetic clips of a split (with ground truth), in seeded epochs. */
abstract class ClipObjective {
  readonly clips: VideoRecord[];
  readonly sequenceLength: number;
  protected readonly schedule: BatchSchedule;
  private readonly pixels = new Map<string, PixelValues>();

  constructor(
    readonly dataset: Dataset,
    split: Split,
    seed: number,
    what: string,
  ) {
    this.clips = synthClips(dataset, split, what);
    this.schedule = new BatchSchedule(this.clips.length, seed);
    this.sequenceLength = dataset.manifest.frames;
  }

  get examples(): number {
    return this.clips.length;
  }

  /** A clip's pixel values as a video (frame pairs), computed once. */
  pixelValues(model: VideoLM, clip: VideoRecord): PixelValues {
    let pv = this.pixels.get(clip.id);
    if (!pv) this.pixels.set(clip.id, (pv = clipPixelValues(this.dataset, clip.id, model.config.vision_config)));
    return pv;
  }

  protected videoPixels(model: VideoLM, clips: readonly VideoRecord[]): Float32Array {
    return concatenated(clips.map((c) => this.pixelValues(model, c).data));
  }
}

/** The scene-word bags of clips, computed once per clip (see sceneTokens.ts). */
class SceneBagCache {
  private readonly bags = new Map<string, Float32Array>();

  constructor(readonly dataset: Dataset) {}

  bag(model: VideoLM, clip: VideoRecord): Float32Array {
    let b = this.bags.get(clip.id);
    if (!b) {
      if (!clip.scene) throw new TempolabError(`clip ${clip.id} has no ground truth; scene tokens need synthetic clips (tempolab data synth)`);
      b = sceneBags(clip.scene, this.dataset.manifest, model.config.vision_config, model.tokenizer!, model.config.vocab_size);
      this.bags.set(clip.id, b);
    }
    return b;
  }

  batch(model: VideoLM, clips: readonly VideoRecord[]): Float32Array {
    return concatenated(clips.map((c) => this.bag(model, c)));
  }
}

/**
 * Image-level pretraining of the ViT: every frame of every training clip is an image; each patch
 * learns the colour and shape of the object covering it, where that object's centre is, its size and
 * its orientation. No temporal objective: temporal groups never meet.
 *
 * `tubelets` is the share of frames fed instead as the two-frame group a video gives the ViT (frame t
 * with its neighbour, drawn per clip from the seed): an image trains only the sum of the patch
 * embedding's two frame kernels, so a moving object, which a video's group shows twice, half in each
 * frame, is a pattern the ViT never saw (README, "Tubelets"). A tubelet's patch takes the object the
 * earlier frame shows there, else the later one's: the targets stay static — colour, shape, place.
 */
export class VisionPretraining extends ClipObjective implements Objective {
  private readonly cache = new Map<number, ImageLabels>();
  readonly tubelets: number;

  constructor(dataset: Dataset, split: Split, private readonly seed: number, options: { tubelets?: number } = {}) {
    super(dataset, split, seed, 'vision pretraining');
    this.tubelets = checkedTubeletShare(options.tubelets ?? 0);
    if (this.tubelets > 0 && dataset.manifest.frames < 2) throw new TempolabError(`tubelets need clips of at least 2 frames; ${dataset.dir} has ${dataset.manifest.frames}`);
  }

  private grid(model: VideoLM) {
    const v = model.config.vision_config;
    const m = this.dataset.manifest;
    return { t: m.frames, h: m.height / v.patch_size, w: m.width / v.patch_size };
  }

  graph(model: VideoLM, batchSize: number): Graph {
    return traceVisionPretraining(model.config, { batch: batchSize, grid: this.grid(model) });
  }

  /** For each frame of clip `index`, the frame its temporal group pairs it with: itself (an image) or a neighbour (a tubelet). */
  pairedWith(index: number): number[] {
    const frames = this.dataset.manifest.frames;
    const random = new Random(this.seed * 1_000_003 + index);
    return Array.from({ length: frames }, (_, t) => (random.next() < this.tubelets ? (t + 1 < frames ? t + 1 : t - 1) : t));
  }

  labels(model: VideoLM, index: number): ImageLabels {
    let l = this.cache.get(index);
    if (l) return l;
    const v = model.config.vision_config;
    const m = this.dataset.manifest;
    const clip = this.clips[index]!;
    const grid = this.grid(model);
    const order = mergeWindowOrder(grid.h, grid.w, v.spatial_merge_size);
    const n = order.length;
    const pairedWith = this.pairedWith(index);
    l = {
      pixels: imagePixelValues(this.dataset.frames(clip.id), m.frames, m.height, m.width, v, pairedWith),
      colour: [],
      shape: [],
      targets: new Float32Array(m.frames * n * VISION_REGRESSION_TARGETS),
      mask: new Float32Array(m.frames * n * VISION_REGRESSION_TARGETS),
    };
    const truth = (t: number) => patchTruth(clip.scene!, t, m.width, m.height, v.patch_size, order);
    for (let t = 0; t < m.frames; t++) {
      const [earlier, later] = [Math.min(t, pairedWith[t]!), Math.max(t, pairedWith[t]!)];
      const first = truth(earlier);
      const second = later === earlier ? first : truth(later);
      first.forEach((own, k) => {
        const p = own.object ? own : second[k]!;
        l!.colour.push(p.object ? colourClass(p.object.colour) : 0);
        // Shape is learned where there is an object (the colour head already says whether there is one).
        l!.shape.push(p.object ? shapeClass(p.object.shape) : IGNORE);
        if (!p.object) return;
        const at = (t * n + k) * VISION_REGRESSION_TARGETS;
        l!.targets.set([p.dx, p.dy, p.size, ...(p.orientation ?? [0, 0])], at);
        l!.mask.set([1, 1, 1, ...(p.orientation ? [1, 1] : [0, 0])], at);
      });
    }
    this.cache.set(index, l);
    return l;
  }

  batch(model: VideoLM, step: number, batchSize: number) {
    const items = this.schedule.indices(step, batchSize).map((i) => this.labels(model, i));
    const cat = (pick: (l: ImageLabels) => Float32Array) => concatenated(items.map(pick));
    // Each regression target is a mean over the patches that have it in this batch.
    const weights = cat((l) => l.mask);
    for (let j = 0; j < VISION_REGRESSION_TARGETS; j++) {
      let count = 0;
      for (let i = j; i < weights.length; i += VISION_REGRESSION_TARGETS) count += weights[i]!;
      for (let i = j; i < weights.length; i += VISION_REGRESSION_TARGETS) weights[i] = count ? weights[i]! / count : 0;
    }
    return {
      feeds: {
        pixel_values_videos: cat((l) => l.pixels.data),
        colour_labels: int64(items.flatMap((l) => l.colour)),
        shape_labels: int64(items.flatMap((l) => l.shape)),
        regression_targets: cat((l) => l.targets),
        regression_weights: weights,
      },
      units: items.length * this.sequenceLength,
    };
  }
}

/** A share of frames fed as tubelets: a number from 0 (images only) to 1 (every frame in a two-frame group). */
export function checkedTubeletShare(share: number): number {
  if (!(share >= 0 && share <= 1)) throw new TempolabError(`tubelets ${share} is not a share: give a number from 0 (every frame an image) to 1 (every frame in a two-frame group)`);
  return share;
}

/** describedQuestions(questions), refused in one line when there are none (before a pipeline's first stage, too). */
export function describableQuestions(questions: readonly Question[]): Array<readonly [string, string]> {
  const described = describedQuestions(questions);
  if (!described.length) throw new TempolabError('described language modelling needs clips with captioning questions (their answers are the descriptions) and closed questions about them; this data has none: train without descriptions (--no-described; train base: --no-language-described)');
  return described;
}

/**
 * The decoder as a text language model over the benchmark's questions and answers (no video): the
 * chat prompt without its vision block, then the answer; every next token is a target.
 *
 * With `described`, every closed question (yes/no, multi-choice, caption matching) is also given
 * after a text description of its clip, where the video would stand: reading comprehension, the
 * skill a real VLM's LLM brings from text pretraining. Without a context the option letter and the
 * yes/no are unpredictable, so a plain text LM learns only their prior (the base shipped before
 * answered "C" to 199 of 200 multi-choice perception questions); with one, it learns to point at the option the context
 * supports.
 */
export class LanguageModeling implements Objective {
  readonly sequences: number[][];
  readonly sequenceLength: number;
  private readonly schedule: BatchSchedule;

  constructor(questions: readonly Question[], model: VideoLM, seed: number, options: { described?: boolean } = {}) {
    const tokenizer = model.tokenizer;
    if (!tokenizer) throw new TempolabError('the model has no tokenizer; language modelling needs tokenizer.json in the model directory');
    if (!questions.length) throw new TempolabError('no questions to train the language model on');
    const plain = questions.map((q) => [q.question, q.answer] as const);
    const described = options.described ? describableQuestions(questions) : [];
    const texts = [...new Set([...plain, ...described].map((t) => JSON.stringify(t)))].map((t) => JSON.parse(t) as [string, string]);
    this.sequences = texts.map(([question, answer]) => [...textChatPrompt(tokenizer, { question }), ...tokenizer.encode(answer), tokenizer.special.imEnd]);
    this.sequenceLength = Math.ceil(this.sequences.reduce((m, s) => Math.max(m, s.length), 0) / 8) * 8;
    this.schedule = new BatchSchedule(this.sequences.length, seed);
  }

  get examples(): number {
    return this.sequences.length;
  }

  graph(model: VideoLM, batchSize: number): Graph {
    return traceLanguageModel(model.config, { batch: batchSize, seq: this.sequenceLength });
  }

  batch(model: VideoLM, step: number, batchSize: number) {
    const s = this.sequenceLength;
    const pad = model.tokenizer!.special.endOfText;
    const ids = new Array<number>(batchSize * s).fill(pad);
    const labels = new Array<number>(batchSize * s).fill(IGNORE);
    let units = 0;
    this.schedule.indices(step, batchSize).forEach((i, b) => {
      const seq = this.sequences[i]!;
      seq.forEach((id, k) => {
        ids[b * s + k] = id;
        if (k + 1 < seq.length) labels[b * s + k] = seq[k + 1]!;
      });
      units += seq.length - 1;
    });
    return { feeds: { input_ids: int64(ids), labels: int64(labels) }, units };
  }
}

/**
 * Each closed question preceded by its clip's description: the clip's captioning answers (what it
 * shows, then what happens), one per line. A clip without captioning questions has no description.
 */
export function describedQuestions(questions: readonly Question[]): Array<readonly [string, string]> {
  const captions = new Map<string, string[]>();
  for (const q of questions) {
    if (q.format !== 'captioning') continue;
    const lines = captions.get(q.videoId) ?? [];
    if (q.dimension === 'perception') lines.unshift(q.answer);
    else lines.push(q.answer);
    captions.set(q.videoId, lines);
  }
  return questions
    .filter((q) => q.format !== 'captioning' && captions.has(q.videoId))
    .map((q) => [`${captions.get(q.videoId)!.join('\n')}\n${q.question}`, q.answer] as const);
}

/** Teacher-forced answers to video questions: alignment, instruction tuning, STAVE and the control. */
export class VideoQuestions implements Objective {
  constructor(readonly data: TrainingData) {}

  get examples(): number {
    return this.data.encoded.length;
  }

  get sequenceLength(): number {
    return this.data.length;
  }

  protected shape(batchSize: number): ForwardShape {
    return { batch: batchSize, seq: this.data.length, grid: this.data.pixelValues(this.data.questions[0]!.videoId).grid, withLoss: true };
  }

  graph(model: VideoLM, batchSize: number): Graph {
    return traceVideoLM(model.config, this.shape(batchSize));
  }

  batch(model: VideoLM, step: number, batchSize: number) {
    return this.batchOf(model, this.data.batchIndices(step, batchSize));
  }

  /** The inputs of the examples at `indices` (scoring uses it as well as training). */
  batchOf(model: VideoLM, indices: number[]): { feeds: Record<string, Feed>; units: number } {
    return { feeds: model.feeds(this.data.requests(indices), true).inputs, units: this.data.supervisedTokens(indices) };
  }
}

/**
 * Reading comprehension: video questions with the clip's scene written as words in the video's
 * place (sceneTokens.ts) — the decoder learns to compare a question with what a video shows,
 * from perfect perception, before any pixel reaches it.
 */
export class SceneQuestions extends VideoQuestions {
  private readonly scenes: SceneBagCache;

  constructor(data: TrainingData) {
    super(data);
    this.scenes = new SceneBagCache(data.dataset);
  }

  override graph(model: VideoLM, batchSize: number): Graph {
    return traceVideoLM(model.config, { ...this.shape(batchSize), sceneTokens: true });
  }

  override batchOf(model: VideoLM, indices: number[]) {
    const clips = indices.map((i) => this.data.dataset.video(this.data.questions[i]!.videoId));
    const { feeds, units } = super.batchOf(model, indices);
    return { feeds: { ...feeds, scene_bags: this.scenes.batch(model, clips) }, units };
  }
}

/** Alignment: the merger (over the frozen ViT) learns to write each video token as the scene words it shows. */
export class SceneAlignment extends ClipObjective implements Objective {
  private readonly scenes: SceneBagCache;

  constructor(dataset: Dataset, split: Split, seed: number) {
    super(dataset, split, seed, 'scene alignment');
    this.scenes = new SceneBagCache(dataset);
  }

  graph(model: VideoLM, batchSize: number): Graph {
    return traceSceneAlignment(model.config, { batch: batchSize, grid: this.pixelValues(model, this.clips[0]!).grid });
  }

  batch(model: VideoLM, step: number, batchSize: number) {
    const clips = this.schedule.indices(step, batchSize).map((i) => this.clips[i]!);
    return { feeds: { pixel_values_videos: this.videoPixels(model, clips), scene_bags: this.scenes.batch(model, clips) }, units: clips.length };
  }
}

/** The vision-only check of STA: which of the 26 phenomenon outcomes a clip shows. */
export class VideoClassification extends ClipObjective implements Objective {
  constructor(dataset: Dataset, split: Split, seed: number) {
    super(dataset, split, seed, 'the video classifier');
  }

  graph(model: VideoLM, batchSize: number): Graph {
    const grid = this.pixelValues(model, this.clips[0]!).grid;
    return traceVideoClassifier(model.config, { batch: batchSize, grid, classes: OUTCOME_CLASSES });
  }

  label(clip: VideoRecord): number {
    return outcomeClass(clip.phenomenon!, clip.outcome!);
  }

  inputs(model: VideoLM, clips: readonly VideoRecord[]): Record<string, Feed> {
    return { pixel_values_videos: this.videoPixels(model, clips), labels: int64(clips.map((c) => this.label(c))) };
  }

  batch(model: VideoLM, step: number, batchSize: number) {
    const clips = this.schedule.indices(step, batchSize).map((i) => this.clips[i]!);
    return { feeds: this.inputs(model, clips), units: clips.length };
  }
}
