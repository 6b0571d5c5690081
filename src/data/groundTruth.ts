/**
 * What the renderer knows about a clip, kept beside it: every object of every frame (shape, colour,
 * centre, size, angle), the phenomenon and the outcome the clip shows. Vision pretraining reads its
 * labels from here, and diagnostics probe the video embeddings against it.
 */
import { COLOUR_NAMES, SHAPES, spriteCoverage, type Colour, type Shape, type Sprite } from './render.js';
import { PHENOMENA } from './phenomena.js';

/** One object as drawn (a sprite, stored to 0.01 px): centre and size in pixels, angle in radians. */
export type SceneObject = Sprite;

export interface SceneTruth {
  /** objects[t]: the named (moving) objects of frame t, in drawing order. */
  objects: SceneObject[][];
  /** Static distractors, drawn under the named objects in every frame. */
  distractors: SceneObject[];
}

const round2 = (v: number) => Math.round(v * 100) / 100;

export function sceneObject(s: Sprite): SceneObject {
  return { shape: s.shape, colour: s.colour, x: round2(s.x), y: round2(s.y), size: round2(s.size), angle: round2(s.angle) };
}

/** The cell of a 3×3 grid over the frame that holds a point: row · 3 + column. */
export function cellOf(x: number, y: number, width: number, height: number): number {
  const col = Math.min(2, Math.max(0, Math.floor((3 * x) / width)));
  const row = Math.min(2, Math.max(0, Math.floor((3 * y) / height)));
  return row * 3 + col;
}

/** Every object visible in frame t (distractors first: they are drawn first). */
export function frameObjects(scene: SceneTruth, t: number): SceneObject[] {
  return [...scene.distractors, ...(scene.objects[t] ?? [])];
}

/** The 26 outcome classes of the vision-only check: phenomenon index · 2 + outcome. */
export const OUTCOME_CLASSES = PHENOMENA.length * 2;

export function outcomeClass(phenomenon: string, outcome: 0 | 1): number {
  const i = PHENOMENA.findIndex((p) => p.name === phenomenon);
  if (i < 0) throw new Error(`unknown phenomenon '${phenomenon}'`);
  return 2 * i + outcome;
}

export const colourClass = (c: Colour): number => 1 + COLOUR_NAMES.indexOf(c);
export const shapeClass = (s: Shape): number => SHAPES.indexOf(s);

/** Rotational symmetry order of each shape's outline (0: none to speak of — the circle). */
const SYMMETRY: Record<Shape, number> = { circle: 0, square: 4, cross: 4, triangle: 3, diamond: 2 };

/** What one patch of one frame shows: the object covering most of it (null below `minCoverage`). */
export interface PatchTruth {
  object: SceneObject | null;
  /** Object centre relative to the patch centre, in patches. */
  dx: number;
  dy: number;
  /** Circumradius in patches. */
  size: number;
  /** cos kθ, sin kθ for a shape with k-fold symmetry; null for the circle. */
  orientation: [number, number] | null;
}

/**
 * Per-patch ground truth of frame t: for each patch (row, col) in `order`, the object whose pixels
 * cover most of it, drawn as the renderer draws them (later objects on top).
 */
export function patchTruth(scene: SceneTruth, t: number, width: number, height: number, patch: number, order: readonly [number, number][], minCoverage = 0.125): PatchTruth[] {
  const objects = frameObjects(scene, t);
  const owner = new Int16Array(width * height).fill(-1);
  objects.forEach((o, k) => {
    const reach = o.size + 1;
    for (let y = Math.max(0, Math.floor(o.y - reach)); y <= Math.min(height - 1, Math.ceil(o.y + reach)); y++) {
      for (let x = Math.max(0, Math.floor(o.x - reach)); x <= Math.min(width - 1, Math.ceil(o.x + reach)); x++) {
        if (spriteCoverage(o, x + 0.5, y + 0.5) >= 0.5) owner[y * width + x] = k;
      }
    }
  });
  return order.map(([row, col]) => {
    const counts = new Map<number, number>();
    for (let y = row * patch; y < (row + 1) * patch; y++) {
      for (let x = col * patch; x < (col + 1) * patch; x++) {
        const k = owner[y * width + x]!;
        if (k >= 0) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    let best = -1;
    let most = minCoverage * patch * patch;
    for (const [k, c] of counts) if (c >= most) [best, most] = [k, c];
    if (best < 0) return { object: null, dx: 0, dy: 0, size: 0, orientation: null };
    const o = objects[best]!;
    const k = SYMMETRY[o.shape];
    return {
      object: o,
      dx: (o.x - (col + 0.5) * patch) / patch,
      dy: (o.y - (row + 0.5) * patch) / patch,
      size: o.size / patch,
      orientation: k ? [Math.cos(k * o.angle), Math.sin(k * o.angle)] : null,
    };
  });
}
