import { spawn } from 'node:child_process';
import { existsSync, promises as fs, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import sharp from 'sharp';
import { check, TempolabError } from '../engine/errors.js';
import { writeDirAtomic } from '../engine/atomicWrite.js';
import { assertOutsideInputs } from '../engine/outputDir.js';
import { assertShardBuffersFit, datasetOutput, DatasetWriter } from './dataset.js';
import { fpsFrameSampling } from './fpsSampling.js';
import type { Manifest, Split } from './types.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.tif', '.tiff'];
export const VIDEO_EXTENSIONS = ['.mp4', '.webm', '.mkv', '.avi', '.mov', '.m4v', '.mpg', '.mpeg', '.gif', '.ogv', '.flv', '.wmv'];

/** The ffmpeg binary shipped inside the npm package @ffmpeg-installer/ffmpeg (no system ffmpeg needed). */
export function ffmpegPath(): string {
  let found: string;
  try {
    found = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    throw new TempolabError("the ffmpeg npm package is missing; run 'npm install' in the tempolab directory");
  }
  check(existsSync(found), `the ffmpeg binary '${found}' is missing; reinstall with 'npm install'`);
  return found;
}

function runFfmpeg(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err }));
  });
}

/** ffmpeg reports damaged input but may still exit 0 after decoding what it could. */
const DAMAGE = /moov atom not found|partial file|corrupt input packet|invalid data found/i;

/** ffmpeg's most telling complaint, without its "[demuxer @ 0x…]" or "file:" prefix. */
function ffmpegComplaint(stderr: string, file: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '').replace(file + ': ', '').trim())
    .filter((l) => l !== '');
  const telling = lines.find((l) => DAMAGE.test(l)) ?? lines.find((l) => /invalid|error|unsupported|could not|no such|unknown/i.test(l));
  return telling ?? lines[lines.length - 1] ?? 'no output';
}

function decodeError(file: string, stderr: string): TempolabError {
  if (/matches no streams|does not contain any stream/i.test(stderr)) {
    return new TempolabError(`'${file}' has no video stream; pass a video file`);
  }
  const complaint = ffmpegComplaint(stderr, file);
  if (DAMAGE.test(complaint)) {
    return new TempolabError(`video '${file}' is truncated or corrupt (ffmpeg: ${complaint}); re-encode it or remove it`);
  }
  return new TempolabError(`video '${file}' could not be decoded (ffmpeg: ${complaint}); re-encode it to mp4 (H.264) or remove it`);
}

/**
 * Which source frames to keep: the middle frame of each of `count` equal segments, the uniform
 * sampling both papers use. Fewer source frames than `count` repeat frames rather than fail.
 */
export function uniformFrameIndices(total: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.min(total - 1, Math.floor(((i + 0.5) * total) / count)));
}

export interface DecodedClip {
  /** uint8 [frames, size, size, 3]. */
  pixels: Uint8Array;
  /** The source frame index of each kept frame. */
  sourceFrames: number[];
  sourceFrameCount: number;
  /** The source's duration (frames / frame rate), when the container states a frame rate. */
  seconds?: number;
  /** fps-based sampling: frames per second of the sampled clip (sets Qwen2.5-VL's second_per_grid_t). */
  sampleFps?: number;
}

/** Scale so the short side is `size` (keeping aspect ratio), then crop the centre square. */
const coverFilter = (size: number) => `scale=${size}:${size}:force_original_aspect_ratio=increase:flags=area,crop=${size}:${size}`;

async function decodeFrames(file: string, size: number, select?: number[]): Promise<Uint8Array[]> {
  const filters = [...(select ? [`select='${select.map((n) => `eq(n\\,${n})`).join('+')}'`] : []), coverFilter(size)];
  const { code, stdout, stderr } = await runFfmpeg([
    '-v', 'error', '-i', file, '-map', '0:v:0', '-vf', filters.join(','), '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-',
  ]);
  if (code !== 0 || DAMAGE.test(stderr)) throw decodeError(file, stderr);
  const frameBytes = size * size * 3;
  const frames: Uint8Array[] = [];
  for (let at = 0; at + frameBytes <= stdout.length; at += frameBytes) frames.push(stdout.subarray(at, at + frameBytes));
  return frames;
}

