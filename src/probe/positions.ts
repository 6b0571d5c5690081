/**
 * Position-id and frame-order interventions (§4.2, §4.3). They act on whole id columns — the
 * (t, h, w) triple of one token — so a token always keeps a consistent M-RoPE position, and they
 * work the same for Qwen2-VL's ids (t = group index) and Qwen2.5-VL's time-scaled ids.
 *
 * Reading of §4.3 implemented here. The paper's example: "Reverse PE" uses frames 1…N with
 * position ids N…1; "Reverse Order" uses frames N…1 with position ids N…1 — each frame keeps the
 * ids it had in the original order ("keeping position IDs aligned with the original order",
 * Fig. 1). So both interventions put the same ids N…1 along the sequence; they differ only in
 * which content sits under them. Reverse PE: positions say "backwards", causal order says
 * "forwards". Reverse Order: positions agree with the content, only the causal order is
 * reversed — and that is what hurts. We therefore implement reverseFrames (default) as: raw frame
 * order reversed, and the video's id columns reversed group by group, exactly as reversePE does.
 * §5.4 then needs the other variant ("reversing the video order" alone, with ordinary ids 1…N),
 * which is reverseFrames({ positionIds: 'inPlace' }); its "reverse both the frame order and the
 * position IDs" is the default. The alternative reading (frames N…1 under unchanged ids 1…N for
 * §4.3) would contradict the paper's own example, so it is not the default.
 */
import { Random } from '../engine/random.js';
import { indicesOf, type PromptSpans } from '../models/spans.js';

/** A copy of ids [3][S]. */
export const copyIds = (ids: readonly (readonly number[])[]): number[][] => ids.map((row) => row.slice());

/**
 * The video's id columns moved group by group so that group g gets the ids group T−1−g had (the
 * k-th token of a group takes the ids of the k-th token of its mirror group). Text ids are
 * untouched; applying it twice gives back the input.
 */
export function reverseVideoGroupIds(ids: readonly (readonly number[])[], spans: PromptSpans): number[][] {
  const out = copyIds(ids);
  const T = spans.frames.length;
  for (let g = 0; g < T; g++) {
    const [to] = spans.frames[g]!;
    const [from, fromEnd] = spans.frames[T - 1 - g]!;
    for (let k = 0; k < fromEnd - from; k++) for (let d = 0; d < 3; d++) out[d]![to + k] = ids[d]![from + k]!;
  }
  return out;
}

/** The token indices whose ids `shufflePositions` permutes. */
export function shuffledTokens(modality: 'video' | 'query', spans: PromptSpans): number[] {
  return modality === 'video' ? spans.frames.flatMap((r) => indicesOf(r)) : indicesOf(spans.query);
}

/** A seeded permutation of the id columns at `tokens`; every other column stays. */
export function shuffleIdColumns(ids: readonly (readonly number[])[], tokens: readonly number[], seed: number): number[][] {
  const out = copyIds(ids);
  const order = new Random(seed).shuffle(tokens);
  tokens.forEach((to, k) => {
    for (let d = 0; d < 3; d++) out[d]![to] = ids[d]![order[k]!]!;
  });
  return out;
}

/**
 * The raw frames in reverse. The vision encoder pairs raw frames into temporal groups, so this
 * reverses the groups and also the two frames inside each group — what the encoder would see if
 * the video itself were played backwards.
 */
export function reverseFrameOrder(order: readonly number[]): number[] {
  return order.slice().reverse();
}
