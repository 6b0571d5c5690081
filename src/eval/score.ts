/**
 * Scoring a model's answers by rule, the way TempCompass' automatic evaluation does before it falls
 * back to an LLM judge (tempolab has no judge: a prediction the rules cannot read is wrong).
 *
 * - multi_choice and caption_matching: the prediction picks an option by its letter ("B", "B.",
 *   "(B)", "B) …", "Caption B: …") or by repeating one option's text exactly (case and punctuation
 *   aside). When a letter is present it decides, even if the text after it belongs to another
 *   option: the letter is the answer's first token, the one greedy decoding commits to and the one
 *   first-token probability measures.
 * - yes_no: the first word, "yes" or "no".
 * - captioning: the caption must contain every key slot of the ground truth (`scoreCaption`).
 */
import { TempolabError } from '../engine/errors.js';
import { isCorrect, OPTION_LETTERS, scoreCaption, splitWords } from '../data/formats.js';
import type { Dimension, Format, Question } from '../data/types.js';

/** One model answer, as the inference harness produces it. */
export interface Prediction {
  questionId: string;
  /** The generated text. */
  prediction: string;
  /** P(ground-truth answer's first token), when the harness measured it. */
  firstTokenProbability?: number;
  /** Likelihood scoring: Σ log P of each candidate answer, in candidate order. */
  optionLogLikelihoods?: number[];
}

/** One question's verdict; it carries what the metrics group by, so it stands on its own. */
export interface ScoredAnswer {
  questionId: string;
  videoId: string;
  format: Format;
  dimension: Dimension;
  partnerId: string | null;
  heldOut: boolean;
  prediction: string;
  /**
   * What the rule read the prediction as: an option letter, "yes" / "no", or the trimmed caption;
   * null when it could read nothing (TempCompass' "fail"), which scores as wrong.
   */
  choice: string | null;
  correct: boolean;
  /** Captioning only: which key slots the caption contains. */
  slots?: { subject: boolean; motion: boolean; direction: boolean };
  firstTokenProbability?: number;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A leading option letter: alone, or followed by `.`, `)` or `:`, optionally in parentheses and
 * after "caption" / "option". A bare letter followed by a word ("A red circle…") is an article,
 * not a choice.
 */
const LEADING_LETTER = /^(?:(?:caption|option)\s+)?\(?\s*([a-z])\s*(?:[.):]|$)/i;

/** Lower-cased words joined by single spaces, trailing full stops and exclamation marks dropped. */
function normalise(text: string): string {
  const words = splitWords(text.toLowerCase());
  while (words.length > 0 && ['.', '!'].includes(words[words.length - 1]!)) words.pop();
  return words.join(' ');
}

function letterIndex(text: string, optionCount: number): number | null {
  const m = text.trim().match(LEADING_LETTER);
  if (!m) return null;
  const index = LETTERS.indexOf(m[1]!.toUpperCase());
  return index < optionCount ? index : null;
}

/** The option a multi_choice or caption_matching prediction picks, by letter, else by exact text. */
export function chosenOption(prediction: string, options: readonly string[] | undefined): number | null {
  // Without an option list (some imported questions) any of the benchmark's letters may be named.
  const byLetter = letterIndex(prediction, options?.length ?? OPTION_LETTERS.length);
  if (byLetter !== null) return byLetter;
  if (!options) return null;
  const text = normalise(prediction);
  if (text === '') return null;
  const index = options.findIndex((o) => normalise(o) === text);
  return index >= 0 ? index : null;
}

/**
 * The index of the ground-truth option: answers read "B. text"; imported ones may be text only.
 * Null when the answer names no option, and then no prediction can be right.
 */
function answerOption(q: Pick<Question, 'answer' | 'options'>): number | null {
  return chosenOption(q.answer, q.options);
}

/** Scores one prediction against its question. Never throws on what the model wrote. */
export function scoreAnswer(q: Question, prediction: string): Pick<ScoredAnswer, 'choice' | 'correct' | 'slots'> {
  if (q.format === 'multi_choice' || q.format === 'caption_matching') {
    const picked = chosenOption(prediction, q.options);
    const truth = answerOption(q);
    return { choice: picked === null ? null : LETTERS[picked]!, correct: picked !== null && picked === truth };
  }
  if (q.format === 'yes_no') {
    const first = (splitWords(prediction)[0] ?? '').toLowerCase();
    const choice = first === 'yes' || first === 'no' ? first : null;
    return { choice, correct: choice !== null && isCorrect(q, prediction) };
  }
  const caption = prediction.trim();
  const correct = caption !== '' && isCorrect(q, caption);
  return { choice: caption === '' ? null : caption, correct, ...(q.slots ? { slots: scoreCaption(caption, q.slots) } : {}) };
}

/**
 * Scores every question. Each question needs exactly one prediction and each prediction must name
 * a question of the set: a mismatch means the predictions came from another dataset or split, which
 * would silently skew every figure.
 */
export function scorePredictions(questions: readonly Question[], predictions: readonly Prediction[]): ScoredAnswer[] {
  const byId = new Map<string, Prediction>();
  for (const p of predictions) {
    if (byId.has(p.questionId)) throw new TempolabError(`two predictions for question '${p.questionId}'; give one answer per question`);
    const ftp = p.firstTokenProbability;
    if (ftp !== undefined && !(Number.isFinite(ftp) && ftp >= 0 && ftp <= 1)) {
      throw new TempolabError(`question '${p.questionId}': first-token probability ${ftp} is not in [0, 1]; pass a probability, not a logit`);
    }
    byId.set(p.questionId, p);
  }
  const known = new Set(questions.map((q) => q.id));
  const stray = predictions.filter((p) => !known.has(p.questionId));
  if (stray.length > 0) {
    throw new TempolabError(`${stray.length} prediction(s) name questions not in the set (first: '${stray[0]!.questionId}'); evaluate on the dataset and split the model answered`);
  }
  const missing = questions.filter((q) => !byId.has(q.id));
  if (missing.length > 0) {
    throw new TempolabError(`${missing.length} question(s) have no prediction (first: '${missing[0]!.id}'); answer every question, or pass only the questions answered`);
  }
  return questions.map((q) => {
    const p = byId.get(q.id)!;
    return {
      questionId: q.id,
      videoId: q.videoId,
      format: q.format,
      dimension: q.dimension,
      partnerId: q.partnerId,
      heldOut: q.heldOut,
      prediction: p.prediction,
      ...scoreAnswer(q, p.prediction),
      ...(p.firstTokenProbability !== undefined ? { firstTokenProbability: p.firstTokenProbability } : {}),
    };
  });
}
