import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ablatePE, baselineInputs, compileInterventions, reverseFrames, reversePE, shufflePositions } from '../../src/probe/index.js';
import { twoFrameContext, twoFrameIds } from './fixtures.js';

// Hand-worked ids of the two-frame prompt with the video's groups in reverse: frame 0 (tokens 3, 4)
// now carries t = 4 and frame 1 (tokens 5, 6) t = 3; rows and columns, and every text id, stay.
const reversedIds = [
  [0, 1, 2, 4, 4, 3, 3, 5, 6, 7, 8],
  [0, 1, 2, 3, 3, 3, 3, 5, 6, 7, 8],
  [0, 1, 2, 3, 4, 3, 4, 5, 6, 7, 8],
];

test('the baseline is causal masks, rotary on everywhere, default ids and frames in order; no intervention is the baseline', () => {
  const ctx = twoFrameContext(3);
  const base = baselineInputs(ctx);
  assert.deepEqual([...base.decoderRope], [1, 1, 1]);
  assert.deepEqual(base.positionIds, twoFrameIds);
  assert.deepEqual(base.layerPositionIds, [null, null, null]);
  assert.deepEqual(base.frameOrder, [0, 1, 2, 3]);
  // Identical inputs mean identical probabilities, so P_C of the empty intervention is exactly 0.
  assert.deepEqual(compileInterventions([], ctx), base);
});

test('ablatePE switches off rotary embedding in exactly the named layers', () => {
  const ctx = twoFrameContext(5);
  assert.deepEqual([...compileInterventions([ablatePE({ layers: [1, 3] })], ctx).decoderRope], [1, 0, 1, 0, 1]);
  assert.deepEqual([...compileInterventions([ablatePE({ layers: [0] }), ablatePE({ layers: [4] })], ctx).decoderRope], [0, 1, 1, 1, 0]);
  assert.deepEqual([...compileInterventions([ablatePE({ layers: 'all' })], ctx).decoderRope], [0, 0, 0, 0, 0]);
  const { decoderMask, positionIds, frameOrder } = compileInterventions([ablatePE({ layers: [2] })], ctx);
  assert.deepEqual(decoderMask, baselineInputs(ctx).decoderMask);
  assert.deepEqual(positionIds, twoFrameIds);
  assert.deepEqual(frameOrder, [0, 1, 2, 3]);
});

test('reversePE reverses the video ids per temporal group, leaves text ids and the frame order alone', () => {
  const out = compileInterventions([reversePE()], twoFrameContext());
  assert.deepEqual(out.positionIds, reversedIds);
  assert.deepEqual(out.frameOrder, [0, 1, 2, 3]);
});

test('reverseFrames (§4.3): raw frames reversed and every frame keeps its own ids, so the ids also run backwards', () => {
  const out = compileInterventions([reverseFrames()], twoFrameContext());
  // Raw frames 0–3 form groups (0, 1) and (2, 3); reversed, the first group is (3, 2).
  assert.deepEqual(out.frameOrder, [3, 2, 1, 0]);
  assert.deepEqual(out.positionIds, reversedIds);
  // §5.4's plain reversal: the reversed clip under ordinary ids.
  const inPlace = compileInterventions([reverseFrames({ positionIds: 'inPlace' })], twoFrameContext());
  assert.deepEqual(inPlace.frameOrder, [3, 2, 1, 0]);
  assert.deepEqual(inPlace.positionIds, twoFrameIds);
  // Reverse PE on top of §4.3's reverse order is the plain reversal again.
  assert.deepEqual(compileInterventions([reverseFrames(), reversePE()], twoFrameContext()), inPlace);
});

test('reversing frames twice is the identity', () => {
  const ctx = twoFrameContext();
  for (const positionIds of ['withFrames', 'inPlace'] as const)
    assert.deepEqual(compileInterventions([reverseFrames({ positionIds }), reverseFrames({ positionIds })], ctx), baselineInputs(ctx));
});

const columns = (ids: number[][], tokens: number[]) => tokens.map((i) => `${ids[0]![i]},${ids[1]![i]},${ids[2]![i]}`);

test('shufflePositions is deterministic per seed and permutes only the chosen modality\'s id columns', () => {
  const ctx = twoFrameContext(2);
  const video = [3, 4, 5, 6];
  const text = [0, 1, 2, 7, 8, 9, 10];
  const seen = new Set<string>();
  for (let seed = 0; seed < 12; seed++) {
    const a = compileInterventions([shufflePositions({ modality: 'video', layer: 'all', seed })], ctx);
    const b = compileInterventions([shufflePositions({ modality: 'video', layer: 'all', seed })], ctx);
    assert.deepEqual(a, b);
    assert.deepEqual(columns(a.positionIds, video).sort(), columns(twoFrameIds, video).sort());
    assert.deepEqual(columns(a.positionIds, text), columns(twoFrameIds, text));
    seen.add(columns(a.positionIds, video).join(' '));
  }
  assert.ok(seen.size > 1, 'different seeds should give different shuffles');

  const q = compileInterventions([shufflePositions({ modality: 'query', layer: 'all', seed: 3 })], ctx);
  const query = [8, 9];
  assert.deepEqual(columns(q.positionIds, query).sort(), columns(twoFrameIds, query).sort());
  const rest = [0, 1, 2, 3, 4, 5, 6, 7, 10];
  assert.deepEqual(columns(q.positionIds, rest), columns(twoFrameIds, rest));
});

test('shufflePositions in layer 0 only sets that layer\'s ids and leaves the shared ids alone', () => {
  const ctx = twoFrameContext(3);
  const out = compileInterventions([shufflePositions({ modality: 'video', seed: 1 })], ctx);
  assert.deepEqual(out.positionIds, twoFrameIds);
  assert.equal(out.layerPositionIds[1], null);
  assert.equal(out.layerPositionIds[2], null);
  const all = compileInterventions([shufflePositions({ modality: 'video', layer: 'all', seed: 1 })], ctx);
  assert.deepEqual(out.layerPositionIds[0], all.positionIds);
  // A later all-layer change reaches the single-layer ids too.
  const thenReversed = compileInterventions([shufflePositions({ modality: 'query', seed: 1 }), reversePE()], ctx);
  assert.deepEqual(thenReversed.positionIds, reversedIds);
  assert.deepEqual(columns(thenReversed.layerPositionIds[0]!, [3, 4, 5, 6]), columns(reversedIds, [3, 4, 5, 6]));
});
