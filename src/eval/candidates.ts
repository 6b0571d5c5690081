/**
 * The full answers a question can have, for likelihood scoring: multi_choice and caption_matching
 * list their options in the form the dataset's answers take ("B. text" when lettered, the option
 * text otherwise), yes_no has "yes" and "no". Captioning has no closed set: it is generated.
 */
import { letteredAnswer } from '../data/formats.js';
import type { Question } from '../data/types.js';

export const SCORINGS = ['generate', 'likelihood'] as const;
export type Scoring = (typeof SCORINGS)[number];

/** The candidate answers, or null when the question must be answered by generation. */
export function answerCandidates(q: Pick<Question, 'format' | 'answer' | 'options'>): string[] | null {
  if (q.format === 'yes_no') return ['yes', 'no'];
  if (q.format === 'captioning' || !q.options || q.options.length === 0) return null;
  const lettered = /^[A-Z]\. /.test(q.answer);
  return q.options.map((o, i) => (lettered ? letteredAnswer(i, o) : o));
}