/** Counts a video's frames from its packets, without decoding (ffmpeg stream copy to null), and reads its frame rate. */
async function countFrames(file: string): Promise<{ total: number; fps?: number }> {
  const { code, stderr } = await runFfmpeg(['-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-']);
  if (code !== 0 || DAMAGE.test(stderr)) throw decodeError(file, stderr);
  const counts = [...stderr.matchAll(/frame=\s*(\d+)/g)].map((m) => Number(m[1]));
  const fps = Number(/Stream #0:\d+.*Video:.*?, (\d+(?:\.\d+)?) fps/.exec(stderr)?.[1]);
  return { total: counts[counts.length - 1] ?? 0, ...(fps > 0 ? { fps } : {}) };
}

/**
 * Decodes `frames` uniformly sampled frames of a video file, resized and centre-cropped to
 * size×size; with `fps`, Qwen2.5-VL's fps-based sampling picks the count and the frames instead.
 */
export async function decodeVideo(file: string, frames: number, size: number, options: { fps?: number } = {}): Promise<DecodedClip> {
  check(existsSync(file), `video '${file}' does not exist; check the path`);
  check(statSync(file).size > 0, `video '${file}' is empty (0 bytes); remove it or replace it with the real file`);
  const counted = await countFrames(file);
  let total = counted.total;
  let sampleFps: number | undefined;
  const pick = (n: number) => {
    if (options.fps === undefined) return uniformFrameIndices(n, frames);
    const sampled = fpsFrameSampling(n, counted.fps ?? 0, options.fps);
    sampleFps = sampled.sampleFps;
    return sampled.indices;
  };
  let kept: Uint8Array[] | undefined;
  if (total > 0) {
    const wanted = pick(total);
    const distinct = [...new Set(wanted)];
    const decoded = await decodeFrames(file, size, distinct);
    if (decoded.length === distinct.length) kept = wanted.map((n) => decoded[distinct.indexOf(n)]!);
  }
  if (!kept) {
    // The packet count was wrong (damaged index, variable frame rate quirks): decode everything.
    const all = await decodeFrames(file, size);
    total = all.length;
    check(total > 0, `video '${file}' has no decodable frames; re-encode it or remove it`);
    kept = pick(total).map((n) => all[n]!);
  }
  const pixels = new Uint8Array(kept.length * size * size * 3);
  kept.forEach((f, t) => pixels.set(f, t * size * size * 3));
  return {
    pixels,
    sourceFrames: pick(total),
    sourceFrameCount: total,
    ...(counted.fps ? { seconds: total / counted.fps } : {}),
    ...(sampleFps ? { sampleFps } : {}),
  };
}

async function listImages(dir: string): Promise<string[]> {
  const names = (await fs.readdir(dir)).filter((n) => IMAGE_EXTENSIONS.includes(path.extname(n).toLowerCase()));
  return names.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).map((n) => path.join(dir, n));
}

