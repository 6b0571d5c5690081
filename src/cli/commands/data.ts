import type { Command } from 'commander';
import { check } from '../../engine/errors.js';
import { computeStats, openDataset, synthesizeDataset } from '../../data/index.js';
import { writePreview } from '../../data/preview.js';
import { exportTempCompassQuestions, importTempCompassQuestions, parsePairsSpec } from '../../data/tempcompass.js';
import { SPLITS, FORMATS, type Format, type Split } from '../../data/types.js';
import { importVideos } from '../../data/video.js';
import { DEFAULT_ENCODE, exportVideos, PARTNERS_FILE } from '../../data/encode.js';
import { DEFAULT_VIDEO_SET, makeVideoSet } from '../../data/videoSet.js';
import { progressBar } from '../progress.js';

function integer(flag: string, value: string): number {
  const n = Number(value);
  check(value.trim() !== '' && Number.isInteger(n), `${flag} must be an integer, got '${value}'`);
  return n;
}

function share(flag: string, value: string): number {
  const n = Number(value);
  check(value.trim() !== '' && Number.isFinite(n), `${flag} must be a number in [0, 1], got '${value}'`);
  return n;
}

function frameRate(value: string): number {
  const n = Number(value);
  check(value.trim() !== '' && Number.isFinite(n) && n > 0 && n <= 240, `--fps must be a frame rate in (0, 240], got '${value}'`);
  return n;
}

/** Runs `work` with a progress bar that exists only once work reports progress. */
async function withProgress<T>(label: string, work: (onProgress: (done: number, total: number) => void) => Promise<T>): Promise<T> {
  let bar: ReturnType<typeof progressBar> | undefined;
  try {
    return await work((done, total) => {
      bar ??= progressBar(label, total);
      bar.update(done);
    });
  } finally {
    bar?.stop();
  }
}

function printStats(dir: string): void {
  const stats = computeStats(openDataset(dir));
  console.log('split  videos  questions  held-out');
  for (const [split, s] of Object.entries(stats.splits)) {
    console.log(`${split.padEnd(6)} ${String(s.videos).padStart(6)} ${String(s.questions).padStart(10)} ${String(s.heldOut).padStart(9)}`);
  }
  console.log('');
  console.log('split  format            dimension         questions  majority  answers');
  for (const g of stats.groups) {
    const answers =
      g.format === 'captioning'
        ? `${Object.keys(g.answers).length} distinct captions`
        : Object.entries(g.answers)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([a, n]) => `${a} ${n}`)
            .join(', ');
    console.log(
      `${g.split.padEnd(6)} ${g.format.padEnd(17)} ${g.dimension.padEnd(17)} ${String(g.questions).padStart(9)}  ${(100 * g.majority).toFixed(1).padStart(7)}%  ${answers}`,
    );
  }
}

