import { check } from '../engine/errors.js';
import { Random } from '../engine/random.js';
import { writeDirAtomic } from '../engine/atomicWrite.js';
import { Decks, permutations } from './balance.js';
import { sceneObject } from './groundTruth.js';
import { PerceptionDecks } from './perception.js';
import { assertShardBuffersFit, datasetOutput, DatasetWriter } from './dataset.js';
import {
  CAPTION_MATCHING_QUESTION,
  CAPTIONING_PROMPTS,
  captionOf,
  letteredAnswer,
  listCaptions,
  listOptions,
  withInstruction,
} from './formats.js';
import { PHENOMENA, phenomenaOf, type Cast, type Motion, type Names, type Phenomenon, type Stage } from './phenomena.js';
import { COLOUR_NAMES, SHAPES, paintBackground, renderScene, reverseFrames, type Background, type Colour, type Shape, type Sprite } from './render.js';
import { TEMPORAL_DIMENSIONS, SPLITS, type Composition, type Format, type Manifest, type Question, type Split, type VideoRecord } from './types.js';

export type BackgroundChoice = 'mixed' | 'plain' | 'textured';

export interface SynthSettings {
  /** Frames per clip (even, at least 4: the order phenomena need two frames per event). */
  frames: number;
  /** Frame height and width in pixels (a multiple of 8; 16 fits a patch-4 encoder with 2×2 merge). */
  size: number;
  seed: number;
  background: BackgroundChoice;
  /** Up to this many static distractor objects per clip. */
  distractors: number;
  /** Held-out (shape, colour) combinations per motion. */
  heldOutPerMotion: number;
  /** Share of test pairs that show a held-out composition. */
  testHeldOutShare: number;
  /**
   * Share of validation pairs that show a held-out composition (default 0: validation sees only
   * training compositions). Half, like test, makes validation a fair stand-in for the test split's
   * compositional half, so a choice made on validation sees the generalisation gap too.
   */
  valHeldOutShare: number;
}

export const DEFAULT_SYNTH: SynthSettings = {
  frames: 8,
  size: 32,
  seed: 0,
  background: 'mixed',
  distractors: 2,
  heldOutPerMotion: 3,
  testHeldOutShare: 0.5,
  valHeldOutShare: 0,
};

export function validateSynthSettings(s: SynthSettings): void {
  check(Number.isInteger(s.frames) && s.frames >= 4 && s.frames % 2 === 0 && s.frames <= 256,
    `--frames must be an even integer in [4, 256] (frames are grouped in pairs; order questions need 4), got ${s.frames}`);
  check(Number.isInteger(s.size) && s.size >= 16 && s.size % 8 === 0 && s.size <= 1024,
    `--size must be a multiple of 8 in [16, 1024] (patch size x merge size), got ${s.size}`);
  check(Number.isInteger(s.seed) && s.seed >= 0 && s.seed <= 0xffffffff, `--seed must be an integer in [0, 4294967295], got ${s.seed}`);
  check(['mixed', 'plain', 'textured'].includes(s.background), `--background must be mixed, plain or textured, got '${s.background}'`);
  check(Number.isInteger(s.distractors) && s.distractors >= 0 && s.distractors <= 3, `--distractors must be an integer in [0, 3], got ${s.distractors}`);
  check(Number.isInteger(s.heldOutPerMotion) && s.heldOutPerMotion >= 0 && s.heldOutPerMotion <= 6,
    `heldOutPerMotion must be an integer in [0, 6] (of about 30 shape-colour pairs per motion), got ${s.heldOutPerMotion}`);
  check(s.testHeldOutShare >= 0 && s.testHeldOutShare <= 1, `testHeldOutShare must be in [0, 1], got ${s.testHeldOutShare}`);
  // Pairs are dealt from decks of ten, so a share is a whole number of tenths.
  check(Number.isFinite(s.valHeldOutShare) && s.valHeldOutShare >= 0 && s.valHeldOutShare <= 1 && Math.abs(s.valHeldOutShare * 10 - Math.round(s.valHeldOutShare * 10)) < 1e-9,
    `--val-held-out-share must be a share in [0, 1] in steps of 0.1 (of validation pairs showing a held-out composition), got ${s.valHeldOutShare}`);
}

