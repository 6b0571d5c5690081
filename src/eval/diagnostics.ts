/**
 * Health of the visual pathway, measured on the video embeddings the decoder reads (the merger's
 * output): their norm, how far a clip's embeddings are from its frame-reversed partner's (a collapsed
 * tower makes them equal), and linear probes of what the first frame shows — the subject's colour,
 * shape and 3×3 cell — fitted on training clips and scored on held-out ones.
 */
import { cellOf } from '../data/groundTruth.js';
import type { Dataset } from '../data/dataset.js';
import { COLOUR_NAMES, SHAPES } from '../data/render.js';
import type { Split, VideoRecord } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { compile } from '../engine/runtime.js';
import { traceVideoEmbeddings } from '../models/pretraining.js';
import { clipPixelValues } from '../models/processor.js';
import type { VideoLM } from '../models/videoLM.js';

export interface EmbeddingDiagnostics {
  /** Mean L2 norm of one video token. */
  tokenNorm: number;
  /** Mean ‖E(clip) − E(reversed partner)‖ / ‖E(clip)‖ over clips whose partner is their reversal. */
  reversedPartnerDistance: number;
  /** Held-out accuracy of linear probes on the first temporal group's tokens (chance: 1/6, 1/5, 1/9 or the majority share). */
  probe: { colour: number; shape: number; cell: number };
  clips: { fit: number; scored: number };
}

/** Video embeddings [tokens · hidden] of each clip, in batches through the vision encoder alone. */
export async function videoEmbeddings(model: VideoLM, dataset: Dataset, clips: readonly VideoRecord[], batchSize = 16): Promise<Float32Array[]> {
  if (!clips.length) return [];
  const cfg = model.config;
  const first = clipPixelValues(dataset, clips[0]!.id, cfg.vision_config);
  const graph = traceVideoEmbeddings(cfg, { batch: batchSize, grid: first.grid });
  const session = await compile(graph, { video_embeds: graph.outputs.get('video_embeds')! });
  const out: Float32Array[] = [];
  for (let i = 0; i < clips.length; i += batchSize) {
    const part = clips.slice(i, i + batchSize);
    const pixels = new Float32Array(batchSize * first.data.length);
    part.forEach((c, b) => pixels.set(clipPixelValues(dataset, c.id, cfg.vision_config).data, b * first.data.length));
    const feeds = new Map<string, Float32Array>([['pixel_values_videos', pixels], ...[...model.params].map(([k, p]) => [k, p.data] as [string, Float32Array])]);
    const embeds = (await session.run(feeds)).video_embeds!.data as Float32Array;
    const per = embeds.length / batchSize;
    part.forEach((_, b) => out.push(embeds.slice(b * per, (b + 1) * per)));
  }
  return out;
}

const norm = (v: ArrayLike<number>, from = 0, to = v.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
};

/**
 * A ridge-regression classifier on one-hot targets (least squares with an L2 penalty), solved in
 * closed form: enough to ask whether a property is linearly readable from the features.
 */
export function linearProbeAccuracy(fit: { x: Float32Array[]; y: number[] }, score: { x: Float32Array[]; y: number[] }, classes: number, ridge = 1e-2): number {
  const d = fit.x[0]!.length + 1;
  const row = (x: Float32Array) => [...x, 1];
  const gram = new Float64Array(d * d);
  const rhs = new Float64Array(d * classes);
  fit.x.forEach((xi, n) => {
    const r = row(xi);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) gram[i * d + j] += r[i]! * r[j]!;
      rhs[i * classes + fit.y[n]!] += r[i]!;
    }
  });
  let trace = 0;
  for (let i = 0; i < d; i++) trace += gram[i * d + i]!;
  for (let i = 0; i < d; i++) gram[i * d + i] += (ridge * trace) / d;
  // Cholesky of the (symmetric, lower-filled) Gram matrix, then two triangular solves per class.
  for (let j = 0; j < d; j++) {
    let s = gram[j * d + j]!;
    for (let k = 0; k < j; k++) s -= gram[j * d + k]! ** 2;
    const diag = Math.sqrt(Math.max(s, 1e-12));
    gram[j * d + j] = diag;
    for (let i = j + 1; i < d; i++) {
      let t = gram[i * d + j]!;
      for (let k = 0; k < j; k++) t -= gram[i * d + k]! * gram[j * d + k]!;
      gram[i * d + j] = t / diag;
    }
  }
  const weights = new Float64Array(d * classes);
  for (let c = 0; c < classes; c++) {
    const z = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let t = rhs[i * classes + c]!;
      for (let k = 0; k < i; k++) t -= gram[i * d + k]! * z[k]!;
      z[i] = t / gram[i * d + i]!;
    }
    for (let i = d - 1; i >= 0; i--) {
      let t = z[i]!;
      for (let k = i + 1; k < d; k++) t -= gram[k * d + i]! * weights[k * classes + c]!;
      weights[i * classes + c] = t / gram[i * d + i]!;
    }
  }
  let right = 0;
  score.x.forEach((xi, n) => {
    const r = row(xi);
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += r[i]! * weights[i * classes + c]!;
      if (s > bestScore) [best, bestScore] = [c, s];
    }
    if (best === score.y[n]) right++;
  });
  return score.x.length ? right / score.x.length : NaN;
}

