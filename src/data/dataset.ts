import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { TempolabError } from '../engine/errors.js';
import { clipBytes, readShard, shardHeader, type ClipShape, type Shard } from './shards.js';
import { SPLITS, type Manifest, type Question, type Split, type SplitInfo, type VideoRecord } from './types.js';

/**
 * On disk a dataset is a directory:
 *   manifest.json             version, clip shape, generator settings, seed, counts, held-out compositions
 *   {split}/videos.jsonl      one VideoRecord per line, in shard order
 *   {split}/questions.jsonl   one Question per line
 *   {split}/frames-NNN.bin    frame shards (see shards.ts)
 */
export const MANIFEST = 'manifest.json';

/** A directory this project wrote as a dataset (its manifest says so): data commands may replace it. */
export function isDataset(dir: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST), 'utf8')) as { format?: unknown } | null;
    return manifest?.format === 'tempolab-dataset';
  } catch {
    return false;
  }
}

/** What a data command may replace at its --out: an earlier dataset, or anything with --overwrite. */
export const datasetOutput = (overwrite = false, offerOverwrite = true) => ({ owned: isDataset, overwrite, offerOverwrite, what: 'a tempolab dataset' });
export const DEFAULT_SHARD_CLIPS = 4096;

/**
 * Fails with one line when the clips a DatasetWriter holds before its shards fill (up to
 * `shardClips` per split) would need more than half of this machine's memory, naming the largest
 * --size that fits. `perSplit` is the number of clips each split will receive.
 */
export function assertShardBuffersFit(shape: ClipShape, perSplit: readonly number[], shardClips = DEFAULT_SHARD_CLIPS, budget = os.totalmem() / 2): void {
  const held = perSplit.reduce((a, n) => a + Math.min(n, shardClips), 0);
  const need = (size: number) => held * clipBytes({ ...shape, height: size, width: size });
  if (need(shape.height) <= budget) return;
  let size = shape.height - 8;
  while (size > 8 && need(size) > budget) size -= 8;
  const gb = (b: number) => (b / 2 ** 30).toFixed(1);
  throw new TempolabError(
    `${held} clips of ${shape.frames}x${shape.height}x${shape.width} need ${gb(need(shape.height))} GB in memory while their shards fill, more than half of this machine's ${gb(budget * 2)} GB; ${need(size) <= budget ? `use --size ${size} or less, or ` : ''}make fewer clips or --frames`,
  );
}

const shardName = (split: Split, n: number) => `${split}/frames-${String(n).padStart(3, '0')}.bin`;
const jsonl = (rows: readonly unknown[]) => rows.map((r) => JSON.stringify(r) + '\n').join('');

/**
 * Fills a dataset directory (the temp directory of writeDirAtomic). Clips are buffered per split
 * until a shard is full, so memory stays at one shard per split however large the dataset.
 */
export class DatasetWriter {
  private readonly pending = new Map<Split, { clips: Uint8Array[]; shards: string[] }>();
  private readonly videos = new Map<Split, VideoRecord[]>();
  private readonly questions = new Map<Split, Question[]>();

  constructor(
    private readonly dir: string,
    readonly shape: ClipShape,
    private readonly shardClips = DEFAULT_SHARD_CLIPS,
  ) {
    for (const s of SPLITS) {
      this.pending.set(s, { clips: [], shards: [] });
      this.videos.set(s, []);
      this.questions.set(s, []);
    }
  }

  /** Adds a clip (copied) and returns its record with shard and index filled in. */
  async addVideo(record: Omit<VideoRecord, 'shard' | 'index'>, pixels: Uint8Array): Promise<VideoRecord> {
    if (pixels.length !== clipBytes(this.shape)) {
      throw new Error(`clip '${record.id}' has ${pixels.length} bytes, expected ${clipBytes(this.shape)}`);
    }
    const p = this.pending.get(record.split)!;
    const full: VideoRecord = { ...record, shard: p.shards.length, index: p.clips.length };
    p.clips.push(pixels.slice());
    this.videos.get(record.split)!.push(full);
    if (p.clips.length === this.shardClips) await this.flush(record.split);
    return full;
  }

  addQuestions(questions: readonly Question[]): void {
    for (const q of questions) this.questions.get(q.split)!.push(q);
  }

  private async flush(split: Split): Promise<void> {
    const p = this.pending.get(split)!;
    if (p.clips.length === 0) return;
    const name = shardName(split, p.shards.length);
    await fs.mkdir(path.join(this.dir, split), { recursive: true });
    const handle = await fs.open(path.join(this.dir, name), 'w');
    try {
      await handle.writev([shardHeader(p.clips.length, this.shape), ...p.clips]);
    } finally {
      await handle.close();
    }
    p.shards.push(name);
    p.clips = [];
  }

