import { splitWords } from './formats.js';
import type { Dataset } from './dataset.js';
import { DIMENSIONS, FORMATS, SPLITS, type Dimension, type Format, type Split } from './types.js';

export interface GroupStats {
  split: Split;
  format: Format;
  dimension: Dimension;
  questions: number;
  /** Answers counted by their first word (yes/no or the option letter); captions by their full text. */
  answers: Record<string, number>;
  /** Accuracy of always giving the most common answer. */
  majority: number;
  heldOut: number;
  withPartner: number;
}

export interface DatasetStats {
  splits: Record<Split, { videos: number; questions: number; heldOut: number }>;
  groups: GroupStats[];
}

/** Counts by split, format, dimension and answer, read from the question files. */
export function computeStats(dataset: Dataset): DatasetStats {
  const splits = {} as DatasetStats['splits'];
  const groups = new Map<string, GroupStats>();
  for (const split of SPLITS) {
    const questions = dataset.questions(split);
    splits[split] = { videos: dataset.videos(split).length, questions: questions.length, heldOut: questions.filter((q) => q.heldOut).length };
    for (const q of questions) {
      const key = `${split}|${q.format}|${q.dimension}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { split, format: q.format, dimension: q.dimension, questions: 0, answers: {}, majority: 0, heldOut: 0, withPartner: 0 }));
      const answer = q.format === 'captioning' ? q.answer : (splitWords(q.answer)[0] ?? '');
      g.questions++;
      g.answers[answer] = (g.answers[answer] ?? 0) + 1;
      if (q.heldOut) g.heldOut++;
      if (q.partnerId) g.withPartner++;
    }
  }
  for (const g of groups.values()) g.majority = Math.max(...Object.values(g.answers)) / g.questions;
  const rank = (g: GroupStats) => [SPLITS.indexOf(g.split), FORMATS.indexOf(g.format), DIMENSIONS.indexOf(g.dimension)];
  const order = (x: GroupStats, y: GroupStats) => {
    const [a, b] = [rank(x), rank(y)];
    return a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  };
  return { splits, groups: [...groups.values()].sort(order) };
}
