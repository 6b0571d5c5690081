/**
 * Runs an experiment on a model: for each question and each condition, the baseline inputs (P)
 * and the intervened inputs (P̃) go through the same compiled graph, and the probability of the
 * ground-truth answer's first token is read at the last prompt token.
 */
import type { Dataset } from '../data/dataset.js';
import type { Question } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { secondPerGrid } from '../models/processor.js';
import type { VideoLM } from '../models/videoLM.js';
import { PreparedClip } from './clip.js';
import type { Experiment } from './experiments.js';
import type { Intervention } from './interventions.js';
import type { ProbabilityRow } from './pc.js';

export interface ProbeRow extends ProbabilityRow {
  questionId: string;
}

export interface RunExperimentOptions {
  onProgress?: (done: number, total: number) => void;
}

/** The questions an experiment can use: its formats, and a reversed partner where it scores against one. */
export function experimentQuestions(experiment: Experiment, dataset: Dataset, questions: readonly Question[]): Question[] {
  const needsPartner = experiment.conditions.some((c) => c.groundTruth === 'reversed');
  return questions.filter((q) => {
    if (experiment.formats !== 'all' && !experiment.formats.includes(q.format)) return false;
    if (!needsPartner) return true;
    return q.partnerId !== null && dataset.video(q.videoId).partnerKind === 'reversed';
  });
}

export async function runExperiment(model: VideoLM, dataset: Dataset, experiment: Experiment, questions: readonly Question[], options: RunExperimentOptions = {}): Promise<ProbeRow[]> {
  if (!model.tokenizer) throw new TempolabError('the model has no tokenizer.json; probes need it to write prompts');
  const m = dataset.manifest;
  const byId = new Map(dataset.questions(questions[0]?.split ?? 'test').map((q) => [q.id, q]));
  const rows: ProbeRow[] = [];
  let done = 0;
  for (const q of questions) {
    const clip = new PreparedClip(model, { video: { frames: dataset.frames(q.videoId), count: m.frames, height: m.height, width: m.width, secondPerGridT: secondPerGrid(dataset.video(q.videoId).seconds, m.frames, model.config.vision_config) }, question: q.question });
    const probability = new Map<string, number>();
    const measure = async (interventions: Intervention[], answer: string): Promise<number> => {
      const key = JSON.stringify([interventions, answer]);
      const cached = probability.get(key);
      if (cached !== undefined) return cached;
      const token = clip.answerToken(answer);
      const p = (await clip.distribution(interventions))[token]!;
      probability.set(key, p);
      return p;
    };
    for (const condition of experiment.conditions) {
      const answer = condition.groundTruth === 'reversed' ? byId.get(q.partnerId ?? '')?.answer : q.answer;
      if (answer === undefined) throw new TempolabError(`question ${q.id} has no reversed partner for ${experiment.name}; use experimentQuestions to pick questions`);
      rows.push({
        questionId: q.id,
        format: q.format,
        dimension: q.dimension,
        layer: condition.layer,
        label: condition.label,
        baseline: await measure(condition.baseline, answer),
        intervened: await measure(condition.interventions, answer),
      });
    }
    options.onProgress?.(++done, questions.length);
  }
  return rows;
}
