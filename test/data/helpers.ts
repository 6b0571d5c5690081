import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh temp directory, removed when the test process exits. */
export function tempDir(prefix = 'tempolab-data-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The most common RGB value of a frame: the plain background. */
export function backgroundOf(frame: Uint8Array): [number, number, number] {
  const counts = new Map<number, number>();
  for (let i = 0; i < frame.length; i += 3) {
    const key = (frame[i]! << 16) | (frame[i + 1]! << 8) | frame[i + 2]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const [key] = [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a));
  return [(key >> 16) & 255, (key >> 8) & 255, key & 255];
}

/**
 * The foreground of a frame with a plain background and one object colour: its area in pixels,
 * counting an edge pixel by how far its colour lies between background and object (sub-pixel
 * area), and its centroid (x, y) weighted the same way.
 */
export function foreground(frame: Uint8Array, width: number): { area: number; x: number; y: number } {
  const bg = backgroundOf(frame);
  const pixels = frame.length / 3;
  const distance = new Float64Array(pixels);
  let full = 0;
  for (let p = 0; p < pixels; p++) {
    distance[p] = Math.abs(frame[3 * p]! - bg[0]) + Math.abs(frame[3 * p + 1]! - bg[1]) + Math.abs(frame[3 * p + 2]! - bg[2]);
    full = Math.max(full, distance[p]!);
  }
  let area = 0;
  let sx = 0;
  let sy = 0;
  for (let p = 0; p < pixels; p++) {
    const w = distance[p]! / full;
    area += w;
    sx += w * ((p % width) + 0.5);
    sy += w * (Math.floor(p / width) + 0.5);
  }
  return { area, x: sx / area, y: sy / area };
}

export function framesOf(clip: Uint8Array, frames: number): Uint8Array[] {
  const n = clip.length / frames;
  return Array.from({ length: frames }, (_, t) => clip.subarray(t * n, (t + 1) * n));
}
