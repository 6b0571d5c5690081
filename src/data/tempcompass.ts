import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { check, TempolabError } from '../engine/errors.js';
import { writeDirAtomic, writeFileAtomic } from '../engine/atomicWrite.js';
import { datasetOutput, MANIFEST, openDataset } from './dataset.js';
import { INSTRUCTIONS } from './formats.js';
import { DIMENSIONS, FORMATS, SPLITS, type Dimension, type Format, type Manifest, type Question, type Split } from './types.js';

/**
 * TempCompass keeps each task type in its own JSON file, keyed by video id, then by dimension,
 * holding a list of {question, answer}. Questions there carry no instruction line (it is added at
 * inference), multi-choice answers read "A. text" and caption-matching answers "Caption A: text".
 */
export const TEMPCOMPASS_FILES: Record<Format, string> = {
  multi_choice: 'multi-choice.json',
  yes_no: 'yes_no.json',
  caption_matching: 'caption_matching.json',
  captioning: 'captioning.json',
};

export interface TempCompassEntry {
  question: string;
  answer: string;
}
export type TempCompassFile = Record<string, Partial<Record<Dimension, TempCompassEntry[]>>>;

/** The task type a question file holds, from its name (multi-choice.json, yes_no.json, …). */
export function formatOfFile(file: string): Format | undefined {
  const name = path.basename(file).toLowerCase().replace(/-/g, '_');
  return FORMATS.find((f) => name === TEMPCOMPASS_FILES[f].replace(/-/g, '_'));
}

function stripInstruction(format: Format, question: string): string {
  const tail = INSTRUCTIONS[format] ? `\n${INSTRUCTIONS[format]}` : '';
  return tail && question.endsWith(tail) ? question.slice(0, -tail.length) : question;
}

/** One of our questions as a TempCompass entry. */
export function toTempCompass(q: Question): TempCompassEntry {
  const question = stripInstruction(q.format, q.question);
  const lettered = q.answer.match(/^([A-Z])\. (.*)$/s);
  const answer = q.format === 'caption_matching' && lettered ? `Caption ${lettered[1]}: ${lettered[2]}` : q.answer;
  return { question, answer };
}

/** A TempCompass entry as one of our questions (without split, id and bookkeeping). */
export function fromTempCompass(format: Format, entry: TempCompassEntry): Pick<Question, 'question' | 'answer' | 'options'> {
  const lines = entry.question.split('\n');
  const question = INSTRUCTIONS[format] ? `${entry.question}\n${INSTRUCTIONS[format]}` : entry.question;
  if (format === 'multi_choice') {
    const options = lines.map((l) => l.match(/^([A-Z])\. (.*)$/)?.[2]).filter((o): o is string => o !== undefined);
    return { question, answer: entry.answer, ...(options.length > 0 ? { options } : {}) };
  }
  if (format === 'caption_matching') {
    const options = lines.map((l) => l.match(/^caption ([A-Z]): (.*)$/i)?.[2]).filter((o): o is string => o !== undefined);
    const lettered = entry.answer.match(/^caption ([A-Z]): (.*)$/is);
    return { question, answer: lettered ? `${lettered[1]}. ${lettered[2]}` : entry.answer, ...(options.length > 0 ? { options } : {}) };
  }
  if (format === 'yes_no') return { question, answer: entry.answer.trim().toLowerCase() };
  return { question, answer: entry.answer };
}

/** Reads and checks a TempCompass question file; every problem names the file and the place. */
export function readTempCompassFile(file: string): TempCompassFile {
  check(existsSync(file), `question file '${file}' does not exist; check the path`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TempolabError(`question file '${file}' is not valid JSON (${(error as Error).message}); fix or re-download it`);
  }
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  check(isObject(data), `question file '${file}' must be a JSON object keyed by video id (TempCompass layout)`);
  for (const [video, byDimension] of Object.entries(data)) {
    check(isObject(byDimension), `question file '${file}': video '${video}' must map dimensions to lists of questions`);
    for (const [dimension, entries] of Object.entries(byDimension)) {
      check((DIMENSIONS as readonly string[]).includes(dimension),
        `question file '${file}': video '${video}' has unknown dimension '${dimension}'; expected one of ${DIMENSIONS.join(', ')}`);
      check(Array.isArray(entries), `question file '${file}': '${video}'.'${dimension}' must be a list of {question, answer}`);
      entries.forEach((e, i) =>
        check(isObject(e) && typeof e.question === 'string' && typeof e.answer === 'string',
          `question file '${file}': '${video}'.'${dimension}'[${i}] must have string 'question' and 'answer'`),
      );
    }
  }
  return data as TempCompassFile;
}