const MOTIONS = [...new Set(PHENOMENA.map((p) => p.motion))];

/**
 * The compositions that appear only in test: for each motion, a few (shape, colour) pairs drawn
 * from the seed. A fixed function of the seed, so every split agrees on it.
 */
export function heldOutCompositions(seed: number, perMotion = DEFAULT_SYNTH.heldOutPerMotion): Composition[] {
  const rng = new Random(seed).fork(0x4e1d);
  return MOTIONS.flatMap((motion) => {
    const shapes = PHENOMENA.find((p) => p.motion === motion)!.subjectShapes;
    const all = shapes.flatMap((shape) => COLOUR_NAMES.map((colour) => ({ shape, colour, motion })));
    return rng.shuffle(all).slice(0, perMotion);
  });
}

const isHeldOut = (held: readonly Composition[], shape: string, colour: string, motion: string) =>
  held.some((h) => h.shape === shape && h.colour === colour && h.motion === motion);

/** One opposing pair: two clips, their records, and four questions each. */
export interface Pair {
  videos: [Omit<VideoRecord, 'shard' | 'index'>, Omit<VideoRecord, 'shard' | 'index'>];
  clips: [Uint8Array, Uint8Array];
  questions: Question[];
}

const MC_ORDERS = permutations(3);
const SPLIT_SALT: Record<Split, number> = { train: 1, val: 2, test: 3 };

/**
 * Generates a split's pairs one at a time. Which dimension, phenomenon, option order and yes/no
 * polarity each pair gets is dealt from decks, so every format×dimension is balanced.
 */
export class PairGenerator {
  private readonly rng: Random;
  private readonly stage: Stage;
  private readonly dimensions: Decks<(typeof TEMPORAL_DIMENSIONS)[number]>;
  private readonly perception: PerceptionDecks;
  private readonly phenomena: Decks<Phenomenon>;
  private readonly binary: Decks<0 | 1>;
  private readonly orders: Decks<number[]>;
  private readonly heldOutDeck: Decks<boolean>;
  private readonly drawsHeldOut: boolean;
  private readonly clipBytes: number;
  private pairIndex = 0;

  constructor(
    readonly settings: SynthSettings,
    readonly split: Split,
    readonly heldOut: readonly Composition[],
  ) {
    this.rng = new Random(settings.seed).fork(SPLIT_SALT[split]);
    this.stage = { width: settings.size, height: settings.size, frames: settings.frames, unit: settings.size / 32 };
    this.dimensions = new Decks(this.rng, () => TEMPORAL_DIMENSIONS);
    this.phenomena = new Decks(this.rng, (d) => phenomenaOf(d as (typeof TEMPORAL_DIMENSIONS)[number]));
    // A stream of its own, so adding perception questions changed no temporal clip or question.
    this.perception = new PerceptionDecks(new Random(settings.seed).fork(SPLIT_SALT[split] + 0x9e3));
    this.binary = new Decks(this.rng, () => [0, 1] as const);
    this.orders = new Decks(this.rng, () => MC_ORDERS);
    const share = Math.round((split === 'val' ? settings.valHeldOutShare : settings.testHeldOutShare) * 10);
    // Validation without held-out pairs draws nothing from this deck, so its clips stay those of
    // datasets made before validation could hold them.
    this.drawsHeldOut = split === 'test' || (split === 'val' && settings.valHeldOutShare > 0);
    this.heldOutDeck = new Decks(this.rng, () => Array.from({ length: 10 }, (_, i) => i < share));
    this.clipBytes = settings.frames * settings.size * settings.size * 3;
  }

