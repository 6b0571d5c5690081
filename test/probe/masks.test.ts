import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  causalMask, compileInterventions, correspondingArea, correspondingAreaInPreviousFrame, frameToQuery, interFrame, knockout,
  previousFrame, resolveTokenSet, restrictQueryToFrame,
} from '../../src/probe/index.js';
import { causalRows, maskRows, sixTokenContext, threeFrameContext, twoFrameContext } from './fixtures.js';

test('causalMask is 0 on and below the diagonal and −∞ above it', () => {
  const m = causalMask(3);
  assert.deepEqual([...m], [0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
});

test('a knockout with an empty source set yields exactly the plain causal mask in every layer', () => {
  const ctx = twoFrameContext(3);
  for (const sources of [{ tokens: [] }, 'answer', []] as const) {
    const { decoderMask } = compileInterventions([knockout({ layers: 'all', targets: 'lastToken', sources })], ctx);
    for (let l = 0; l < 3; l++) assert.deepEqual(maskRows(decoderMask, 11, l), causalRows(11));
  }
  // Sources after every target are already blocked by causality: still the causal mask.
  const later = compileInterventions([knockout({ layers: [0], targets: 'instruction', sources: 'query' })], ctx);
  assert.deepEqual(maskRows(later.decoderMask, 11, 0), causalRows(11));
});

test('hand-worked 6-token case: knockout(lastToken ← frame 0) in layer 1', () => {
  const ctx = sixTokenContext(2);
  const { decoderMask } = compileInterventions([knockout({ layers: [1], targets: 'lastToken', sources: { frame: 0 } })], ctx);
  assert.deepEqual(maskRows(decoderMask, 6, 0), [
    'oxxxxx',
    'ooxxxx',
    'oooxxx',
    'ooooxx',
    'ooooox',
    'oooooo',
  ]);
  // Token 5 (the last token) no longer sees token 2 (frame 0); nothing else changes.
  assert.deepEqual(maskRows(decoderMask, 6, 1), [
    'oxxxxx',
    'ooxxxx',
    'oooxxx',
    'ooooxx',
    'ooooox',
    'ooxooo',
  ]);
});

test('interFrame on 2 frames of 2 tokens: frame 1 loses frame 0, nothing else changes', () => {
  const { decoderMask } = compileInterventions([interFrame({ layers: [0] })], twoFrameContext(2));
  assert.deepEqual(maskRows(decoderMask, 11, 0), [
    'oxxxxxxxxxx',
    'ooxxxxxxxxx',
    'oooxxxxxxxx',
    'ooooxxxxxxx', // frame 0, token 3
    'oooooxxxxxx', // frame 0, token 4
    'oooxxoxxxxx', // frame 1, token 5: no 3, 4
    'oooxxooxxxx', // frame 1, token 6: no 3, 4
    'ooooooooxxx',
    'oooooooooxx',
    'oooooooooox',
    'ooooooooooo',
  ]);
  assert.deepEqual(maskRows(decoderMask, 11, 1), causalRows(11));
});

test('frameToQuery and restrictQueryToFrame block the text after the video (query and suffix) only', () => {
  const ctx = twoFrameContext(1);
  const ftq = maskRows(compileInterventions([frameToQuery({ layers: 'all' })], ctx).decoderMask, 11, 0);
  assert.deepEqual(ftq.slice(8), ['oooxxxxooxx', 'oooxxxxooox', 'oooxxxxoooo']);
  assert.deepEqual(ftq.slice(0, 8), causalRows(11).slice(0, 8));
  const only0 = maskRows(compileInterventions([restrictQueryToFrame({ frame: 0 })], ctx).decoderMask, 11, 0);
  assert.deepEqual(only0.slice(8), ['oooooxxooxx', 'oooooxxooox', 'oooooxxoooo']);
  const only1 = maskRows(compileInterventions([restrictQueryToFrame({ frame: 1 })], ctx).decoderMask, 11, 0);
  assert.deepEqual(only1.slice(8), ['oooxxooooxx', 'oooxxooooox', 'oooxxoooooo']);
  assert.deepEqual(only1.slice(0, 8), causalRows(11).slice(0, 8));
});

test('every span name resolves to the hand-laid token indices', () => {
  const { spans } = twoFrameContext();
  const expected: [Parameters<typeof resolveTokenSet>[0], number[]][] = [
    ['instruction', [0, 1]],
    ['visionStart', [2]],
    ['visionEnd', [7]],
    ['frames', [3, 4, 5, 6]],
    ['firstFrame', [3, 4]],
    ['lastFrame', [5, 6]],
    ['query', [8, 9]],
    ['suffix', [10]],
    ['afterVideo', [8, 9, 10]],
    ['lastToken', [10]],
    ['answer', []],
    ['text', [0, 1, 2, 7, 8, 9, 10]],
    [{ frame: 1 }, [5, 6]],
    [{ framesBefore: 1 }, [3, 4]],
    [{ framesBefore: 0 }, []],
    [{ framesAfter: 0 }, [5, 6]],
    [{ framesExcept: 0 }, [5, 6]],
    [{ tokens: [9, 2, 9] }, [2, 9]],
    [['lastToken', { frame: 0 }, 'instruction'], [0, 1, 3, 4, 10]],
  ];
  for (const [set, indices] of expected) assert.deepEqual(resolveTokenSet(set, spans), indices, JSON.stringify(set));
  assert.deepEqual(resolveTokenSet('answer', { ...spans, length: 13, answer: [11, 13] }), [11, 12]);
});

test('spatiotemporal masks on 3 frames of 1×3 tokens keep within-frame and text attention', () => {
  const ctx = threeFrameContext(1);
  const rows = (iv: Parameters<typeof compileInterventions>[0][number]) => maskRows(compileInterventions([iv], ctx).decoderMask, 14, 0);
  // Token 8 = frame 2, column 0. With radius 1 its area is columns 0–1 of earlier frames.
  const area = rows(correspondingArea({ radius: 1 }));
  assert.equal(area[8], 'ooooxooxoxxxxx'); // blocks 4 (frame 0, column 2) and 7 (frame 1, column 2)
  assert.equal(area[10], 'ooxooxoooooxxx'); // column 2: area is columns 1–2, so 2 and 5 (column 0) are blocked
  const prev = rows(previousFrame());
  assert.equal(prev[8], 'ooxxxooooxxxxx'); // frame 0 (2, 3, 4) gone, all of frame 1 kept
  assert.equal(prev[5], 'oooooo' + 'xxxxxxxx'); // frame 1 still sees all of frame 0
  const prevArea = rows(correspondingAreaInPreviousFrame({ radius: 1 }));
  assert.equal(prevArea[8], 'ooxxxooxoxxxxx'); // frame 0 gone, frame 1 column 2 gone
  const exact = rows(correspondingArea({ radius: 0 }));
  assert.equal(exact[7], 'ooxxooooxxxxxx'); // frame 1 column 2 sees only frame 0 column 2 (token 4)
  assert.equal(exact[9], 'ooxoxxoxooxxxx'); // frame 2 column 1 sees tokens 3 and 6 only
  // Frame 0, the markers and all text rows are untouched by every assembly mask.
  for (const r of [area, prev, prevArea, exact]) {
    for (const i of [0, 1, 2, 3, 4, 11, 12, 13]) assert.equal(r[i], causalRows(14)[i], `row ${i}`);
    for (const i of [5, 8]) assert.equal(r[i]!.slice(i), 'o' + 'x'.repeat(13 - i));
  }
});

test('masks compose: blocked pairs of several interventions are the union', () => {
  const ctx = threeFrameContext(1);
  const { decoderMask } = compileInterventions([restrictQueryToFrame({ frame: 2 }), previousFrame()], ctx);
  const rows = maskRows(decoderMask, 14, 0);
  assert.equal(rows[8], 'ooxxxooooxxxxx'); // previousFrame
  assert.equal(rows[12], 'ooxxxxxxooooox'); // query sees frame 2 only
  assert.equal(rows[13], 'ooxxxxxxoooooo');
});
