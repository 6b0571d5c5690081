/**
 * What the pretrained ViT itself sees: the held-out accuracy of the vision stage's own dense heads,
 * patch by patch. The diagnostics' linear probes read the merged video tokens and are a lower bound
 * (one linear map over four 2×2 windows, distractors included); the heads were trained with the ViT,
 * so their accuracy is what its patch features hold. Only a vision-stage checkpoint keeps the heads.
 */
import path from 'node:path';
import type { Dataset } from '../data/dataset.js';
import type { Split } from '../data/types.js';
import { TempolabError } from '../engine/errors.js';
import { compile } from '../engine/runtime.js';
import { readSafetensors } from '../engine/safetensors.js';
import { loadVideoLM } from '../models/checkpoint.js';
import type { VideoLM } from '../models/videoLM.js';
import { isVisionHead, VISION_HEAD_CLASSES, VISION_REGRESSION_TARGETS } from '../models/pretraining.js';
import { VisionPretraining, type ImageLabels } from '../train/objectives.js';

export interface VisionHeadAccuracy {
  /** Colour class (0 = no object, then the 6 colours) over every patch; chance is the no-object share. */
  colour: number;
  /** Shape (5 classes) over the patches an object covers (≥ 1/8 of the patch). */
  shape: number;
  /** Shape over the patches that hold an object's centre: the patch that sees the most of it. */
  centreShape: number;
  /**
   * Shape over the object patches when every frame is fed as a two-frame group with its neighbour,
   * as a video feeds the ViT (a moving object shows twice, half in each frame) rather than as an image.
   */
  tubeletShape: number;
  patches: { all: number; object: number; centre: number; tubeletObject: number };
  clips: number;
}

const argmax = (logits: ArrayLike<number>, at: number, classes: number): number => {
  let best = 0;
  for (let c = 1; c < classes; c++) if (logits[at + c]! > logits[at + best]!) best = c;
  return best;
};

interface HeadCounts { right: { colour: number; shape: number; centre: number }; count: { all: number; object: number; centre: number } }

/** Scores the heads saved in vision-stage checkpoint `dir` on the first `clips` synthetic clips of `split`. */
export async function visionHeadAccuracy(dir: string, dataset: Dataset, options: { split?: Split; clips?: number; batchSize?: number } = {}): Promise<VisionHeadAccuracy> {
  const model = await loadVideoLM(dir);
  const { tensors } = await readSafetensors(path.join(dir, 'model.safetensors'));
  const heads = [...tensors].filter(([name]) => isVisionHead(name));
  if (!heads.length) throw new TempolabError(`${dir} has no vision_heads.* tensors: only the vision stage's checkpoint (RUN/vision/checkpoint of train base, or a train vision run) keeps its heads`);
  for (const [name, t] of heads) model.params.set(name, { shape: [...t.shape], data: t.data as Float32Array });

  const split = options.split ?? 'test';
  const images = await scoreHeads(model, new VisionPretraining(dataset, split, 0), options);
  const tubelets = await scoreHeads(model, new VisionPretraining(dataset, split, 0, { tubelets: 1 }), options);
  const share = (r: number, n: number) => (n ? r / n : NaN);
  const { right, count } = images;
  return {
    colour: share(right.colour, count.all),
    shape: share(right.shape, count.object),
    centreShape: share(right.centre, count.centre),
    tubeletShape: share(tubelets.right.shape, tubelets.count.object),
    patches: { ...count, tubeletObject: tubelets.count.object },
    clips: images.clips,
  };
}

async function scoreHeads(model: VideoLM, objective: VisionPretraining, options: { clips?: number; batchSize?: number }): Promise<HeadCounts & { clips: number }> {
  const clips = Math.min(options.clips ?? 200, objective.examples);
  const batchSize = Math.min(options.batchSize ?? 8, clips);
  const graph = objective.graph(model, batchSize);
  const session = await compile(graph, { colour_logits: graph.outputs.get('colour_logits')!, shape_logits: graph.outputs.get('shape_logits')! });
  const params = [...model.params].map(([k, p]) => [k, p.data] as [string, Float32Array]);
  const right = { colour: 0, shape: 0, centre: 0 };
  const count = { all: 0, object: 0, centre: 0 };
  for (let first = 0; first < clips; first += batchSize) {
    // The graph's batch is fixed: a short last batch repeats its first clip, whose patches are not scored.
    const items: ImageLabels[] = Array.from({ length: batchSize }, (_, b) => objective.labels(model, first + b < clips ? first + b : first));
    const pixels = new Float32Array(items.reduce((a, l) => a + l.pixels.data.length, 0));
    items.forEach((l, b) => pixels.set(l.pixels.data, b * l.pixels.data.length));
    const out = await session.run(new Map([['pixel_values_videos', pixels], ...params]));
    const colourLogits = out.colour_logits!.data as Float32Array;
    const shapeLogits = out.shape_logits!.data as Float32Array;
    const perClip = items[0]!.colour.length;
    items.slice(0, Math.min(batchSize, clips - first)).forEach((l, b) => {
      l.colour.forEach((colour, k) => {
        const p = b * perClip + k;
        count.all++;
        if (argmax(colourLogits, p * VISION_HEAD_CLASSES.colour, VISION_HEAD_CLASSES.colour) === colour) right.colour++;
        if (colour === 0) return;
        const shapeRight = argmax(shapeLogits, p * VISION_HEAD_CLASSES.shape, VISION_HEAD_CLASSES.shape) === l.shape[k];
        count.object++;
        if (shapeRight) right.shape++;
        // The centre offset (in patches) is under half a patch on both axes only in the patch holding the centre.
        const at = k * VISION_REGRESSION_TARGETS;
        if (Math.abs(l.targets[at]!) < 0.5 && Math.abs(l.targets[at + 1]!) < 0.5) {
          count.centre++;
          if (shapeRight) right.centre++;
        }
      });
    });
  }
  return { right, count, clips };
}