  next(): Pair {
    const i = this.pairIndex++;
    const dimension = this.dimensions.draw('');
    const phenomenon = this.phenomena.draw(dimension);
    const wantHeldOut = this.drawsHeldOut && this.heldOutDeck.draw(phenomenon.motion);
    const v = this.binary.draw(`shown:${phenomenon.name}`);
    const k = this.binary.draw(`yes_no:${dimension}`);
    const mcOrder = this.orders.draw(dimension);
    const cmSwap = this.binary.draw(`caption_matching:${dimension}`);
    const pairRng = this.rng.fork(i);

    // The outcomes each clip shows; a reversible phenomenon renders outcome 0 and reverses it.
    const outcomes: (0 | 1)[] = phenomenon.reversible ? [0] : [v, (1 - v) as 0 | 1];
    const layoutSeed = pairRng.int(0x7fffffff);
    let cast: Cast;
    let motions: Motion[];
    // Redraw the cast until no object shows a held-out combination, except the chosen one of a
    // held-out pair: a held-out shape–colour–motion must never be seen in train (nor in val unless
    // valHeldOutShare asks for it).
    for (;;) {
      cast = this.pickCast(pairRng, phenomenon, wantHeldOut);
      motions = outcomes.map((o) => phenomenon.render(new Random(layoutSeed), this.stage, cast, o));
      const visible = motions.flatMap((m) => m.frames.flat()).filter((o) => !(wantHeldOut && o.shape === cast.a.shape && o.colour === cast.a.colour));
      if (!visible.some((o) => isHeldOut(this.heldOut, o.shape, o.colour, phenomenon.motion))) break;
    }
    const names: Names = {
      a: phenomenon.nameByShape ? cast.a.shape : `${cast.a.colour} ${cast.a.shape}`,
      b: phenomenon.nameByShape ? cast.b.shape : `${cast.b.colour} ${cast.b.shape}`,
      from: cast.a.colour,
      to: cast.b.colour,
      third: cast.c,
    };

    const background = paintBackground(pairRng, this.stage.width, this.stage.height, this.pickBackground(pairRng));
    const distractors = this.pickDistractors(pairRng, cast);
    const rendered = motions.map((motion) => {
      const clip = new Uint8Array(this.clipBytes);
      renderScene({ background, distractors, bars: motion.bars ?? [], frames: motion.frames }, this.stage.width, this.stage.height, clip);
      return clip;
    });
    if (phenomenon.reversible) {
      const reversed = new Uint8Array(this.clipBytes);
      reverseFrames(rendered[0]!, this.settings.frames, reversed);
      rendered.push(reversed);
      if (v === 1) rendered.reverse();
    }
    const [clip0, clip1] = rendered as [Uint8Array, Uint8Array];
    // Ground truth per clip, in the clip's own frame order (a reversed partner's frames run backwards).
    const truth = outcomes.map((_, j) => ({ objects: motions[j]!.frames.map((f) => f.map(sceneObject)), distractors: distractors.map(sceneObject) }));
    if (phenomenon.reversible) {
      truth.push({ ...truth[0]!, objects: [...truth[0]!.objects].reverse() });
      if (v === 1) truth.reverse();
    }
    const shownOutcome = (c: 0 | 1) => (c === 0 ? v : 1 - v) as 0 | 1;

    const ids = [2 * i, 2 * i + 1].map((n) => `${this.split}-${String(n).padStart(6, '0')}`) as [string, string];
    const composition: Composition = { shape: cast.a.shape, colour: cast.a.colour, motion: phenomenon.motion };
    const heldOut = isHeldOut(this.heldOut, composition.shape, composition.colour, composition.motion);
    const partnerKind = phenomenon.reversible ? 'reversed' : 'rerendered';
    const videos: Pair['videos'] = [
      { id: ids[0], split: this.split, partnerId: ids[1], partnerKind, phenomenon: phenomenon.name, outcome: shownOutcome(0), scene: truth[0]! },
      { id: ids[1], split: this.split, partnerId: ids[0], partnerKind, phenomenon: phenomenon.name, outcome: shownOutcome(1), scene: truth[1]! },
    ];

    const answers = phenomenon.answers(names);
    const mcOptions = mcOrder.map((j) => (j < 2 ? answers[j]! : phenomenon.distractor(names)));
    const captions = [captionOf(phenomenon.slots(names, 0)), captionOf(phenomenon.slots(names, 1))];
    const cmCaptions = cmSwap ? [captions[1]!, captions[0]!] : captions;
    const questions: Question[] = [];
    for (const c of [0, 1] as const) {
      const shown = shownOutcome(c);
      const base = (format: Format) => ({
        id: `${ids[c]}-${format}`,
        videoId: ids[c],
        split: this.split,
        dimension,
        format,
        partnerId: `${ids[1 - c]}-${format}`,
        heldOut,
        phenomenon: phenomenon.name,
        composition,
      });
      questions.push(
        { ...base('yes_no'), question: withInstruction('yes_no', phenomenon.yesNo(names, k)), answer: shown === k ? 'yes' : 'no' },
        {
          ...base('multi_choice'),
          question: withInstruction('multi_choice', listOptions(phenomenon.question(names), mcOptions)),
          answer: letteredAnswer(mcOrder.indexOf(shown), answers[shown]),
          options: mcOptions,
        },
        {
          ...base('caption_matching'),
          question: withInstruction('caption_matching', listCaptions(CAPTION_MATCHING_QUESTION, cmCaptions)),
          answer: letteredAnswer(cmCaptions.indexOf(captions[shown]!), captions[shown]!),
          options: cmCaptions,
        },
        {
          ...base('captioning'),
          question: withInstruction('captioning', CAPTIONING_PROMPTS[dimension]),
          answer: captions[shown]!,
          slots: phenomenon.slots(names, shown),
        },
      );
    }
    // Perception questions: both clips show the same objects, so they share the draws of the pair.
    const perception = this.perception.questions(pairRng, cast.a, truth[0]!);
    for (const c of [0, 1] as const) {
      for (const p of perception) {
        questions.push({
          id: `${ids[c]}-perception-${p.format}`,
          videoId: ids[c],
          split: this.split,
          dimension: 'perception',
          partnerId: null,
          heldOut,
          phenomenon: phenomenon.name,
          composition,
          ...p,
        });
      }
    }
    return { videos, clips: [clip0, clip1], questions };
  }

