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

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof TempolabError) {
    process.stderr.write(`tempolab: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