export interface ImportQuestionsOptions {
  /** Where to write the joined dataset (default: replace the videos dataset in place, atomically). */
  out?: string;
  /** Task type of every file, when their names do not tell. */
  format?: Format;
  /** Drop questions about videos the dataset lacks, instead of failing. */
  skipMissing?: boolean;
  /**
   * Which videos are opposing partners: `{ suffix: '_reversed' }` (X and X_reversed), or a map of
   * partners (either direction). Default: the partners the videos dataset records (import --add-reversed).
   */
  pairs?: { suffix: string } | { map: Record<string, string> };
}

/** `suffix:_reversed`, or a JSON file mapping video ids to their partners, as ImportQuestionsOptions.pairs. */
export function parsePairsSpec(spec: string): NonNullable<ImportQuestionsOptions['pairs']> {
  if (spec.startsWith('suffix:')) {
    const suffix = spec.slice('suffix:'.length);
    check(suffix.length > 0, "--pairs suffix: needs the suffix, e.g. --pairs suffix:_reversed");
    return { suffix };
  }
  check(existsSync(spec), `--pairs '${spec}' is neither suffix:<text> nor an existing JSON file of partners ({"video": "its partner"})`);
  let map: unknown;
  try {
    map = JSON.parse(readFileSync(spec, 'utf8'));
  } catch (error) {
    throw new TempolabError(`--pairs file '${spec}' is not valid JSON (${(error as Error).message}); write {"video": "its partner", …}`);
  }
  const isMap = typeof map === 'object' && map !== null && !Array.isArray(map) && Object.values(map).every((v) => typeof v === 'string');
  check(isMap, `--pairs file '${spec}' must be a JSON object mapping video ids to partner video ids, e.g. {"1000": "1000_reversed"}`);
  return { map: map as Record<string, string> };
}

/** Video → opposing partner video, symmetric, for the videos present. */
function videoPartners(videoIds: ReadonlySet<string>, recorded: ReadonlyMap<string, string | null>, pairs: ImportQuestionsOptions['pairs']): Map<string, string> {
  const partners = new Map<string, string>();
  const link = (a: string, b: string) => {
    partners.set(a, b);
    partners.set(b, a);
  };
  if (!pairs) {
    for (const [id, partner] of recorded) if (partner && videoIds.has(partner)) link(id, partner);
  } else if ('suffix' in pairs) {
    for (const id of videoIds) if (videoIds.has(id + pairs.suffix)) link(id, id + pairs.suffix);
  } else {
    for (const [a, b] of Object.entries(pairs.map)) {
      check(videoIds.has(a) && videoIds.has(b), () => `--pairs names '${videoIds.has(a) ? b : a}', which is not a video of the dataset; fix the pairs file or import that video`);
      link(a, b);
    }
  }
  return partners;
}

/**
 * Links each question to its opposing partner: the question of the same format, dimension and text
 * about the partner video, when its answer differs (reversing a clip flips "left to right" but not
 * "what colour"). Returns how many pairs were linked.
 */
export function linkOpposingQuestions(questions: Question[], partners: ReadonlyMap<string, string>): number {
  const key = (videoId: string, q: Question) => `${videoId}\u0000${q.format}\u0000${q.dimension}\u0000${q.question}`;
  const byKey = new Map(questions.map((q) => [key(q.videoId, q), q]));
  let linked = 0;
  for (const q of questions) {
    const partnerVideo = partners.get(q.videoId);
    const other = partnerVideo === undefined ? undefined : byKey.get(key(partnerVideo, q));
    if (!other || other.answer === q.answer) continue;
    q.partnerId = other.id;
    if (q.videoId < other.videoId) linked++;
  }
  return linked;
}

/**
 * Joins TempCompass question files with a dataset of imported videos (ids = video file names
 * without extension). For each video the files cover, their task types replace the questions
 * of those types the dataset had; everything else is kept. Returns the number of questions imported.
 */
