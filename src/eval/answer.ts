/**
 * The evaluation harness's model side: every question is asked with its format's prompt, the answer
 * generated greedily (batched prefill, then KV-cache decoding), and the probability of the
 * ground-truth answer's first token read off the prefill logits. With `scoring: 'likelihood'`,
 * questions with a closed answer set (candidates.ts) are answered by the candidate the model finds
 * most likely instead (lmms-eval's loglikelihood mode); captioning is still generated.
 */
import type { Dataset } from '../data/dataset.js';
import type { Question } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { decode, prefillBatch } from '../models/generate.js';
import { encodeVideoQuestion } from '../models/prompt.js';
import { clipPixelValues, type PixelValues } from '../models/processor.js';
import type { VideoLM } from '../models/videoLM.js';
import type { Prediction } from './score.js';
import { answerCandidates, type Scoring } from './candidates.js';
import { mostLikely } from '../models/likelihood.js';
import { strategicPrefill } from '../infer/prefill.js';
import type { Strategies } from '../infer/strategies.js';

export interface AnswerOptions {
  batchSize?: number;
  /** Pathway-guided strategies for the prefill (prompts then run one at a time through the strategy graph). */
  strategies?: Strategies;
  /** Generated tokens per answer (captions and lettered options need a few). */
  maxNewTokens?: number;
  /** "generate" (default): generation + rule matching; "likelihood": rank the candidate answers. */
  scoring?: Scoring;
  onProgress?: (done: number, total: number) => void;
}

/** Softmax probability of `token` under `logits`. */
export function tokenProbability(logits: Float32Array, token: number): number {
  let max = -Infinity;
  for (const l of logits) max = Math.max(max, l);
  let sum = 0;
  for (const l of logits) sum += Math.exp(l - max);
  return Math.exp(logits[token]! - max) / sum;
}

export async function answerQuestions(model: VideoLM, dataset: Dataset, questions: readonly Question[], options: AnswerOptions = {}): Promise<Prediction[]> {
  const tokenizer = model.tokenizer;
  if (!tokenizer) throw new TempolabError('the model has no tokenizer.json; evaluation needs it to write prompts');
  if (options.scoring === 'likelihood' && options.strategies) throw new TempolabError('likelihood scoring runs the full model on every candidate answer; drop --strategy or use --scoring generate');
  const pixels = new Map<string, PixelValues>();
  const pixelsOf = (videoId: string) => {
    let pv = pixels.get(videoId);
    if (!pv) pixels.set(videoId, (pv = clipPixelValues(dataset, videoId, model.config.vision_config)));
    return pv;
  };
  const encoded = questions.map((q) => {
    const pv = pixelsOf(q.videoId);
    return { q, pv, prompt: encodeVideoQuestion(tokenizer, { question: q.question, videoTokens: model.mergedTokens(pv.grid), temporalGroups: pv.grid.t }) };
  });
  // Similar lengths share a batch, so little is spent on padding.
  const order = encoded.map((_, i) => i).sort((a, b) => encoded[a]!.prompt.inputIds.length - encoded[b]!.prompt.inputIds.length);
  const batchSize = options.batchSize ?? 16;
  const predictions = new Array<Prediction>(questions.length);
  let done = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
    const batch = indices.map((i) => encoded[i]!);
    const requests = batch.map((e) => ({ inputIds: e.prompt.inputIds, pixelValuesVideos: e.pv.data, videoGridThw: [e.pv.grid.t, e.pv.grid.h, e.pv.grid.w] as const, secondPerGridT: e.pv.secondPerGridT }));
    const strategies = options.strategies;
    const prefilled = strategies
      ? await Promise.all(requests.map((r, k) => strategicPrefill(model, r, batch[k]!.prompt.spans, strategies)))
      : await prefillBatch(model, requests);
    for (const [k, e] of batch.entries()) {
      const candidates = options.scoring === 'likelihood' ? answerCandidates(e.q) : null;
      let prediction: string;
      let scores: number[] | undefined;
      if (candidates) {
        const ranked = await mostLikely(model, requests[k]!, e.q.question, candidates);
        prediction = candidates[ranked.index]!;
        scores = ranked.logLikelihoods;
      } else {
        const generation = await decode(model, prefilled[k]!, { maxNewTokens: options.maxNewTokens ?? 24 });
        prediction = tokenizer.decode(generation.tokens, { skipSpecialTokens: true });
      }
      const firstToken = tokenizer.encode(e.q.answer)[0];
      predictions[indices[k]!] = {
        questionId: e.q.id,
        prediction,
        ...(firstToken === undefined ? {} : { firstTokenProbability: tokenProbability(prefilled[k]!.logits, firstToken) }),
        ...(scores ? { optionLogLikelihoods: scores } : {}),
      };
    }
    done += batch.length;
    options.onProgress?.(done, questions.length);
  }
  return predictions;
}
