import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawSprite } from '../../src/data/render.js';
import { isCorrect, scoreCaption, splitWords } from '../../src/data/formats.js';
import { permutations } from '../../src/data/balance.js';
import { uniformFrameIndices } from '../../src/data/video.js';

test('an anti-aliased circle covers pi r^2 pixels, measured by summed coverage', () => {
  const size = 64;
  for (const r of [3.3, 7.5, 12.25]) {
    const frame = new Uint8Array(size * size * 3);
    drawSprite(frame, 0, size, size, { shape: 'circle', colour: 'white', x: 31.3, y: 30.8, size: r, angle: 0 });
    let area = 0;
    for (let p = 0; p < size * size; p++) area += frame[3 * p]! / 245;
    assert.ok(Math.abs(area - Math.PI * r * r) / (Math.PI * r * r) < 0.03, `r=${r}: area ${area} vs ${Math.PI * r * r}`);
  }
});

test('a square turned by a quarter turn covers the same pixels; by an eighth it does not', () => {
  const size = 32;
  const draw = (angle: number) => {
    const frame = new Uint8Array(size * size * 3);
    drawSprite(frame, 0, size, size, { shape: 'square', colour: 'white', x: 16, y: 16, size: 9, angle });
    return frame;
  };
  const same = (a: Uint8Array, b: Uint8Array) => a.every((v, i) => Math.abs(v - b[i]!) <= 1);
  assert.ok(same(draw(0), draw(Math.PI / 2)));
  assert.ok(!same(draw(0), draw(Math.PI / 4)));
});

test('words split at punctuation; answers are judged by their first word, captions by their slots', () => {
  assert.deepEqual(splitWords('which caption?\ncaption A: the red circle.'), ['which', 'caption', '?', 'caption', 'A', ':', 'the', 'red', 'circle', '.']);
  assert.ok(isCorrect({ format: 'multi_choice', answer: 'B. from right to left' }, 'B. from left to right'));
  assert.ok(!isCorrect({ format: 'multi_choice', answer: 'B. from right to left' }, 'A. from right to left'));
  assert.ok(isCorrect({ format: 'yes_no', answer: 'yes' }, 'Yes, it does.'));
  const slots = { subject: 'red circle', motion: 'moves', direction: 'from left to right' };
  assert.deepEqual(scoreCaption('the red circle moves from left to right', slots), { subject: true, motion: true, direction: true });
  assert.deepEqual(scoreCaption('the red circle moves from right to left', slots), { subject: true, motion: true, direction: false });
  assert.ok(!isCorrect({ format: 'captioning', answer: '', slots }, 'a blue circle moves from left to right'));
});

test('uniform sampling takes segment middles and repeats frames of short clips', () => {
  assert.deepEqual(uniformFrameIndices(30, 8), [1, 5, 9, 13, 16, 20, 24, 28]);
  assert.deepEqual(uniformFrameIndices(8, 8), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(uniformFrameIndices(3, 6), [0, 0, 1, 1, 2, 2]);
});

test('permutations lists every ordering once', () => {
  const all = permutations(3).map((p) => p.join(''));
  assert.deepEqual([...all].sort(), ['012', '021', '102', '120', '201', '210']);
});
