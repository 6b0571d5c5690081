import type { Random } from '../engine/random.js';
import type { Bar, Colour, Shape, Sprite } from './render.js';
import { SHAPES } from './render.js';
import type { CaptionSlots, TemporalDimension } from './types.js';

/** The objects a pair of clips is about, and what the text calls them. */
export interface Cast {
  a: { shape: Shape; colour: Colour };
  b: { shape: Shape; colour: Colour };
  /** A third colour: a colour change's target, or the wrong colour in a distractor option. */
  c: Colour;
}

export interface Motion {
  /** frames[t]: the named objects as drawn in frame t. */
  frames: Sprite[][];
  bars?: Bar[];
}

export interface Stage {
  width: number;
  height: number;
  frames: number;
  /** Pixels per unit of a 32×32 frame, so layouts scale with --size. */
  unit: number;
}

/**
 * One temporal phenomenon with two opposing outcomes (`answers[0]`, `answers[1]`). `render(…, v)`
 * shows outcome v. For reversible phenomena outcome 1 is outcome 0 played backwards, so only
 * outcome 0's clip is ever rendered and the partner is its frames reversed.
 */
export interface Phenomenon {
  name: string;
  dimension: TemporalDimension;
  /** The motion word of the held-out compositions. */
  motion: string;
  reversible: boolean;
  subjectShapes: readonly Shape[];
  /** Refer to the objects by shape alone (their colour changes during the clip). */
  nameByShape: boolean;
  answers(names: Names): [string, string];
  distractor(names: Names): string;
  question(names: Names): string;
  /** A yes/no question whose answer is yes exactly for outcome k. */
  yesNo(names: Names, k: 0 | 1): string;
  slots(names: Names, k: 0 | 1): CaptionSlots;
  render(layout: Random, stage: Stage, cast: Cast, v: 0 | 1): Motion;
}

/** What the text calls the cast: `a`, `b` are noun phrases without article; colours by name. */
export interface Names {
  a: string;
  b: string;
  from: Colour;
  to: Colour;
  third: Colour;
}

const radius = (layout: Random, stage: Stage) => stage.unit * (3.5 + 1.5 * layout.next());
const lerp = (p: number, q: number, f: number) => p + (q - p) * f;
const progress = (t: number, stage: Stage) => t / (stage.frames - 1);
const sprite = (o: Cast['a'], x: number, y: number, size: number, angle = 0): Sprite => ({ ...o, x, y, size, angle });

/** A straight run along one axis from one margin to the other (outcome 1 runs backwards). */
function straightRun(axis: 'x' | 'y') {
  return (layout: Random, stage: Stage, cast: Cast, v: 0 | 1): Motion => {
    const r = radius(layout, stage);
    const m = r + stage.unit;
    const along = axis === 'x' ? stage.width : stage.height;
    const across = axis === 'x' ? stage.height : stage.width;
    const fixed = layout.uniform(m, across - m);
    const jitter = layout.uniform(0, stage.unit * 2);
    const start = m + jitter;
    const end = along - m - layout.uniform(0, stage.unit * 2);
    const frames = Array.from({ length: stage.frames }, (_, t) => {
      const f = v === 0 ? progress(t, stage) : 1 - progress(t, stage);
      const p = lerp(start, end, f);
      return [axis === 'x' ? sprite(cast.a, p, fixed, r) : sprite(cast.a, fixed, p, r)];
    });
    return { frames };
  };
}

/** Scale over the clip around a fixed centre (outcome 1 shrinks). */
function scaling(layout: Random, stage: Stage, cast: Cast, v: 0 | 1): Motion {
  const big = stage.unit * (7 + layout.next());
  const small = big * 0.3;
  const x = layout.uniform(big, stage.width - big);
  const y = layout.uniform(big, stage.height - big);
  const frames = Array.from({ length: stage.frames }, (_, t) => {
    const f = v === 0 ? progress(t, stage) : 1 - progress(t, stage);
    return [sprite(cast.a, x, y, lerp(small, big, f))];
  });
  return { frames };
}

