/**
 * A clip's scene written as words, token for token in the video's place: each merged video token
 * (one temporal group × one merge window) becomes the bag of the words — colour and shape — of the
 * objects its patches show. The decoder pretrains on these (perfect perception: it learns to
 * compare a question with what a video shows), and the merger then learns to produce them.
 */
import type { SceneTruth } from '../data/groundTruth.js';
import { patchTruth } from '../data/groundTruth.js';
import { TempolabError } from '../engine/errors.js';
import type { VisionConfig } from '../models/config.js';
import { mergeWindowOrder } from '../models/rotary.js';
import type { TextTokenizer } from '../models/tokenizer/index.js';

export interface FrameSize {
  frames: number;
  height: number;
  width: number;
}

function wordId(tokenizer: TextTokenizer, word: string): number {
  const id = tokenizer.tokenToId(word);
  if (id === undefined) throw new TempolabError(`scene word '${word}' is not a token of the model's vocabulary; scene tokens need a word-level tokenizer built from the benchmark vocabulary`);
  return id;
}

/** Bags [M, vocab]: M = (frames / temporal_patch_size) · (h · w / merge²) video tokens, in the merger's order. */
export function sceneBags(scene: SceneTruth, size: FrameSize, cfg: VisionConfig, tokenizer: TextTokenizer, vocabSize: number): Float32Array {
  const gridH = size.height / cfg.patch_size;
  const gridW = size.width / cfg.patch_size;
  const merge = cfg.spatial_merge_size;
  if (size.frames % cfg.temporal_patch_size || gridH % merge || gridW % merge) throw new TempolabError(`a ${size.frames}×${size.height}×${size.width} clip does not split into ${cfg.temporal_patch_size}-frame groups of ${merge}×${merge} windows of ${cfg.patch_size}-pixel patches`);
  const order = mergeWindowOrder(gridH, gridW, merge);
  const window = merge * merge;
  const tokensPerGroup = order.length / window;
  const groups = size.frames / cfg.temporal_patch_size;
  const bags = new Float32Array(groups * tokensPerGroup * vocabSize);
  for (let group = 0; group < groups; group++) {
    const seen: Set<string>[] = Array.from({ length: tokensPerGroup }, () => new Set());
    for (let f = group * cfg.temporal_patch_size; f < (group + 1) * cfg.temporal_patch_size; f++) {
      patchTruth(scene, f, size.width, size.height, cfg.patch_size, order).forEach((p, k) => {
        if (p.object) seen[Math.floor(k / window)]!.add(`${p.object.colour} ${p.object.shape}`);
      });
    }
    seen.forEach((objects, token) => {
      const row = (group * tokensPerGroup + token) * vocabSize;
      for (const object of objects) for (const word of object.split(' ')) bags[row + wordId(tokenizer, word)] += 1;
    });
  }
  return bags;
}