export async function importTempCompassQuestions(files: readonly string[], videosDir: string, options: ImportQuestionsOptions = {}): Promise<number> {
  check(files.length > 0, 'no question files given; pass TempCompass files such as multi-choice.json');
  const dataset = openDataset(videosDir);
  const splitOf = new Map(SPLITS.flatMap((s) => dataset.videos(s).map((v) => [v.id, s] as const)));
  const imported: Question[] = [];
  const formats = new Set<Format>();
  let missing: string[] = [];
  for (const file of files) {
    const format = options.format ?? formatOfFile(file);
    check(format, `cannot tell the task type of '${file}' from its name; name it ${Object.values(TEMPCOMPASS_FILES).join(', ')} or pass --format`);
    formats.add(format);
    for (const [videoId, byDimension] of Object.entries(readTempCompassFile(file))) {
      const split = splitOf.get(videoId);
      if (!split) {
        missing.push(videoId);
        continue;
      }
      for (const dimension of DIMENSIONS) {
        (byDimension[dimension] ?? []).forEach((entry, i) => {
          imported.push({
            id: `${videoId}-${format}-${dimension}-${i}`,
            videoId,
            split,
            dimension,
            format,
            ...fromTempCompass(format, entry),
            partnerId: null,
            heldOut: false,
          });
        });
      }
    }
  }
  missing = [...new Set(missing)];
  check(missing.length === 0 || options.skipMissing,
    () => `${missing.length} question video(s) are not in '${videosDir}' (first: '${missing[0]}'); import those videos first or pass --skip-missing`);
  check(imported.length > 0, `no questions matched the videos of '${videosDir}'; check that video file names are TempCompass' video ids`);
  const recorded = new Map(SPLITS.flatMap((s) => dataset.videos(s).map((v) => [v.id, v.partnerId] as const)));
  linkOpposingQuestions(imported, videoPartners(new Set(splitOf.keys()), recorded, options.pairs));
  const covered = new Set(imported.map((q) => q.videoId));
  const out = options.out ?? videosDir;
  await writeDirAtomic(out, async (tmp) => {
    const counts = {} as Record<Split, number>;
    for (const split of SPLITS) {
      const kept = dataset.questions(split).filter((q) => !(formats.has(q.format) && covered.has(q.videoId)));
      const questions = [...kept, ...imported.filter((q) => q.split === split)];
      counts[split] = questions.length;
      if (dataset.manifest.splits[split].videos === 0 && questions.length === 0) continue;
      await fs.mkdir(path.join(tmp, split), { recursive: true });
      await fs.copyFile(path.join(videosDir, split, 'videos.jsonl'), path.join(tmp, split, 'videos.jsonl'));
      for (const shard of dataset.manifest.splits[split].shards) await fs.copyFile(path.join(videosDir, shard), path.join(tmp, shard));
      await fs.writeFile(path.join(tmp, split, 'questions.jsonl'), questions.map((q) => JSON.stringify(q) + '\n').join(''));
    }
    const manifest: Manifest = {
      ...dataset.manifest,
      splits: Object.fromEntries(SPLITS.map((s) => [s, { ...dataset.manifest.splits[s], questions: counts[s] }])) as Manifest['splits'],
    };
    await fs.writeFile(path.join(tmp, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  }, datasetOutput(false, false));
  return imported.length;
}

/**
 * Writes a dataset's questions as TempCompass question files (one per task type) into `outDir`,
 * so tools built for that benchmark can read the synthetic one. Returns the files written.
 */
export async function exportTempCompassQuestions(datasetDir: string, outDir: string, splits: readonly Split[] = ['test']): Promise<string[]> {
  const dataset = openDataset(datasetDir);
  const questions = splits.flatMap((s) => dataset.questions(s));
  check(questions.length > 0, `dataset '${datasetDir}' has no questions in ${splits.join(', ')}; choose another --split`);
  const written: string[] = [];
  for (const format of FORMATS) {
    const file: TempCompassFile = {};
    for (const q of questions.filter((q) => q.format === format)) {
      ((file[q.videoId] ??= {})[q.dimension] ??= []).push(toTempCompass(q));
    }
    if (Object.keys(file).length === 0) continue;
    const target = path.join(outDir, TEMPCOMPASS_FILES[format]);
    await writeFileAtomic(target, JSON.stringify(file, null, 2) + '\n');
    written.push(target);
  }
  return written;
}
