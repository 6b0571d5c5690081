import type { CaptionSlots, Format, TemporalDimension } from './types.js';

/** The instruction line each format's prompt ends with (TempCompass' prompts, lower-cased). */
export const INSTRUCTIONS: Record<Format, string> = {
  yes_no: 'please answer yes or no:',
  multi_choice: 'please directly give the best option:',
  caption_matching: 'please directly give the best option:',
  captioning: '',
};

/**
 * The same lines as TempCompass' own inference code writes them (its `answer_prompt`), capitalised:
 * what a model with a real tokenizer is asked. The word-level benchmark vocabulary is lower-case.
 */
export const TEMPCOMPASS_INSTRUCTIONS: Record<Format, string> = {
  yes_no: 'Please answer yes or no:',
  multi_choice: 'Please directly give the best option:',
  caption_matching: 'Please directly give the best option:',
  captioning: '',
};

/** A question's text with its lower-case instruction line in TempCompass' own capitalisation. */
export function tempCompassCapitalised(question: string): string {
  for (const format of ['yes_no', 'multi_choice'] as const) {
    const tail = `\n${INSTRUCTIONS[format]}`;
    if (question.endsWith(tail)) return `${question.slice(0, -tail.length)}\n${TEMPCOMPASS_INSTRUCTIONS[format]}`;
  }
  return question;
}

export const OPTION_LETTERS = ['A', 'B', 'C', 'D', 'E'] as const;

export const CAPTION_MATCHING_QUESTION = 'which caption matches the video?';

/** The captioning prompt names the dimension the caption should be about. */
export const CAPTIONING_PROMPTS: Record<TemporalDimension, string> = {
  direction: 'describe the direction of the motion in the video in one sentence.',
  speed: 'describe the speed of the motion in the video in one sentence.',
  order: 'describe the order of the events in the video in one sentence.',
  attribute_change: 'describe how the object changes in the video in one sentence.',
  action: 'describe the action in the video in one sentence.',
};

export function withInstruction(format: Format, body: string): string {
  return INSTRUCTIONS[format] ? `${body}\n${INSTRUCTIONS[format]}` : body;
}

/** `body\nA. first\nB. second…` — the option list of multi_choice questions. */
export function listOptions(body: string, options: readonly string[]): string {
  return [body, ...options.map((o, i) => `${OPTION_LETTERS[i]}. ${o}`)].join('\n');
}

/** `body\ncaption A: first\ncaption B: second…` — the caption list of caption_matching questions. */
export function listCaptions(body: string, captions: readonly string[]): string {
  return [body, ...captions.map((c, i) => `caption ${OPTION_LETTERS[i]}: ${c}`)].join('\n');
}

/** A lettered answer: its first word is the letter, so the first answer token identifies it. */
export function letteredAnswer(index: number, text: string): string {
  return `${OPTION_LETTERS[index]}. ${text}`;
}

export function captionOf(slots: CaptionSlots): string {
  return ['the', slots.subject, slots.motion, slots.direction].filter((w) => w).join(' ');
}

/** Words and punctuation marks, the units of the word-level tokenizer built over the benchmark. */
export function splitWords(text: string): string[] {
  return text.match(/[A-Za-z]+|[0-9]+|[^\sA-Za-z0-9]/g) ?? [];
}

/** Scores a generated caption by rule: does it contain each key slot (as whole words)? */
export function scoreCaption(prediction: string, slots: CaptionSlots): { subject: boolean; motion: boolean; direction: boolean } {
  const words = ` ${splitWords(prediction.toLowerCase()).join(' ')} `;
  const has = (phrase: string) => phrase === '' || words.includes(` ${splitWords(phrase.toLowerCase()).join(' ')} `);
  return { subject: has(slots.subject), motion: has(slots.motion), direction: has(slots.direction) };
}

/**
 * Whether a generated answer is right: for yes_no, multi_choice and caption_matching the first word
 * decides (yes/no, or the option letter); a caption needs all three key slots.
 */
export function isCorrect(q: { format: Format; answer: string; slots?: CaptionSlots }, prediction: string): boolean {
  if (q.format === 'captioning') {
    if (!q.slots) return prediction.trim().toLowerCase() === q.answer.toLowerCase();
    const s = scoreCaption(prediction, q.slots);
    return s.subject && s.motion && s.direction;
  }
  const first = (t: string) => (splitWords(t)[0] ?? '').toLowerCase();
  return first(prediction) === first(q.answer);
}
