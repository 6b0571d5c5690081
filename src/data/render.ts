import type { Random } from '../engine/random.js';

export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross'] as const;
export type Shape = (typeof SHAPES)[number];

/** Saturated colours that stay distinct from the dark backgrounds and from each other. */
export const COLOURS = {
  red: [230, 40, 40],
  green: [40, 200, 60],
  blue: [50, 90, 240],
  yellow: [240, 220, 40],
  purple: [170, 60, 220],
  white: [245, 245, 245],
} as const satisfies Record<string, readonly [number, number, number]>;
export type Colour = keyof typeof COLOURS;
export const COLOUR_NAMES = Object.keys(COLOURS) as Colour[];

/** One object as drawn in one frame. Lengths are in pixels; `size` is the circumradius. */
export interface Sprite {
  shape: Shape;
  colour: Colour;
  x: number;
  y: number;
  size: number;
  /** Radians; positive turns clockwise on screen because image rows grow downwards. */
  angle: number;
}

/** A solid bar, used as the wall objects bounce off or pass through. */
export interface Bar {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  rgb: readonly [number, number, number];
}

export interface Background {
  kind: 'plain' | 'checker' | 'noise';
  /** The whole frame, H*W*3, painted once per clip and copied into every frame. */
  pixels: Uint8Array;
}

/** Dark grey backgrounds, plain or textured, so every object colour stands out. */
export function paintBackground(rng: Random, width: number, height: number, kind: Background['kind']): Background {
  const pixels = new Uint8Array(width * height * 3);
  const base = 25 + rng.int(45);
  const tint = [rng.int(12), rng.int(12), rng.int(12)];
  if (kind === 'plain') {
    for (let i = 0; i < width * height; i++) {
      pixels[3 * i] = base + tint[0]!;
      pixels[3 * i + 1] = base + tint[1]!;
      pixels[3 * i + 2] = base + tint[2]!;
    }
  } else if (kind === 'checker') {
    const cell = 2 + rng.int(Math.max(1, Math.floor(width / 8)));
    const contrast = 8 + rng.int(14);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = base + ((Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? contrast : 0);
        const i = 3 * (y * width + x);
        pixels[i] = v + tint[0]!;
        pixels[i + 1] = v + tint[1]!;
        pixels[i + 2] = v + tint[2]!;
      }
    }
  } else {
    for (let i = 0; i < width * height; i++) {
      const v = base + rng.int(20);
      pixels[3 * i] = v + tint[0]!;
      pixels[3 * i + 1] = v + tint[1]!;
      pixels[3 * i + 2] = v + tint[2]!;
    }
  }
  return { kind, pixels };
}

/**
 * Signed distance (pixels, positive inside) from a point given relative to the sprite's centre,
 * already rotated into the sprite's frame, to the sprite's outline.
 */
function signedDistance(shape: Shape, u: number, v: number, r: number): number {
  switch (shape) {
    case 'circle':
      return r - Math.hypot(u, v);
    case 'square': {
      const h = r * Math.SQRT1_2;
      return h - Math.max(Math.abs(u), Math.abs(v));
    }
    case 'diamond':
      return (r - Math.abs(u) - Math.abs(v) * 1.35) * 0.6;
    case 'triangle': {
      // Equilateral, pointing up at angle 0: three edges at distance r/2 from the centre.
      let d = Infinity;
      for (let k = 0; k < 3; k++) {
        const a = Math.PI / 2 + (k * 2 * Math.PI) / 3;
        d = Math.min(d, r / 2 - (u * Math.cos(a) + v * Math.sin(a)));
      }
      return d;
    }
    case 'cross': {
      const arm = r * 0.32;
      const len = r * 0.95;
      const horizontal = Math.min(len - Math.abs(u), arm - Math.abs(v));
      const vertical = Math.min(len - Math.abs(v), arm - Math.abs(u));
      return Math.max(horizontal, vertical);
    }
  }
}