/** A directory of frame images (sorted by name, numbers compared as numbers) as one clip. */
export async function decodeImageSequence(dir: string, frames: number, size: number): Promise<DecodedClip> {
  const images = await listImages(dir);
  check(images.length > 0, `directory '${dir}' holds no images (${IMAGE_EXTENSIONS.join(', ')}); pass a directory of frames or video files`);
  const indices = uniformFrameIndices(images.length, frames);
  const pixels = new Uint8Array(frames * size * size * 3);
  for (let t = 0; t < frames; t++) {
    const file = images[indices[t]!]!;
    let data: Buffer;
    try {
      data = await sharp(file).resize(size, size, { fit: 'cover', position: 'centre' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
    } catch (error) {
      throw new TempolabError(`image '${file}' could not be read (${(error as Error).message.split('\n')[0]}); replace it or remove it`);
    }
    pixels.set(data, t * size * size * 3);
  }
  return { pixels, sourceFrames: indices, sourceFrameCount: images.length };
}

export interface ImportOptions {
  frames?: number;
  size?: number;
  /** The split the clips go into (default test: imported videos are usually for evaluation). */
  split?: Split;
  /** Replace an existing --out that is not a tempolab dataset. */
  overwrite?: boolean;
  /** Also write each clip's frame-reversed twin, `<id>_reversed`, as its opposing partner. */
  addReversed?: boolean;
  onProgress?: (done: number, total: number) => void;
}

interface Source {
  id: string;
  path: string;
  kind: 'video' | 'images';
}

/** Video files stand for themselves; a directory is a frame sequence if it holds images, else a folder of videos. */
async function expandInputs(inputs: readonly string[]): Promise<Source[]> {
  const sources: Source[] = [];
  for (const input of inputs) {
    check(existsSync(input), `'${input}' does not exist; check the path`);
    if (statSync(input).isDirectory()) {
      if ((await listImages(input)).length > 0) {
        sources.push({ id: path.basename(path.resolve(input)), path: input, kind: 'images' });
        continue;
      }
      const videos = (await fs.readdir(input))
        .filter((n) => VIDEO_EXTENSIONS.includes(path.extname(n).toLowerCase()))
        .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
      check(videos.length > 0, `directory '${input}' holds no images or videos; pass video files or a directory of frames`);
      for (const n of videos) sources.push({ id: path.parse(n).name, path: path.join(input, n), kind: 'video' });
    } else {
      sources.push({ id: path.parse(input).name, path: input, kind: 'video' });
    }
  }
  const seen = new Map<string, string>();
  for (const s of sources) {
    check(!seen.has(s.id), () => `'${seen.get(s.id)}' and '${s.path}' would both be video '${s.id}'; rename one`);
    seen.set(s.id, s.path);
  }
  return sources;
}

/** The id suffix of a clip's frame-reversed twin. */
export const REVERSED_SUFFIX = '_reversed';

/** uint8 [T, H, W, 3] with its frames in reverse order. */
export function reverseClip(pixels: Uint8Array, frames: number): Uint8Array {
  const size = pixels.length / frames;
  const out = new Uint8Array(pixels.length);
  for (let t = 0; t < frames; t++) out.set(pixels.subarray(t * size, (t + 1) * size), (frames - 1 - t) * size);
  return out;
}

export function validateClipShape(frames: number, size: number): void {
  check(Number.isInteger(frames) && frames >= 2 && frames % 2 === 0 && frames <= 256,
    `--frames must be an even integer in [2, 256] (the vision encoder groups frames in pairs), got ${frames}`);
  check(Number.isInteger(size) && size >= 8 && size % 8 === 0 && size <= 1024,
    `--size must be a multiple of 8 in [8, 1024] (patch size x merge size), got ${size}`);
}

/**
 * Imports videos (files, folders of videos, or folders of frame images) into a dataset: N frames
 * sampled uniformly, resized keeping aspect ratio and centre-cropped to size×size. All or nothing:
 * any unreadable input stops the import and nothing is written.
 */
export async function importVideos(inputs: readonly string[], outDir: string, options: ImportOptions = {}): Promise<Manifest> {
  const frames = options.frames ?? 8;
  const size = options.size ?? 32;
  const split = options.split ?? 'test';
  validateClipShape(frames, size);
  check(inputs.length > 0, 'no videos given; pass video files, folders of videos or folders of frame images');
  assertOutsideInputs(outDir, inputs);
  const sources = await expandInputs(inputs);
  assertShardBuffersFit({ frames, height: size, width: size, channels: 3 }, [sources.length]);
  let manifest: Manifest | undefined;
  await writeDirAtomic(outDir, async (tmp) => {
    const writer = new DatasetWriter(tmp, { frames, height: size, width: size, channels: 3 });
    for (const [n, source] of sources.entries()) {
      const clip = source.kind === 'video' ? await decodeVideo(source.path, frames, size) : await decodeImageSequence(source.path, frames, size);
      const timing = clip.seconds ? { seconds: clip.seconds } : {};
      if (!options.addReversed) {
        await writer.addVideo({ id: source.id, split, partnerId: null, source: source.path, sourceFrames: clip.sourceFrames, ...timing }, clip.pixels);
      } else {
        const twin = `${source.id}${REVERSED_SUFFIX}`;
        check(!sources.some((s) => s.id === twin), `'${source.path}' would get the reversed twin '${twin}', which is also an input; drop --add-reversed or rename it`);
        await writer.addVideo({ id: source.id, split, partnerId: twin, partnerKind: 'reversed', source: source.path, sourceFrames: clip.sourceFrames, ...timing }, clip.pixels);
        await writer.addVideo({ id: twin, split, partnerId: source.id, partnerKind: 'reversed', source: source.path, sourceFrames: clip.sourceFrames.slice().reverse(), ...timing }, reverseClip(clip.pixels, frames));
      }
      options.onProgress?.(n + 1, sources.length);
    }
    manifest = await writer.finish({
      format: 'tempolab-dataset',
      version: 1,
      origin: 'imported',
      seed: null,
      generator: { name: 'tempolab-import', frames, size, sampling: 'segment-centres', resize: 'cover-centre-crop', ...(options.addReversed ? { reversedTwins: true } : {}) },
      heldOut: [],
    });
  }, datasetOutput(options.overwrite));
  return manifest!;
}
