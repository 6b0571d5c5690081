/**
 * Where `ask` gets its question: the argument, a file (--question-file), or stdin ("-"). Long
 * questions belong in a file: onnxruntime-node crashes (SIGSEGV) creating a session when the
 * process command line exceeds about 30 KB, so main.ts refuses such command lines up front.
 */
import { promises as fs } from 'node:fs';
import { TempolabError } from '../engine/errors.js';

/** The longest question `ask` reads, in characters (about 10 000 words). */
export const MAX_QUESTION_CHARS = 64_000;
/** The longest command line passed on to onnxruntime (it crashes above about 30 KB). */
export const MAX_COMMAND_LINE_BYTES = 16_000;

async function readStdin(limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    bytes += (chunk as Buffer).length;
    if (bytes > limit) throw new TempolabError(`the question on stdin is longer than ${MAX_QUESTION_CHARS} characters; shorten it`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readQuestionFile(file: string, limit: number): Promise<string> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (error) {
    throw new TempolabError(`cannot read --question-file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!stat.isFile()) throw new TempolabError(`--question-file ${file} is not a regular file; give a text file holding the question`);
  if (stat.size > limit) throw new TempolabError(`--question-file ${file} is ${stat.size} bytes; a question may have at most ${MAX_QUESTION_CHARS} characters`);
  return fs.readFile(file, 'utf8');
}

/** The question from exactly one source, trimmed, non-empty and within MAX_QUESTION_CHARS. */
export async function readQuestion(argument: string | undefined, file: string | undefined): Promise<string> {
  if (argument !== undefined && file !== undefined) throw new TempolabError('give the question either as an argument or with --question-file, not both');
  if (argument === undefined && file === undefined) throw new TempolabError('no question: pass it as an argument, with --question-file FILE, or as - to read stdin');
  // UTF-8 takes at most 4 bytes per character: reading stops before anything huge is in memory.
  const limit = 4 * MAX_QUESTION_CHARS;
  const text = file !== undefined ? await readQuestionFile(file, limit) : argument === '-' ? await readStdin(limit) : argument!;
  const question = text.trim();
  if (!question) throw new TempolabError('the question is empty; ask something about the video');
  if (question.length > MAX_QUESTION_CHARS) throw new TempolabError(`the question has ${question.length} characters; ask accepts at most ${MAX_QUESTION_CHARS}`);
  return question;
}

/** Fails with one line when the command line is too long for onnxruntime to survive. */
export function assertCommandLineFits(argv: readonly string[]): void {
  const bytes = Buffer.byteLength(argv.join(' '));
  if (bytes > MAX_COMMAND_LINE_BYTES) {
    throw new TempolabError(`the command line is ${bytes} bytes; onnxruntime crashes on command lines over about 30 KB, so tempolab accepts at most ${MAX_COMMAND_LINE_BYTES}: put a long question in a file and pass --question-file FILE (or - to read it from stdin)`);
  }
}