/** The fraction of the pixel centred at (px, py) that lies inside the sprite, as drawSprite blends it. */
export function spriteCoverage(sprite: Sprite, px: number, py: number): number {
  const dx = px - sprite.x;
  const dy = py - sprite.y;
  const u = dx * Math.cos(sprite.angle) + dy * Math.sin(sprite.angle);
  const v = -dx * Math.sin(sprite.angle) + dy * Math.cos(sprite.angle);
  return Math.min(1, Math.max(0, signedDistance(sprite.shape, u, v, sprite.size) + 0.5));
}

/**
 * Draws a sprite into one frame (H*W*3 at `offset`), with anti-aliased edges: each pixel is
 * blended by the fraction of it inside the outline, estimated from the signed distance at its centre.
 */
export function drawSprite(frame: Uint8Array, offset: number, width: number, height: number, sprite: Sprite): void {
  const rgb = COLOURS[sprite.colour];
  const reach = sprite.size + 1;
  const x0 = Math.max(0, Math.floor(sprite.x - reach));
  const x1 = Math.min(width - 1, Math.ceil(sprite.x + reach));
  const y0 = Math.max(0, Math.floor(sprite.y - reach));
  const y1 = Math.min(height - 1, Math.ceil(sprite.y + reach));
  const cos = Math.cos(sprite.angle);
  const sin = Math.sin(sprite.angle);
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - sprite.y;
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - sprite.x;
      // Rotating the point by -angle is rotating the shape by +angle.
      const u = dx * cos + dy * sin;
      const v = -dx * sin + dy * cos;
      const coverage = signedDistance(sprite.shape, u, v, sprite.size) + 0.5;
      if (coverage <= 0) continue;
      const a = coverage >= 1 ? 1 : coverage;
      const i = offset + 3 * (y * width + x);
      frame[i] = Math.round(frame[i]! + (rgb[0] - frame[i]!) * a);
      frame[i + 1] = Math.round(frame[i + 1]! + (rgb[1] - frame[i + 1]!) * a);
      frame[i + 2] = Math.round(frame[i + 2]! + (rgb[2] - frame[i + 2]!) * a);
    }
  }
}

export function drawBar(frame: Uint8Array, offset: number, width: number, bar: Bar): void {
  for (let y = Math.max(0, Math.round(bar.y0)); y < Math.round(bar.y1); y++) {
    for (let x = Math.max(0, Math.round(bar.x0)); x < Math.min(width, Math.round(bar.x1)); x++) {
      const i = offset + 3 * (y * width + x);
      frame[i] = bar.rgb[0];
      frame[i + 1] = bar.rgb[1];
      frame[i + 2] = bar.rgb[2];
    }
  }
}

/** What a clip shows: a static layer (background, distractors, walls) and per-frame sprites. */
export interface Scene {
  background: Background;
  distractors: Sprite[];
  bars: Bar[];
  /** frames[t] lists the sprites visible in frame t, drawn in order (later ones on top). */
  frames: Sprite[][];
}

/** Renders a scene into `out` (T*H*W*3) starting at `offset`. */
export function renderScene(scene: Scene, width: number, height: number, out: Uint8Array, offset = 0): void {
  const frameBytes = width * height * 3;
  const still = Uint8Array.from(scene.background.pixels);
  for (const d of scene.distractors) drawSprite(still, 0, width, height, d);
  for (const b of scene.bars) drawBar(still, 0, width, b);
  scene.frames.forEach((sprites, t) => {
    const at = offset + t * frameBytes;
    out.set(still, at);
    for (const s of sprites) drawSprite(out, at, width, height, s);
  });
}

/** Copies a clip with its frames in reverse order: the opposing partner of a reversible phenomenon. */
export function reverseFrames(clip: Uint8Array, frames: number, out: Uint8Array, offset = 0): void {
  const frameBytes = clip.length / frames;
  for (let t = 0; t < frames; t++) {
    out.set(clip.subarray((frames - 1 - t) * frameBytes, (frames - t) * frameBytes), offset + t * frameBytes);
  }
}
