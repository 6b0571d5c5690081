import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '../engine/atomicWrite.js';
import { check, TempolabError } from '../engine/errors.js';
import { openDataset } from './dataset.js';
import type { Split } from './types.js';
import { ffmpegPath } from './video.js';

export interface EncodeOptions {
  /** Frame rate written in the container. */
  fps: number;
  /** libx264 constant rate factor: 0 is lossless, 18–23 what cameras and sites use, 51 the worst. */
  crf: number;
}

export const DEFAULT_ENCODE: EncodeOptions = { fps: 10, crf: 20 };

/**
 * Writes a clip, uint8 [T,H,W,3], as an H.264 mp4 (yuv420p: chroma at half resolution, as phones
 * and video sites store it) with the npm-shipped ffmpeg.
 */
export async function encodeVideo(file: string, pixels: Uint8Array, shape: { frames: number; height: number; width: number }, options: EncodeOptions = DEFAULT_ENCODE): Promise<void> {
  check(pixels.length === shape.frames * shape.height * shape.width * 3, `clip for '${file}' has ${pixels.length} bytes, not frames × height × width × 3 = ${shape.frames * shape.height * shape.width * 3}`);
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${shape.width}x${shape.height}`, '-r', String(options.fps), '-i', 'pipe:0',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', String(options.crf), '-preset', 'medium', '-movflags', '+faststart', file,
  ];
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = spawn(ffmpegPath(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => (code === 0 ? resolve(err) : reject(new TempolabError(`ffmpeg could not encode '${file}' (${err.trim().split('\n').pop() ?? `exit ${code}`}); check that the npm ffmpeg package installed completely`))));
    child.stdin.end(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength));
  });
  check(stderr.trim() === '', () => `ffmpeg warned while encoding '${file}': ${stderr.trim().split('\n')[0]}`);
}

export function validateEncodeOptions(encode: EncodeOptions): void {
  check(Number.isFinite(encode.fps) && encode.fps > 0 && encode.fps <= 240, `--fps must be a frame rate in (0, 240], got ${encode.fps}`);
  check(Number.isInteger(encode.crf) && encode.crf >= 0 && encode.crf <= 51, `--crf must be a whole number in [0, 51] (libx264's quality scale), got ${encode.crf}`);
}

/** The file next to exported videos that names each clip's opposing partner, for `data import-questions --pairs`. */
export const PARTNERS_FILE = 'partners.json';

export interface ExportVideosOptions extends Partial<EncodeOptions> {
  split?: Split;
  onProgress?: (done: number, total: number) => void;
}

/** A directory this export wrote before: partners.json and mp4s only, so replacing it loses nothing else. */
const isExportedVideos = (dir: string) => existsSync(path.join(dir, PARTNERS_FILE)) && readdirSync(dir).every((n) => n === PARTNERS_FILE || n.endsWith('.mp4'));

/**
 * Writes every clip of a dataset split as `<id>.mp4` (H.264) into `outDir`, with `partners.json`
 * ({video: partner}), so the clips can be re-imported as real videos or given to other tools.
 */
export async function exportVideos(datasetDir: string, outDir: string, options: ExportVideosOptions = {}): Promise<number> {
  const dataset = openDataset(datasetDir);
  const split = options.split ?? 'test';
  const encode: EncodeOptions = { fps: options.fps ?? DEFAULT_ENCODE.fps, crf: options.crf ?? DEFAULT_ENCODE.crf };
  validateEncodeOptions(encode);
  const videos = dataset.videos(split);
  check(videos.length > 0, `dataset '${datasetDir}' has no ${split} clips; choose another --split`);
  const { frames, height, width } = dataset.manifest;
  check(height % 2 === 0 && width % 2 === 0, `clips of '${datasetDir}' are ${width}×${height}; H.264 (yuv420p) needs even sizes`);
  await writeDirAtomic(outDir, async (tmp) => {
    for (const [n, video] of videos.entries()) {
      await encodeVideo(path.join(tmp, `${video.id}.mp4`), dataset.frames(video.id), { frames, height, width }, encode);
      options.onProgress?.(n + 1, videos.length);
    }
    const partners = Object.fromEntries(videos.filter((v) => v.partnerId).map((v) => [v.id, v.partnerId!]));
    await writeFileAtomic(path.join(tmp, PARTNERS_FILE), JSON.stringify(partners, null, 1) + '\n');
  }, { owned: isExportedVideos, what: 'exported videos', offerOverwrite: false });
  return videos.length;
}
