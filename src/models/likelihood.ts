/**
 * Log-likelihood scoring of candidate answers (lmms-eval's "loglikelihood" mode): each candidate is
 * appended to the video prompt as the assistant's answer, and its score is the sum over its tokens
 * of log P(token | video, question, earlier answer tokens). All candidates of one question share
 * one video, so they run as one batch, right-padded (causal attention keeps padding out of sight).
 */
import { TempolabError } from '../engine/errors.js';
import { encodeVideoQuestion, padQuestion } from './prompt.js';
import type { ForwardRequest, VideoLM } from './videoLM.js';

/** The video part of a request: pixel values, grid and (Qwen2.5-VL) seconds per temporal group. */
export type VideoInput = Pick<ForwardRequest, 'pixelValuesVideos' | 'videoGridThw' | 'secondPerGridT'>;

function logSoftmaxAt(logits: Float32Array, offset: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(logits[offset + i]! - max);
  return logits[offset + token]! - max - Math.log(sum);
}

/** Σ log P(candidate tokens) for each candidate, in order (the closing <|im_end|> is not counted). */
export async function continuationLogLikelihoods(model: VideoLM, video: VideoInput, question: string, candidates: readonly string[]): Promise<number[]> {
  const tokenizer = model.tokenizer;
  if (!tokenizer) throw new TempolabError('the model has no tokenizer.json; likelihood scoring needs it to encode the answers');
  if (candidates.length === 0) throw new TempolabError('no candidate answers to score; give at least one option');
  const [t, h, w] = video.videoGridThw;
  const videoTokens = model.mergedTokens({ t, h, w });
  const encoded = candidates.map((answer) => {
    const e = encodeVideoQuestion(tokenizer, { question, answer, videoTokens, temporalGroups: t });
    const answerTokens = e.spans.answer![1] - e.spans.answer![0] - 1;
    if (answerTokens < 1) throw new TempolabError(`candidate answer ${JSON.stringify(answer)} encodes to no tokens; give non-empty options`);
    return { e, answerTokens };
  });
  const length = Math.max(...encoded.map((c) => c.e.inputIds.length));
  const pad = tokenizer.special.endOfText;
  const requests = encoded.map(({ e }) => ({ ...video, inputIds: padQuestion(e, length, pad).inputIds }));
  const { logits } = await model.forwardBatch(requests, ['logits']);
  const vocab = model.config.vocab_size;
  return encoded.map(({ e, answerTokens }, b) => {
    let total = 0;
    const first = e.spans.lastToken; // the logits at position s predict token s + 1
    for (let s = first; s < first + answerTokens; s++) total += logSoftmaxAt(logits, (b * length + s) * vocab, vocab, e.inputIds[s + 1]!);
    return total;
  });
}

/** The index of the most likely candidate (the first on ties) and every score. */
export async function mostLikely(model: VideoLM, video: VideoInput, question: string, candidates: readonly string[]): Promise<{ index: number; logLikelihoods: number[] }> {
  const logLikelihoods = await continuationLogLikelihoods(model, video, question, candidates);
  const index = logLikelihoods.reduce((best, v, i) => (v > logLikelihoods[best]! ? i : best), 0);
  return { index, logLikelihoods };
}
