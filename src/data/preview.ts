import sharp from 'sharp';
import { check } from '../engine/errors.js';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import type { Dataset } from './dataset.js';
import { SPLITS, type Format, type Question } from './types.js';

export interface PreviewOptions {
  /** Video ids or question ids; default: the first four clips of the first non-empty split, test first. */
  ids?: string[];
  /** Which of a video's questions to print under it (default multi_choice). */
  format?: Format;
  /** Pixels per frame side in the sheet (frames are enlarged by an integer factor, nearest neighbour). */
  frameSize?: number;
}

const GAP = 4;
const BACKGROUND = 255;

interface Item {
  videoId: string;
  question: Question | undefined;
}

function resolveItems(dataset: Dataset, options: PreviewOptions): Item[] {
  let ids = options.ids ?? [];
  if (ids.length === 0) {
    const split = [...SPLITS].reverse().find((s) => dataset.videos(s).length > 0);
    check(split, `dataset '${dataset.dir}' has no videos to preview`);
    ids = dataset.videos(split).slice(0, 4).map((v) => v.id);
  }
  const questions = dataset.allQuestions();
  const format = options.format ?? 'multi_choice';
  return ids.map((id) => {
    const asQuestion = questions.find((q) => q.id === id);
    if (asQuestion) return { videoId: asQuestion.videoId, question: asQuestion };
    dataset.video(id);
    const own = questions.filter((q) => q.videoId === id);
    return { videoId: id, question: own.find((q) => q.format === format) ?? own[0] };
  });
}

/** Nearest-neighbour enlargement of one frame, written into an RGB canvas at (left, top). */
function blit(canvas: Uint8Array, canvasWidth: number, frame: Uint8Array, size: number, width: number, scale: number, left: number, top: number): void {
  for (let y = 0; y < size * scale; y++) {
    const src = Math.floor(y / scale) * width * 3;
    let dst = ((top + y) * canvasWidth + left) * 3;
    for (let x = 0; x < width * scale; x++, dst += 3) {
      const s = src + Math.floor(x / scale) * 3;
      canvas[dst] = frame[s]!;
      canvas[dst + 1] = frame[s + 1]!;
      canvas[dst + 2] = frame[s + 2]!;
    }
  }
}

const escapeMarkup = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A contact sheet as PNG bytes: one row per clip, its frames left to right, and under them the
 * question and its ground-truth answer.
 */
export async function renderContactSheet(dataset: Dataset, options: PreviewOptions = {}): Promise<Buffer> {
  const { frames: T, height: H, width: W } = dataset.manifest;
  const scale = Math.max(1, Math.round((options.frameSize ?? 96) / H));
  const rowWidth = T * W * scale + (T - 1) * GAP;
  const sheetWidth = rowWidth + 2 * GAP;
  const items = resolveItems(dataset, options);
  const texts = await Promise.all(
    items.map(async (item) => {
      const q = item.question;
      const lines = q ? [`${q.id}  (${q.dimension}, ${q.format})`, q.question, `answer: ${q.answer}`] : [`${item.videoId}  (no questions)`];
      const image = sharp({ text: { text: escapeMarkup(lines.join('\n')), font: 'monospace 9', width: rowWidth, dpi: 96, rgba: true } });
      const { info } = await image.clone().raw().toBuffer({ resolveWithObject: true });
      return { png: await image.png().toBuffer(), height: info.height };
    }),
  );
  const rowHeights = texts.map((t) => H * scale + GAP + t.height + 2 * GAP);
  const sheetHeight = rowHeights.reduce((a, b) => a + b, 0) + GAP;
  const canvas = new Uint8Array(sheetWidth * sheetHeight * 3).fill(BACKGROUND);
  const overlays: sharp.OverlayOptions[] = [];
  let top = GAP;
  items.forEach((item, r) => {
    const clip = dataset.frames(item.videoId);
    const frameBytes = H * W * 3;
    for (let t = 0; t < T; t++) {
      blit(canvas, sheetWidth, clip.subarray(t * frameBytes, (t + 1) * frameBytes), H, W, scale, GAP + t * (W * scale + GAP), top);
    }
    overlays.push({ input: texts[r]!.png, left: GAP, top: top + H * scale + GAP });
    top += rowHeights[r]!;
  });
  return sharp(canvas, { raw: { width: sheetWidth, height: sheetHeight, channels: 3 } }).composite(overlays).png().toBuffer();
}

/** An animated GIF playing the clips side by side, one GIF frame per video frame. */
export async function renderAnimation(dataset: Dataset, options: PreviewOptions & { delayMs?: number } = {}): Promise<Buffer> {
  const { frames: T, height: H, width: W } = dataset.manifest;
  const scale = Math.max(1, Math.round((options.frameSize ?? 96) / H));
  const items = resolveItems(dataset, options);
  const pageWidth = items.length * (W * scale + GAP) + GAP;
  const pageHeight = H * scale + 2 * GAP;
  const pages = new Uint8Array(pageWidth * pageHeight * T * 3).fill(BACKGROUND);
  const frameBytes = H * W * 3;
  items.forEach((item, i) => {
    const clip = dataset.frames(item.videoId);
    for (let t = 0; t < T; t++) {
      blit(pages, pageWidth, clip.subarray(t * frameBytes, (t + 1) * frameBytes), H, W, scale, GAP + i * (W * scale + GAP), t * pageHeight + GAP);
    }
  });
  return sharp(pages, { raw: { width: pageWidth, height: pageHeight * T, channels: 3, pageHeight } })
    .gif({ delay: options.delayMs ?? 250, loop: 0 })
    .toBuffer();
}

export async function writePreview(dataset: Dataset, out: string, options: PreviewOptions & { gif?: boolean } = {}): Promise<void> {
  const bytes = options.gif ? await renderAnimation(dataset, options) : await renderContactSheet(dataset, options);
  await writeFileAtomic(out, bytes);
}