  private pickCast(rng: Random, phenomenon: Phenomenon, wantHeldOut: boolean): Cast {
    let a: { shape: Shape; colour: Colour };
    const candidates = this.heldOut.filter((h) => h.motion === phenomenon.motion);
    if (wantHeldOut && candidates.length > 0) {
      const h = rng.pick(candidates);
      a = { shape: h.shape as Shape, colour: h.colour as Colour };
    } else {
      do a = { shape: rng.pick(phenomenon.subjectShapes), colour: rng.pick(COLOUR_NAMES) };
      while (isHeldOut(this.heldOut, a.shape, a.colour, phenomenon.motion));
    }
    const b = { shape: rng.pick(SHAPES.filter((s) => s !== a.shape)), colour: rng.pick(COLOUR_NAMES.filter((c) => c !== a.colour)) };
    const c = rng.pick(COLOUR_NAMES.filter((x) => x !== a.colour && x !== b.colour));
    return { a, b, c };
  }

  private pickBackground(rng: Random): Background['kind'] {
    switch (this.settings.background) {
      case 'plain':
        return 'plain';
      case 'textured':
        return rng.pick(['checker', 'noise'] as const);
      case 'mixed':
        return rng.pick(['plain', 'checker', 'noise'] as const);
    }
  }

  /** Small static objects whose shape and colour differ from every named object's, so names stay unambiguous. */
  private pickDistractors(rng: Random, cast: Cast): Sprite[] {
    const n = rng.int(this.settings.distractors + 1);
    const shapes = SHAPES.filter((s) => s !== cast.a.shape && s !== cast.b.shape);
    const colours = COLOUR_NAMES.filter((c) => c !== cast.a.colour && c !== cast.b.colour && c !== cast.c);
    const { width, height, unit } = this.stage;
    return Array.from({ length: n }, () => {
      const size = unit * (2 + rng.next());
      return {
        shape: rng.pick(shapes),
        colour: rng.pick(colours),
        x: rng.uniform(size, width - size),
        y: rng.uniform(size, height - size),
        size,
        angle: rng.uniform(0, Math.PI),
      };
    });
  }
}

