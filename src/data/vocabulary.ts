import {
  CAPTION_MATCHING_QUESTION,
  CAPTIONING_PROMPTS,
  INSTRUCTIONS,
  OPTION_LETTERS,
  captionOf,
  splitWords,
} from './formats.js';
import { perceptionTexts } from './perception.js';
import { PHENOMENA, type Names } from './phenomena.js';
import { COLOUR_NAMES, SHAPES } from './render.js';

/**
 * Every word and punctuation mark the synthetic benchmark's questions and answers can contain
 * (as split by `splitWords`), sorted: the vocabulary of a word-level tokenizer for it. Built by
 * filling every template with every shape and colour, so it cannot drift from the templates.
 */
export function benchmarkVocabulary(): string[] {
  const words = new Set<string>(['yes', 'no', 'caption', ...OPTION_LETTERS.slice(0, 3), '.', ':', '?']);
  const add = (text: string) => splitWords(text).forEach((w) => words.add(w));
  Object.values(INSTRUCTIONS).forEach(add);
  Object.values(CAPTIONING_PROMPTS).forEach(add);
  perceptionTexts().forEach(add);
  add(CAPTION_MATCHING_QUESTION);
  const combos = SHAPES.flatMap((shape) => COLOUR_NAMES.map((colour) => ({ shape, colour })));
  // Each template is a concatenation of name slots and fixed words, so cycling every slot through
  // all of its values (not all combinations of slots) reaches every word.
  combos.forEach((x, i) => {
    const y = combos[(i + 7) % combos.length]!;
    const colour = (j: number) => COLOUR_NAMES[(i + j) % COLOUR_NAMES.length]!;
    for (const byShape of [false, true]) {
      const names: Names = {
        a: byShape ? x.shape : `${x.colour} ${x.shape}`,
        b: byShape ? y.shape : `${y.colour} ${y.shape}`,
        from: colour(0),
        to: colour(1),
        third: colour(2),
      };
      for (const p of PHENOMENA) {
        p.answers(names).forEach(add);
        add(p.distractor(names));
        add(p.question(names));
        for (const k of [0, 1] as const) {
          add(p.yesNo(names, k));
          add(captionOf(p.slots(names, k)));
        }
      }
    }
  });
  return [...words].sort();
}