function synthetic(dataset: Dataset, split: Split, limit: number): VideoRecord[] {
  return dataset.videos(split).filter((v) => v.scene?.objects[0]?.length).slice(0, limit);
}

export async function embeddingDiagnostics(model: VideoLM, dataset: Dataset, options: { fitClips?: number; scoreClips?: number; scoreSplit?: Split } = {}): Promise<EmbeddingDiagnostics> {
  const fitClips = synthetic(dataset, 'train', options.fitClips ?? 600);
  const scoreClips = synthetic(dataset, options.scoreSplit ?? 'test', options.scoreClips ?? 400);
  if (!fitClips.length || !scoreClips.length) throw new TempolabError('embedding diagnostics need synthetic clips with ground truth in the train and test splits');
  const [fitEmbeds, scoreEmbeds] = [await videoEmbeddings(model, dataset, fitClips), await videoEmbeddings(model, dataset, scoreClips)];
  const hidden = model.config.hidden_size;
  const tokens = scoreEmbeds[0]!.length / hidden;
  const groups = dataset.manifest.frames / model.config.vision_config.temporal_patch_size;
  const perGroup = (tokens / groups) * hidden;
  const { width, height } = dataset.manifest;
  const labelled = (clips: VideoRecord[], embeds: Float32Array[]) => {
    const subject = clips.map((c) => c.scene!.objects[0]![0]!);
    return {
      x: embeds.map((e) => e.subarray(0, perGroup)),
      colour: subject.map((o) => COLOUR_NAMES.indexOf(o.colour)),
      shape: subject.map((o) => SHAPES.indexOf(o.shape)),
      cell: subject.map((o) => cellOf(o.x, o.y, width, height)),
    };
  };
  const fit = labelled(fitClips, fitEmbeds);
  const scored = labelled(scoreClips, scoreEmbeds);
  const probe = (key: 'colour' | 'shape' | 'cell', classes: number) => linearProbeAccuracy({ x: fit.x, y: fit[key] }, { x: scored.x, y: scored[key] }, classes);

  let normSum = 0;
  for (const e of scoreEmbeds) for (let t = 0; t < tokens; t++) normSum += norm(e, t * hidden, (t + 1) * hidden);
  const byId = new Map(scoreClips.map((c, i) => [c.id, scoreEmbeds[i]!]));
  const distances = scoreClips
    .filter((c) => c.partnerKind === 'reversed' && c.partnerId && byId.has(c.partnerId))
    .map((c) => {
      const a = byId.get(c.id)!;
      const b = byId.get(c.partnerId!)!;
      return norm(a.map((v, i) => v - b[i]!)) / Math.max(norm(a), 1e-12);
    });
  return {
    tokenNorm: normSum / (scoreEmbeds.length * tokens),
    reversedPartnerDistance: distances.length ? distances.reduce((a, b) => a + b, 0) / distances.length : NaN,
    probe: { colour: probe('colour', COLOUR_NAMES.length), shape: probe('shape', SHAPES.length), cell: probe('cell', 9) },
    clips: { fit: fitClips.length, scored: scoreClips.length },
  };
}