  /** Writes the remaining shards, the JSONL files and the manifest (whose counts it fills in). */
  async finish(manifest: Omit<Manifest, 'splits' | 'frames' | 'height' | 'width' | 'channels'>): Promise<Manifest> {
    const splits = {} as Record<Split, SplitInfo>;
    for (const s of SPLITS) {
      await this.flush(s);
      const videos = this.videos.get(s)!;
      const questions = this.questions.get(s)!;
      if (videos.length > 0 || questions.length > 0) {
        await fs.mkdir(path.join(this.dir, s), { recursive: true });
        await fs.writeFile(path.join(this.dir, s, 'videos.jsonl'), jsonl(videos));
        await fs.writeFile(path.join(this.dir, s, 'questions.jsonl'), jsonl(questions));
      }
      splits[s] = { videos: videos.length, questions: questions.length, shards: this.pending.get(s)!.shards };
    }
    const full: Manifest = {
      format: manifest.format,
      version: manifest.version,
      origin: manifest.origin,
      frames: this.shape.frames,
      height: this.shape.height,
      width: this.shape.width,
      channels: 3,
      seed: manifest.seed,
      generator: manifest.generator,
      heldOut: manifest.heldOut,
      splits,
    };
    await fs.writeFile(path.join(this.dir, MANIFEST), JSON.stringify(full, null, 2) + '\n');
    return full;
  }
}

export interface Dataset {
  dir: string;
  manifest: Manifest;
  /** Bytes per clip: frames * height * width * 3. */
  clipBytes: number;
  videos(split: Split): VideoRecord[];
  questions(split: Split): Question[];
  /** Every split's questions, train first. */
  allQuestions(): Question[];
  video(videoId: string): VideoRecord;
  /** The clip's pixels, uint8 [T,H,W,3]: a view into its shard, which is read whole on first use. */
  frames(videoId: string): Uint8Array;
}

function readJsonl<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new TempolabError(`'${file}' line ${i + 1} is not valid JSON; regenerate the dataset`);
      }
    });
}

/**
 * What makes two datasets the same data: origin, seed, generator settings and split sizes. A model
 * trained on one is only evaluated on the other's test split when these agree.
 */
export function datasetIdentity(manifest: Manifest): Record<string, unknown> {
  const counts = Object.fromEntries(Object.entries(manifest.splits).map(([split, info]) => [split, { videos: info.videos, questions: info.questions }]));
  return { origin: manifest.origin, seed: manifest.seed, generator: manifest.generator, splits: counts };
}

/**
 * What a model trained on one dataset must share with another before it is evaluated on that one's
 * test split. The synthetic generator draws each split from its own seeded stream, clip after clip,
 * so two synthetic sets that differ only in how many training clips they have share their
 * validation and test clips, and the smaller one's training clips are the larger one's first ones: a
 * model trained on either never saw the other's test clips. So for synthetic data the training-clip
 * count is left out; any other data must be the same data.
 */
export function heldOutIdentity(identity: Record<string, unknown>): Record<string, unknown> {
  if (identity.origin !== 'synthetic') return identity;
  const { generator, splits } = structuredClone(identity) as { generator?: { counts?: Record<string, unknown> }; splits?: Record<string, unknown> };
  delete generator?.counts?.train;
  delete splits?.train;
  return { ...identity, generator, splits };
}

export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST);
  if (!existsSync(file)) {
    throw new TempolabError(`'${dir}' is not a tempolab dataset (no ${MANIFEST}); create one with 'tempolab data synth --out ${dir}' or 'tempolab data import'`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    throw new TempolabError(`'${file}' is not valid JSON; regenerate the dataset`);
  }
  if (manifest.format !== 'tempolab-dataset' || manifest.version !== 1) {
    throw new TempolabError(`'${file}' is not a version 1 tempolab dataset manifest; regenerate the dataset with this tempolab`);
  }
  return manifest;
}

/** Opens a dataset directory for training and evaluation. Files are read lazily and cached. */
export function openDataset(dir: string): Dataset {
  const manifest = readManifest(dir);
  const shape: ClipShape = { frames: manifest.frames, height: manifest.height, width: manifest.width, channels: 3 };
  const videoCache = new Map<Split, VideoRecord[]>();
  const questionCache = new Map<Split, Question[]>();
  const shardCache = new Map<string, Shard>();
  let byId: Map<string, VideoRecord> | undefined;

  const videos = (split: Split) => {
    if (!videoCache.has(split)) videoCache.set(split, readJsonl<VideoRecord>(path.join(dir, split, 'videos.jsonl')));
    return videoCache.get(split)!;
  };
  const questions = (split: Split) => {
    if (!questionCache.has(split)) questionCache.set(split, readJsonl<Question>(path.join(dir, split, 'questions.jsonl')));
    return questionCache.get(split)!;
  };
  const video = (id: string) => {
    byId ??= new Map(SPLITS.flatMap((s) => videos(s).map((v) => [v.id, v] as const)));
    const v = byId.get(id);
    if (!v) throw new TempolabError(`video '${id}' is not in dataset '${dir}'; list its videos with 'tempolab data stats ${dir}'`);
    return v;
  };
  const bytes = clipBytes(shape);
  return {
    dir,
    manifest,
    clipBytes: bytes,
    videos,
    questions,
    allQuestions: () => SPLITS.flatMap((s) => questions(s)),
    video,
    frames(id) {
      const v = video(id);
      const name = manifest.splits[v.split].shards[v.shard];
      if (name === undefined) throw new TempolabError(`video '${id}' points at shard ${v.shard}, which the manifest of '${dir}' does not list; regenerate the dataset`);
      let shard = shardCache.get(name);
      if (!shard) shardCache.set(name, (shard = readShard(path.join(dir, name), shape)));
      if (v.index >= shard.count) throw new TempolabError(`video '${id}' is clip ${v.index} of '${name}', which holds ${shard.count}; regenerate the dataset`);
      return shard.pixels.subarray(v.index * bytes, (v.index + 1) * bytes);
    },
  };
}
