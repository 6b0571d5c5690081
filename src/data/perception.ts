/**
 * Static perception questions: what the clip shows, not how it changes. Each asks about the clip's
 * subject (the first named object, by a colour it shows) in all four formats, so a model's "sees"
 * (perception) is measured apart from its "understands time" (the five temporal dimensions).
 * Every answer holds in every frame order: a clip and its reversed partner share them.
 */
import { Decks, permutations } from './balance.js';
import { CAPTION_MATCHING_QUESTION, letteredAnswer, listCaptions, listOptions, withInstruction } from './formats.js';
import type { SceneTruth } from './groundTruth.js';
import type { Random } from '../engine/random.js';
import { COLOUR_NAMES, SHAPES, type Colour, type Shape } from './render.js';
import type { CaptionSlots, Format } from './types.js';

export const PERCEPTION_TEMPLATES = {
  multiChoice: (colour: string) => `what shape is the ${colour} object?`,
  yesNo: (colour: string, shape: string) => `is there a ${colour} ${shape} in the video?`,
  caption: (colour: string, shape: string) => `the video shows a ${colour} ${shape}`,
  captioning: (colour: string) => `what is the ${colour} object? answer in one sentence.`,
  slots: (colour: string, shape: string): CaptionSlots => ({ subject: `${colour} object`, motion: 'is', direction: `a ${shape}` }),
  captionAnswer: (colour: string, shape: string) => `the ${colour} object is a ${shape}`,
};

export interface PerceptionQuestion {
  format: Format;
  question: string;
  answer: string;
  options?: string[];
  slots?: CaptionSlots;
}

const MC_ORDERS = permutations(3);

/** Balanced draws for the perception questions of one split (yes/no polarity, option positions). */
export class PerceptionDecks {
  private readonly binary: Decks<0 | 1>;
  private readonly orders: Decks<number[]>;

  constructor(rng: Random) {
    this.binary = new Decks(rng, () => [0, 1] as const);
    this.orders = new Decks(rng, () => MC_ORDERS);
  }

  /**
   * The four questions about `subject` in a clip whose visible colours are `visible`. `rng` picks
   * the wrong options (shapes and an absent colour); the decks pick positions and polarity.
   */
  questions(rng: Random, subject: { shape: Shape; colour: Colour }, scene: SceneTruth): PerceptionQuestion[] {
    const visible = new Set([...scene.distractors, ...scene.objects.flat()].map((o) => o.colour));
    const absent = rng.pick(COLOUR_NAMES.filter((c) => !visible.has(c)));
    const { colour, shape } = subject;
    const otherShapes = rng.shuffle(SHAPES.filter((s) => s !== shape)).slice(0, 2);
    const order = this.orders.draw('mc');
    const options = order.map((j) => (j === 0 ? shape : otherShapes[j - 1]!));
    const present = this.binary.draw('yes_no') === 1;
    const trueCaption = PERCEPTION_TEMPLATES.caption(colour, shape);
    const falseCaption = PERCEPTION_TEMPLATES.caption(absent, shape);
    const captions = this.binary.draw('caption_matching') === 0 ? [trueCaption, falseCaption] : [falseCaption, trueCaption];
    return [
      { format: 'yes_no', question: withInstruction('yes_no', PERCEPTION_TEMPLATES.yesNo(present ? colour : absent, shape)), answer: present ? 'yes' : 'no' },
      { format: 'multi_choice', question: withInstruction('multi_choice', listOptions(PERCEPTION_TEMPLATES.multiChoice(colour), options)), answer: letteredAnswer(order.indexOf(0), shape), options },
      {
        format: 'caption_matching',
        question: withInstruction('caption_matching', listCaptions(CAPTION_MATCHING_QUESTION, captions)),
        answer: letteredAnswer(captions.indexOf(trueCaption), trueCaption),
        options: captions,
      },
      { format: 'captioning', question: PERCEPTION_TEMPLATES.captioning(colour), answer: PERCEPTION_TEMPLATES.captionAnswer(colour, shape), slots: PERCEPTION_TEMPLATES.slots(colour, shape) },
    ];
  }
}

/** Every text the perception templates can produce, for the benchmark vocabulary. */
export function perceptionTexts(): string[] {
  return SHAPES.flatMap((shape) =>
    COLOUR_NAMES.flatMap((colour) => [
      PERCEPTION_TEMPLATES.multiChoice(colour),
      PERCEPTION_TEMPLATES.yesNo(colour, shape),
      PERCEPTION_TEMPLATES.caption(colour, shape),
      PERCEPTION_TEMPLATES.captioning(colour),
      PERCEPTION_TEMPLATES.captionAnswer(colour, shape),
      shape,
    ]),
  );
}