export function registerData(program: Command): void {
  const data = program
    .command('data')
    .description('temporal video data: the synthetic benchmark, real video import, TempCompass question files, stats and previews');

  data
    .command('synth')
    .description('generate the synthetic temporal benchmark (opposing pairs, four question formats, held-out compositions)')
    .requiredOption('--out <dir>', 'dataset directory to create (an earlier dataset there is replaced; anything else needs --overwrite)')
    .option('--overwrite', 'replace --out even when it holds something other than a tempolab dataset')
    .option('--train <n>', 'training clips (even: clips come in opposing pairs)', '1000')
    .option('--val <n>', 'validation clips (even)', '200')
    .option('--test <n>', 'test clips (even)', '200')
    .option('--frames <n>', 'frames per clip (even, >= 4)', '8')
    .option('--size <n>', 'frame height and width in pixels (multiple of 8; 16 suits patch 4 with 2x2 merge)', '32')
    .option('--seed <n>', 'random seed: the same seed gives the same bytes', '0')
    .option('--background <kind>', 'mixed, plain or textured', 'mixed')
    .option('--distractors <n>', 'at most this many static distractor objects per clip (0-3)', '2')
    .option('--val-held-out-share <share>', 'share of validation pairs showing a held-out composition, as half of test does (0-1 in steps of 0.1): validation that sees the compositional gap', '0')
    .action(async (opts: Record<string, string>) => {
      const started = Date.now();
      const manifest = await withProgress('synth', (onProgress) =>
        synthesizeDataset(opts.out!, {
          train: integer('--train', opts.train!),
          val: integer('--val', opts.val!),
          test: integer('--test', opts.test!),
          frames: integer('--frames', opts.frames!),
          size: integer('--size', opts.size!),
          seed: integer('--seed', opts.seed!),
          background: opts.background as 'mixed' | 'plain' | 'textured',
          distractors: integer('--distractors', opts.distractors!),
          valHeldOutShare: share('--val-held-out-share', opts.valHeldOutShare!),
          overwrite: opts.overwrite !== undefined,
          onProgress,
        }),
      );
      const clips = manifest.splits.train.videos + manifest.splits.val.videos + manifest.splits.test.videos;
      const seconds = (Date.now() - started) / 1000;
      console.log(`wrote ${opts.out}: ${clips} clips of ${manifest.frames}x${manifest.height}x${manifest.width} in ${seconds.toFixed(1)}s (${(clips / seconds).toFixed(0)} clips/s)`);
    });

  data
    .command('stats')
    .description('counts by split, format, dimension and answer, with the majority-answer baseline')
    .argument('<dir>', 'dataset directory')
    .action((dir: string) => printStats(dir));

  data
    .command('preview')
    .description('a contact sheet (PNG: frames left to right, question and answer below) or an animated GIF of some clips')
    .argument('<dir>', 'dataset directory')
    .requiredOption('--out <file>', 'image to write (.png, or .gif with --gif)')
    .option('--id <ids...>', 'video or question ids (default: the first four test clips)')
    .option('--format <format>', `which question to show under each clip: ${FORMATS.join(', ')}`, 'multi_choice')
    .option('--frame-size <px>', 'shown size of each frame in pixels', '96')
    .option('--gif', 'write an animated GIF of the clips side by side instead')
    .action(async (dir: string, opts: { out: string; id?: string[]; format: string; frameSize: string; gif?: boolean }) => {
      check((FORMATS as readonly string[]).includes(opts.format), `--format must be one of ${FORMATS.join(', ')}, got '${opts.format}'`);
      check(!opts.gif || opts.out.toLowerCase().endsWith('.gif'), `--gif writes a GIF: give --out a .gif name, got '${opts.out}'`);
      check(opts.gif || opts.out.toLowerCase().endsWith('.png'), `the contact sheet is a PNG: give --out a .png name (or add --gif), got '${opts.out}'`);
      const frameSize = integer('--frame-size', opts.frameSize);
      check(frameSize >= 8 && frameSize <= 1024, `--frame-size must be in [8, 1024], got ${frameSize}`);
      await writePreview(openDataset(dir), opts.out, { ids: opts.id, format: opts.format as Format, frameSize, gif: opts.gif });
      console.log(`wrote ${opts.out}`);
    });

  data
    .command('import')
    .description('import real videos (files, folders of videos, or folders of frame images) into a dataset, sampling frames uniformly')
    .argument('<inputs...>', 'video files, folders of videos, or folders of frame images (one clip per folder)')
    .requiredOption('--out <dir>', 'dataset directory to create, outside the inputs (an earlier dataset there is replaced; nothing is written if any input fails)')
    .option('--overwrite', 'replace --out even when it holds something other than a tempolab dataset')
    .option('--frames <n>', 'frames sampled uniformly per clip (even)', '8')
    .option('--size <n>', 'frame height and width: resized keeping aspect ratio, then centre-cropped (multiple of 8)', '32')
    .option('--split <split>', `split the clips go into: ${SPLITS.join(', ')}`, 'test')
    .option('--add-reversed', "also write each clip's frame-reversed twin <id>_reversed as its opposing partner")
    .action(async (inputs: string[], opts: { out: string; frames: string; size: string; split: string; overwrite?: boolean; addReversed?: boolean }) => {
      check((SPLITS as readonly string[]).includes(opts.split), `--split must be one of ${SPLITS.join(', ')}, got '${opts.split}'`);
      const manifest = await withProgress('import', (onProgress) =>
        importVideos(inputs, opts.out, {
          frames: integer('--frames', opts.frames),
          size: integer('--size', opts.size),
          split: opts.split as Split,
          overwrite: opts.overwrite,
          addReversed: opts.addReversed,
          onProgress,
        }),
      );
      const clips = manifest.splits[opts.split as Split].videos;
      console.log(`wrote ${opts.out}: ${clips} clips of ${manifest.frames}x${manifest.height}x${manifest.width}`);
    });

  data
    .command('import-questions')
    .description("join TempCompass question files (multi-choice.json, yes_no.json, caption_matching.json, captioning.json) with imported videos")
    .argument('<files...>', 'TempCompass question files: {video id: {dimension: [{question, answer}]}}')
    .requiredOption('--videos <dir>', "dataset made by 'tempolab data import' from the benchmark's videos")
    .option('--out <dir>', 'write the joined dataset here instead of updating --videos in place')
    .option('--format <format>', `task type of every file, when the file names do not tell: ${FORMATS.join(', ')}`)
    .option('--skip-missing', 'drop questions about videos that were not imported instead of failing')
    .option('--pairs <spec>', "opposing partner videos: suffix:_reversed (X and X_reversed) or a JSON file {\"video\": \"partner\"}; default: the partners 'data import --add-reversed' recorded")
    .action(async (files: string[], opts: { videos: string; out?: string; format?: string; skipMissing?: boolean; pairs?: string }) => {
      check(opts.format === undefined || (FORMATS as readonly string[]).includes(opts.format),
        `--format must be one of ${FORMATS.join(', ')}, got '${opts.format}'`);
      const pairs = opts.pairs === undefined ? undefined : parsePairsSpec(opts.pairs);
      const out = opts.out ?? opts.videos;
      const n = await importTempCompassQuestions(files, opts.videos, { out: opts.out, format: opts.format as Format | undefined, skipMissing: opts.skipMissing, pairs });
      const paired = openDataset(out).allQuestions().filter((q) => q.partnerId !== null).length;
      console.log(`imported ${n} questions into ${out}; ${paired} of the dataset's questions have an opposing partner`);
    });

  data
    .command('export-questions')
    .description("write a dataset's questions as TempCompass question files, one per task type")
    .argument('<dir>', 'dataset directory')
    .requiredOption('--out <dir>', 'directory for multi-choice.json, yes_no.json, caption_matching.json, captioning.json')
    .option('--split <splits...>', `splits to export: ${SPLITS.join(', ')}`, ['test'])
    .action(async (dir: string, opts: { out: string; split: string[] }) => {
      for (const s of opts.split) check((SPLITS as readonly string[]).includes(s), `--split must be among ${SPLITS.join(', ')}, got '${s}'`);
      const written = await exportTempCompassQuestions(dir, opts.out, opts.split as Split[]);
      console.log(`wrote ${written.join(', ')}`);
    });

  data
    .command('export-videos')
    .description(`write a dataset split's clips as H.264 mp4s (ffmpeg) with ${PARTNERS_FILE} naming each clip's opposing partner`)
    .argument('<dir>', 'dataset directory')
    .requiredOption('--out <dir>', 'directory for <video id>.mp4 and partners.json (an earlier export there is replaced)')
    .option('--split <split>', `split to export: ${SPLITS.join(', ')}`, 'test')
    .option('--fps <n>', 'frame rate written in the mp4', String(DEFAULT_ENCODE.fps))
    .option('--crf <n>', "libx264 quality: 0 lossless … 51 worst", String(DEFAULT_ENCODE.crf))
    .action(async (dir: string, opts: Record<string, string>) => {
      check((SPLITS as readonly string[]).includes(opts.split!), `--split must be one of ${SPLITS.join(', ')}, got '${opts.split}'`);
      const n = await withProgress('encode', (onProgress) => exportVideos(dir, opts.out!, { split: opts.split as Split, fps: frameRate(opts.fps!), crf: integer('--crf', opts.crf!), onProgress }));
      console.log(`wrote ${n} videos and ${PARTNERS_FILE} to ${opts.out}; import them with 'tempolab data import ${opts.out} --out DIR' and 'data import-questions … --pairs ${opts.out}/${PARTNERS_FILE}'`);
    });

  const d = DEFAULT_VIDEO_SET;
  data
    .command('video-set')
    .description('an encoded-video test set: the benchmark\'s scenes drawn at another size and frame count, written as H.264 by ffmpeg, then imported with its questions as real videos are')
    .requiredOption('--out <dir>', 'directory for videos/, questions/, data/ (the dataset to evaluate on) and video-set.json')
    .option('--clips <n>', 'clips (even: opposing pairs)', String(d.clips))
    .option('--seed <n>', "the scenes' seed (keep it apart from the training data's)", String(d.seed))
    .option('--render-frames <n>', 'frames drawn per clip before encoding', String(d.render.frames))
    .option('--render-size <n>', 'frame size drawn before encoding (multiple of 8)', String(d.render.size))
    .option('--fps <n>', 'frame rate written in the mp4s', String(d.encode.fps))
    .option('--crf <n>', 'libx264 quality: 0 lossless … 51 worst', String(d.encode.crf))
    .option('--frames <n>', 'frames data import samples per clip (the models\' clip length)', String(d.import.frames))
    .option('--size <n>', 'frame size data import crops to (the models\' frame size)', String(d.import.size))
    .action(async (opts: Record<string, string>) => {
      const started = Date.now();
      const settings = {
        clips: integer('--clips', opts.clips!),
        seed: integer('--seed', opts.seed!),
        render: { frames: integer('--render-frames', opts.renderFrames!), size: integer('--render-size', opts.renderSize!) },
        encode: { fps: frameRate(opts.fps!), crf: integer('--crf', opts.crf!) },
        import: { frames: integer('--frames', opts.frames!), size: integer('--size', opts.size!) },
      };
      let bar: ReturnType<typeof progressBar> | undefined;
      let step = '';
      let dataDir: string;
      try {
        dataDir = await makeVideoSet(opts.out!, settings, (what, done, total) => {
          if (what !== step) {
            bar?.stop();
            bar = progressBar(what, total);
            step = what;
          }
          bar!.update(done);
        });
      } finally {
        bar?.stop();
      }
      console.log(`wrote ${settings.clips} encoded clips to ${opts.out} in ${((Date.now() - started) / 1000).toFixed(1)} s; evaluate with 'tempolab eval --model M --data ${dataDir}'`);
    });
}
