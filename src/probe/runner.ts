/**
 * Runs an experiment on a model: for each question and each condition, the baseline inputs (P)
 * and the intervened inputs (P̃) go through the same compiled graph, and the probability of the
 * ground-truth answer's first token is read at the last prompt token.
 */
import type { Dataset } from '../data/dataset.js';
import type { Question } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { ropeIndex, temporalPositionScale } from '../models/positionIds.js';
import { encodeVideoQuestion } from '../models/prompt.js';
import { clipPixelValues } from '../models/processor.js';
import type { VideoLM } from '../models/videoLM.js';
import { compileInterventions } from './compile.js';
import type { ProbeContext } from './context.js';
import type { Experiment } from './experiments.js';
import type { Intervention } from './interventions.js';
import type { ProbabilityRow } from './pc.js';

export interface ProbeRow extends ProbabilityRow {
  questionId: string;
}

export interface RunExperimentOptions {
  onProgress?: (done: number, total: number) => void;
}

function softmaxAt(logits: Float32Array, offset: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(logits[offset + i]! - max);
  return Math.exp(logits[offset + token]! - max) / sum;
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
  const tokenizer = model.tokenizer;
  if (!tokenizer) throw new TempolabError('the model has no tokenizer.json; probes need it to write prompts');
  const cfg = model.config;
  const merge = cfg.vision_config.spatial_merge_size;
  const m = dataset.manifest;
  const vocab = cfg.vocab_size;
  const byId = new Map(dataset.questions(questions[0]?.split ?? 'test').map((q) => [q.id, q]));
  const rows: ProbeRow[] = [];
  let done = 0;
  for (const q of questions) {
    const plain = clipPixelValues(dataset, q.videoId, cfg.vision_config);
    const grid = plain.grid;
    const prompt = encodeVideoQuestion(tokenizer, { question: q.question, videoTokens: model.mergedTokens(grid), temporalGroups: grid.t });
    const mergedGrid = { t: grid.t, h: grid.h / merge, w: grid.w / merge };
    const context: ProbeContext = {
      spans: prompt.spans,
      numLayers: cfg.num_hidden_layers,
      positionIds: ropeIndex(prompt.inputIds, cfg.video_token_id, mergedGrid, temporalPositionScale(cfg.vision_config, plain.secondPerGridT)),
      mergedGrid,
      rawFrames: m.frames,
    };
    const probability = new Map<string, number>();
    const measure = async (interventions: Intervention[], answer: string): Promise<number> => {
      const key = JSON.stringify([interventions, answer]);
      const cached = probability.get(key);
      if (cached !== undefined) return cached;
      const inputs = compileInterventions(interventions, context);
      const identity = inputs.frameOrder.every((f, i) => f === i);
      const pixels = identity ? plain : clipPixelValues(dataset, q.videoId, cfg.vision_config, inputs.frameOrder);
      const out = await model.forward({
        inputIds: prompt.inputIds,
        pixelValuesVideos: pixels.data,
        videoGridThw: [grid.t, grid.h, grid.w],
        secondPerGridT: plain.secondPerGridT,
        positionIds: inputs.positionIds,
        layerPositionIds: inputs.layerPositionIds,
        decoderMask: inputs.decoderMask,
        decoderRope: inputs.decoderRope,
      }, ['logits']);
      const token = tokenizer.encode(answer)[0];
      if (token === undefined) throw new TempolabError(`question ${q.id} has an empty answer`);
      const p = softmaxAt(out.logits, prompt.spans.lastToken * vocab, vocab, token);
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
