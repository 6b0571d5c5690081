/**
 * The symmetry-breaking side of the benchmark. A balanced temporal yes/no question is an exclusive
 * or: the answer flips with the video and with the outcome the question states, so neither alone
 * predicts it, and gradient descent from a decoder that reads neither sits on a plateau (README,
 * "Breaking the question's symmetry"). On the questions that state the phenomenon's first outcome
 * the answer is a function of the video alone — a readout with a first-order gradient — so a phase
 * on them first breaks the symmetry, as a biased distribution breaks an exclusive or's.
 */
import type { Dataset } from '../data/dataset.js';
import type { Question } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';

/**
 * Whether a question is on the symmetry-broken side: perception and captioning always (their answer
 * is the video's); a temporal yes/no question when it states the phenomenon's outcome 0; a
 * caption-matching one when outcome 0's caption is listed first (option A). Multi-choice temporal
 * questions never are: their answer letter depends on the option order.
 */
export function statesFirstOutcome(dataset: Dataset, q: Question): boolean {
  if (q.dimension === 'perception' || q.format === 'captioning') return true;
  if (q.format === 'multi_choice') return false;
  const outcome = dataset.video(q.videoId).outcome;
  if (outcome === undefined) {
    throw new TempolabError(`clip ${q.videoId} of ${dataset.dir} has no phenomenon outcome: a symmetry-breaking phase needs synthetic data (tempolab data synth), or leave --symmetry-steps at 0`);
  }
  const saysYes = q.answer === 'yes';
  if (q.format === 'yes_no') return (saysYes ? outcome : 1 - outcome) === 0;
  const chosen = q.answer.startsWith('A') ? 0 : 1;
  return (outcome === 0 ? chosen : 1 - chosen) === 0;
}