export interface SynthRequest extends Partial<SynthSettings> {
  train?: number;
  val?: number;
  test?: number;
  /** Clips per frame shard. */
  shardClips?: number;
  /** Replace an existing --out that is not a tempolab dataset. */
  overwrite?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** The settings a manifest records: valHeldOutShare only where set, so a dataset made without it keeps the identity it had before the setting existed. */
function generatorSettings({ valHeldOutShare, ...rest }: SynthSettings): Record<string, unknown> {
  return valHeldOutShare > 0 ? { ...rest, valHeldOutShare } : rest;
}

/**
 * Generates the synthetic temporal benchmark into `outDir`, atomically: the directory appears
 * only when complete. Counts are numbers of clips and must be even (clips come in opposing pairs).
 */
export async function synthesizeDataset(outDir: string, request: SynthRequest = {}): Promise<Manifest> {
  const settings: SynthSettings = {
    frames: request.frames ?? DEFAULT_SYNTH.frames,
    size: request.size ?? DEFAULT_SYNTH.size,
    seed: request.seed ?? DEFAULT_SYNTH.seed,
    background: request.background ?? DEFAULT_SYNTH.background,
    distractors: request.distractors ?? DEFAULT_SYNTH.distractors,
    heldOutPerMotion: request.heldOutPerMotion ?? DEFAULT_SYNTH.heldOutPerMotion,
    testHeldOutShare: request.testHeldOutShare ?? DEFAULT_SYNTH.testHeldOutShare,
    valHeldOutShare: request.valHeldOutShare ?? DEFAULT_SYNTH.valHeldOutShare,
  };
  validateSynthSettings(settings);
  const counts: Record<Split, number> = { train: request.train ?? 1000, val: request.val ?? 200, test: request.test ?? 200 };
  for (const s of SPLITS) {
    check(Number.isInteger(counts[s]) && counts[s] >= 0 && counts[s] % 2 === 0,
      `--${s} must be an even number of clips (clips come in opposing pairs), got ${counts[s]}`);
  }
  const total = counts.train + counts.val + counts.test;
  check(total > 0, 'nothing to generate: give --train, --val or --test a positive even count');
  assertShardBuffersFit({ frames: settings.frames, height: settings.size, width: settings.size, channels: 3 }, SPLITS.map((s) => counts[s]), request.shardClips);
  const heldOut = heldOutCompositions(settings.seed, settings.heldOutPerMotion);
  let manifest: Manifest | undefined;
  await writeDirAtomic(outDir, async (tmp) => {
    const writer = new DatasetWriter(tmp, { frames: settings.frames, height: settings.size, width: settings.size, channels: 3 }, request.shardClips);
    let done = 0;
    for (const split of SPLITS) {
      const generator = new PairGenerator(settings, split, heldOut);
      for (let n = 0; n < counts[split]; n += 2) {
        const pair = generator.next();
        await writer.addVideo(pair.videos[0], pair.clips[0]);
        await writer.addVideo(pair.videos[1], pair.clips[1]);
        writer.addQuestions(pair.questions);
        done += 2;
        request.onProgress?.(done, total);
        // Let timers and signals run (progress redraws, Ctrl-C cleanup) between batches.
        if (done % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    manifest = await writer.finish({
      format: 'tempolab-dataset',
      version: 1,
      origin: 'synthetic',
      seed: settings.seed,
      generator: { name: 'tempolab-synth', ...generatorSettings(settings), counts },
      heldOut,
    });
  }, datasetOutput(request.overwrite));
  return manifest!;
}