const twoRows = (layout: Random, stage: Stage) => {
  const r = stage.unit * (3 + layout.next());
  return { r, m: r + stage.unit, top: stage.height * 0.28, bottom: stage.height * 0.72 };
};

export const PHENOMENA: readonly Phenomenon[] = [
  {
    name: 'direction.horizontal',
    dimension: 'direction',
    motion: 'horizontal',
    reversible: true,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: () => ['from left to right', 'from right to left'],
    distractor: () => 'from top to bottom',
    question: (n) => `which direction does the ${n.a} move?`,
    yesNo: (n, k) => `does the ${n.a} move ${k === 0 ? 'from left to right' : 'from right to left'}?`,
    slots: (n, k) => ({ subject: n.a, motion: 'moves', direction: k === 0 ? 'from left to right' : 'from right to left' }),
    render: straightRun('x'),
  },
  {
    name: 'direction.vertical',
    dimension: 'direction',
    motion: 'vertical',
    reversible: true,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: () => ['from top to bottom', 'from bottom to top'],
    distractor: () => 'from left to right',
    question: (n) => `which direction does the ${n.a} move?`,
    yesNo: (n, k) => `does the ${n.a} move ${k === 0 ? 'from top to bottom' : 'from bottom to top'}?`,
    slots: (n, k) => ({ subject: n.a, motion: 'moves', direction: k === 0 ? 'from top to bottom' : 'from bottom to top' }),
    render: straightRun('y'),
  },
  {
    name: 'direction.depth',
    dimension: 'direction',
    motion: 'depth',
    reversible: true,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: () => ['toward the camera', 'away from the camera'],
    distractor: () => 'from left to right',
    question: (n) => `which direction does the ${n.a} move?`,
    yesNo: (n, k) => `does the ${n.a} move ${k === 0 ? 'toward the camera' : 'away from the camera'}?`,
    slots: (n, k) => ({ subject: n.a, motion: 'moves', direction: k === 0 ? 'toward the camera' : 'away from the camera' }),
    render: scaling,
  },
  {
    name: 'direction.rotation',
    dimension: 'direction',
    motion: 'rotation',
    reversible: true,
    // A circle looks the same at every angle.
    subjectShapes: SHAPES.filter((s) => s !== 'circle'),
    nameByShape: false,
    answers: () => ['clockwise', 'counterclockwise'],
    distractor: () => 'back and forth',
    question: (n) => `which way does the ${n.a} rotate?`,
    yesNo: (n, k) => `does the ${n.a} rotate ${k === 0 ? 'clockwise' : 'counterclockwise'}?`,
    slots: (n, k) => ({ subject: n.a, motion: 'rotates', direction: k === 0 ? 'clockwise' : 'counterclockwise' }),
    render(layout, stage, cast, v) {
      const r = stage.unit * (6 + 1.5 * layout.next());
      const x = layout.uniform(r, stage.width - r);
      const y = layout.uniform(r, stage.height - r);
      const start = layout.uniform(0, 2 * Math.PI);
      // Below half of the smallest symmetry angle (the square's and cross's 90°), so each step is unambiguous.
      const step = ((12 + 8 * layout.next()) * Math.PI) / 180;
      const frames = Array.from({ length: stage.frames }, (_, t) => [sprite(cast.a, x, y, r, start + (v === 0 ? 1 : -1) * step * t)]);
      return { frames };
    },
  },
  {
    name: 'speed.single',
    dimension: 'speed',
    motion: 'speed',
    reversible: false,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: () => ['fast', 'slowly'],
    distractor: () => 'not at all',
    question: (n) => `how fast does the ${n.a} move?`,
    yesNo: (n, k) => `does the ${n.a} move ${k === 0 ? 'fast' : 'slowly'}?`,
    slots: (n, k) => ({ subject: n.a, motion: 'moves', direction: k === 0 ? 'fast' : 'slowly' }),
    render(layout, stage, cast, v) {
      const r = radius(layout, stage);
      const m = r + stage.unit;
      const y = layout.uniform(m, stage.height - m);
      const rightwards = layout.next() < 0.5;
      const span = stage.width - 2 * m;
      const travel = v === 0 ? span : span / 4;
      const frames = Array.from({ length: stage.frames }, (_, t) => {
        const d = travel * progress(t, stage);
        return [sprite(cast.a, rightwards ? m + d : stage.width - m - d, y, r)];
      });
      return { frames };
    },
  },
  {
    name: 'speed.compare',
    dimension: 'speed',
    motion: 'race',
    reversible: false,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: (n) => [`the ${n.a}`, `the ${n.b}`],
    distractor: () => 'both at the same speed',
    question: () => 'which object moves faster?',
    yesNo: (n, k) => (k === 0 ? `does the ${n.a} move faster than the ${n.b}?` : `does the ${n.b} move faster than the ${n.a}?`),
    slots: (n, k) => ({ subject: k === 0 ? n.a : n.b, motion: 'moves', direction: `faster than the ${k === 0 ? n.b : n.a}` }),
    render(layout, stage, cast, v) {
      const { r, m, top, bottom } = twoRows(layout, stage);
      const aTop = layout.next() < 0.5;
      const rightwards = layout.next() < 0.5;
      const span = stage.width - 2 * m;
      const at = (travel: number, t: number) => {
        const d = travel * progress(t, stage);
        return rightwards ? m + d : stage.width - m - d;
      };
      const [aTravel, bTravel] = v === 0 ? [span, span / 3] : [span / 3, span];
      const frames = Array.from({ length: stage.frames }, (_, t) => [
        sprite(cast.a, at(aTravel, t), aTop ? top : bottom, r),
        sprite(cast.b, at(bTravel, t), aTop ? bottom : top, r),
      ]);
      return { frames };
    },
  },
  {
    name: 'order.appear',
    dimension: 'order',
    motion: 'appear',
    reversible: true,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: (n) => [`the ${n.a}`, `the ${n.b}`],
    distractor: () => 'both at the same time',
    question: () => 'which object appears first?',
    yesNo: (n, k) => (k === 0 ? `does the ${n.a} appear before the ${n.b}?` : `does the ${n.b} appear before the ${n.a}?`),
    slots: (n, k) => ({ subject: k === 0 ? n.a : n.b, motion: 'appears', direction: `before the ${k === 0 ? n.b : n.a}` }),
    render(layout, stage, cast) {
      const { r, m } = twoRows(layout, stage);
      const left = { x: layout.uniform(m, stage.width / 2 - r), y: layout.uniform(m, stage.height - m) };
      const right = { x: layout.uniform(stage.width / 2 + r, stage.width - m), y: layout.uniform(m, stage.height - m) };
      const [pa, pb] = layout.next() < 0.5 ? [left, right] : [right, left];
      // a is visible in [0, T-d), b in [d, T): reversed, b shows up first.
      const d = 1 + layout.int(stage.frames / 2);
      const frames = Array.from({ length: stage.frames }, (_, t) => [
        ...(t < stage.frames - d ? [sprite(cast.a, pa.x, pa.y, r)] : []),
        ...(t >= d ? [sprite(cast.b, pb.x, pb.y, r)] : []),
      ]);
      return { frames };
    },
  },
  {
    name: 'order.change',
    dimension: 'order',
    motion: 'recolour',
    reversible: true,
    subjectShapes: SHAPES,
    nameByShape: true,
    answers: (n) => [`the ${n.a}`, `the ${n.b}`],
    distractor: () => 'both at the same time',
    question: () => 'which object changes color first?',
    yesNo: (n, k) => (k === 0 ? `does the ${n.a} change color before the ${n.b}?` : `does the ${n.b} change color before the ${n.a}?`),
    slots: (n, k) => ({ subject: k === 0 ? n.a : n.b, motion: 'changes color', direction: `before the ${k === 0 ? n.b : n.a}` }),
    render(layout, stage, cast) {
      const { r, m, top, bottom } = twoRows(layout, stage);
      const xa = layout.uniform(m, stage.width - m);
      const xb = layout.uniform(m, stage.width - m);
      const aTop = layout.next() < 0.5;
      // a changes at frame ta, b at T - ta: reversed, the changes swap places.
      const ta = 1 + layout.int(Math.max(1, Math.ceil(stage.frames / 2) - 1));
      const tb = stage.frames - ta;
      const frames = Array.from({ length: stage.frames }, (_, t) => [
        sprite({ shape: cast.a.shape, colour: t < ta ? cast.a.colour : cast.c }, xa, aTop ? top : bottom, r),
        sprite({ shape: cast.b.shape, colour: t < tb ? cast.b.colour : cast.c }, xb, aTop ? bottom : top, r),
      ]);
      return { frames };
    },
  },
  {
    name: 'order.move',
    dimension: 'order',
    motion: 'start',
    reversible: true,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: (n) => [`the ${n.a}`, `the ${n.b}`],
    distractor: () => 'both at the same time',
    question: () => 'which object moves first?',
    yesNo: (n, k) => (k === 0 ? `does the ${n.a} move before the ${n.b}?` : `does the ${n.b} move before the ${n.a}?`),
    slots: (n, k) => ({ subject: k === 0 ? n.a : n.b, motion: 'moves', direction: `before the ${k === 0 ? n.b : n.a}` }),
    render(layout, stage, cast) {
      const { r, m, top, bottom } = twoRows(layout, stage);
      const aTop = layout.next() < 0.5;
      const span = stage.width - 2 * m;
      // a moves during frames [0, k], b during [T-1-k, T-1]: reversed, b moves first.
      const k = Math.max(1, Math.floor((stage.frames - 1) / 2));
      const aRight = layout.next() < 0.5;
      const bRight = layout.next() < 0.5;
      const run = (rightwards: boolean, f: number) => (rightwards ? m + span * f : stage.width - m - span * f);
      const frames = Array.from({ length: stage.frames }, (_, t) => {
        const fa = Math.min(1, t / k);
        const fb = Math.max(0, (t - (stage.frames - 1 - k)) / k);
        return [sprite(cast.a, run(aRight, fa), aTop ? top : bottom, r), sprite(cast.b, run(bRight, fb), aTop ? bottom : top, r)];
      });
      return { frames };
    },
  },
  {
    name: 'attribute_change.color',
    dimension: 'attribute_change',
    motion: 'color',
    reversible: true,
    subjectShapes: SHAPES,
    nameByShape: true,
    answers: (n) => [`from ${n.from} to ${n.to}`, `from ${n.to} to ${n.from}`],
    distractor: (n) => `from ${n.from} to ${n.third}`,
    question: (n) => `how does the color of the ${n.a} change?`,
    yesNo: (n, k) => `does the ${n.a} change ${k === 0 ? `from ${n.from} to ${n.to}` : `from ${n.to} to ${n.from}`}?`,
    slots: (n, k) => ({ subject: n.a, motion: 'changes', direction: k === 0 ? `from ${n.from} to ${n.to}` : `from ${n.to} to ${n.from}` }),
    render(layout, stage, cast) {
      const r = stage.unit * (5 + 1.5 * layout.next());
      const x = layout.uniform(r, stage.width - r);
      const y = layout.uniform(r, stage.height - r);
      const switchAt = 1 + layout.int(stage.frames - 1);
      const frames = Array.from({ length: stage.frames }, (_, t) => [
        sprite({ shape: cast.a.shape, colour: t < switchAt ? cast.a.colour : cast.b.colour }, x, y, r),
      ]);
      return { frames };
    },
  },
  {
    name: 'attribute_change.size',
    dimension: 'attribute_change',
    motion: 'size',
    reversible: true,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: () => ['it gets bigger', 'it gets smaller'],
    distractor: () => 'it stays the same size',
    question: (n) => `how does the size of the ${n.a} change?`,
    yesNo: (n, k) => `does the ${n.a} get ${k === 0 ? 'bigger' : 'smaller'}?`,
    slots: (n, k) => ({ subject: n.a, motion: 'gets', direction: k === 0 ? 'bigger' : 'smaller' }),
    render: scaling,
  },
  {
    name: 'action.moving',
    dimension: 'action',
    motion: 'moving',
    reversible: false,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: () => ['it moves', 'it stays still'],
    distractor: () => 'it disappears',
    question: (n) => `what does the ${n.a} do?`,
    yesNo: (n, k) => (k === 0 ? `does the ${n.a} move?` : `does the ${n.a} stay still?`),
    slots: (n, k) => (k === 0 ? { subject: n.a, motion: 'moves', direction: '' } : { subject: n.a, motion: 'stays', direction: 'still' }),
    render(layout, stage, cast, v) {
      const r = radius(layout, stage);
      const m = r + stage.unit;
      const from = { x: layout.uniform(m, stage.width - m), y: layout.uniform(m, stage.height - m) };
      let to = from;
      // Go far enough to be unmistakable: at least a third of the frame.
      while (Math.hypot(to.x - from.x, to.y - from.y) < stage.width / 3) {
        to = { x: layout.uniform(m, stage.width - m), y: layout.uniform(m, stage.height - m) };
      }
      const frames = Array.from({ length: stage.frames }, (_, t) => {
        const f = v === 0 ? progress(t, stage) : 0;
        return [sprite(cast.a, lerp(from.x, to.x, f), lerp(from.y, to.y, f), r)];
      });
      return { frames };
    },
  },
  {
    name: 'action.bounce',
    dimension: 'action',
    motion: 'bounce',
    reversible: false,
    subjectShapes: SHAPES,
    nameByShape: false,
    answers: () => ['it bounces off the wall', 'it passes through the wall'],
    distractor: () => 'it stays still',
    question: (n) => `what does the ${n.a} do at the wall?`,
    yesNo: (n, k) => (k === 0 ? `does the ${n.a} bounce off the wall?` : `does the ${n.a} pass through the wall?`),
    slots: (n, k) =>
      k === 0 ? { subject: n.a, motion: 'bounces', direction: 'off the wall' } : { subject: n.a, motion: 'passes', direction: 'through the wall' },
    render(layout, stage, cast, v) {
      const r = stage.unit * (3 + layout.next());
      const half = stage.unit;
      const wallX = stage.width / 2;
      const y = layout.uniform(r + stage.unit, stage.height - r - stage.unit);
      const fromLeft = layout.next() < 0.5;
      const m = r + stage.unit * 0.5;
      // The object touches the wall at the middle of the clip, then comes back or goes on.
      const mid = (stage.frames - 1) / 2;
      const step = (wallX - half - r - m) / mid;
      const frames = Array.from({ length: stage.frames }, (_, t) => {
        const d = v === 0 ? step * (mid - Math.abs(t - mid)) : step * t;
        return [sprite(cast.a, fromLeft ? m + d : stage.width - m - d, y, r)];
      });
      const bars: Bar[] = [{ x0: wallX - half, x1: wallX + half, y0: 0, y1: stage.height, rgb: [150, 150, 150] }];
      return { frames, bars };
    },
  },
];

export function phenomenaOf(dimension: TemporalDimension): Phenomenon[] {
  return PHENOMENA.filter((p) => p.dimension === dimension);
}
