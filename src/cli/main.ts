#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { TempolabError } from '../engine/errors.js';
import { registerAsk } from './commands/ask.js';
import { registerBenchStrategies } from './commands/benchStrategies.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEval } from './commands/eval.js';
import { registerExport } from './commands/export.js';
import { registerProbe } from './commands/probe.js';
import { registerTrain } from './commands/train.js';
import { registerData } from './commands/data.js';
import { assertCommandLineFits } from './question.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('tempolab')
  .description('A lab for temporal understanding in video language models (STAVE, Causality Matters).')
  .version(pkg.version)
  .showHelpAfterError('(run with --help for usage)');

registerDemo(program);
registerDoctor(program);
registerTrain(program);
registerExport(program);
registerEval(program);
registerAsk(program);
registerProbe(program);
registerBenchStrategies(program);
registerData(program);

/** Errors from the file system name the path and the cause; they need no stack trace. */
const SYSTEM_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY', 'EMFILE', 'ENAMETOOLONG', 'ELOOP', 'EBUSY', 'EXDEV']);

try {
  // `data` commands never start onnxruntime, so they may take long lists of input files.
  if (process.argv[2] !== 'data') assertCommandLineFits(process.argv);
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof TempolabError) {
    process.stderr.write(`tempolab: ${error.message}\n`);
    process.exit(1);
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && SYSTEM_ERRORS.has(code)) {
    process.stderr.write(`tempolab: ${(error as Error).message.split('\n')[0]}; check the path and its permissions\n`);
    process.exit(1);
  }
  throw error;
}
