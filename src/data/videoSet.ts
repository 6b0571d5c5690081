import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '../engine/atomicWrite.js';
import { check } from '../engine/errors.js';
import { DEFAULT_ENCODE, exportVideos, PARTNERS_FILE, validateEncodeOptions, type EncodeOptions } from './encode.js';
import { synthesizeDataset } from './synth.js';
import { exportTempCompassQuestions, importTempCompassQuestions } from './tempcompass.js';
import { importVideos, validateClipShape } from './video.js';

/**
 * An encoded-video test set: the benchmark's scenes drawn at another size and frame count than the
 * models were trained on, written as H.264 mp4s by ffmpeg, then brought back exactly as a user's own
 * videos are — `data import` (uniform frame sampling, resize, centre crop) and `data import-questions`
 * (TempCompass files in the benchmark's wording, opposing partners from partners.json).
 */
export interface VideoSetSettings {
  /** Clips (even: opposing pairs), all in the test split. */
  clips: number;
  /** The scenes' seed; not the training data's, so no clip was seen in training. */
  seed: number;
  /** What the renderer draws before encoding. */
  render: { frames: number; size: number };
  encode: EncodeOptions;
  /** What `data import` samples from the mp4s: the models' clip shape. */
  import: { frames: number; size: number };
}

export const DEFAULT_VIDEO_SET: VideoSetSettings = {
  clips: 200,
  seed: 100,
  render: { frames: 16, size: 64 },
  encode: DEFAULT_ENCODE,
  import: { frames: 8, size: 32 },
};

const SETTINGS_FILE = 'video-set.json';

/** The dataset inside a video set directory: what `eval --data` reads. */
export const videoSetData = (dir: string) => path.join(dir, 'data');

/**
 * Makes the set in `outDir` (atomically): `videos/*.mp4` + `videos/partners.json`, `questions/*.json`,
 * `data/` (the imported dataset) and `video-set.json` (these settings). Returns the dataset directory.
 */
export async function makeVideoSet(outDir: string, settings: VideoSetSettings = DEFAULT_VIDEO_SET, onProgress?: (what: string, done: number, total: number) => void): Promise<string> {
  check(Number.isInteger(settings.clips) && settings.clips > 0 && settings.clips % 2 === 0, `--clips must be a positive even number (clips come in opposing pairs), got ${settings.clips}`);
  validateClipShape(settings.import.frames, settings.import.size);
  validateEncodeOptions(settings.encode);
  check(settings.render.frames >= settings.import.frames, `the video set renders ${settings.render.frames} frames and imports ${settings.import.frames}; render at least as many frames as are imported`);
  await writeDirAtomic(outDir, async (tmp) => {
    const source = path.join(tmp, 'source');
    await synthesizeDataset(source, { train: 0, val: 0, test: settings.clips, seed: settings.seed, frames: settings.render.frames, size: settings.render.size, onProgress: (d, t) => onProgress?.('render', d, t) });
    const videos = path.join(tmp, 'videos');
    await exportVideos(source, videos, { split: 'test', ...settings.encode, onProgress: (d, t) => onProgress?.('encode', d, t) });
    const questionFiles = await exportTempCompassQuestions(source, path.join(tmp, 'questions'), ['test']);
    await fs.rm(source, { recursive: true });
    const imported = path.join(tmp, 'imported');
    await importVideos([videos], imported, { ...settings.import, split: 'test', onProgress: (d, t) => onProgress?.('import', d, t) });
    const partners = JSON.parse(await fs.readFile(path.join(videos, PARTNERS_FILE), 'utf8')) as Record<string, string>;
    await importTempCompassQuestions(questionFiles, imported, { out: videoSetData(tmp), pairs: { map: partners } });
    await fs.rm(imported, { recursive: true });
    await writeFileAtomic(path.join(tmp, SETTINGS_FILE), JSON.stringify(settings, null, 2) + '\n');
  }, { owned: (dir) => existsSync(path.join(dir, SETTINGS_FILE)), what: 'a video set', offerOverwrite: false });
  return videoSetData(outDir);
}
