import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TempolabError } from '../../engine/errors.js';
import { guardOutputDir } from '../../engine/outputDir.js';
import { DEMO_DEFAULT, DEMO_QUICK, runDemo } from '../../eval/demo.js';
import { interruptFlag } from '../interrupt.js';
import { int } from '../options.js';
import { progressBar, type ProgressReporter } from '../progress.js';

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job: make the synthetic benchmark, take the shipped base VideoLM and its shipped STAVE and control fine-tunes (or train them), the vision-only STA check, evaluate (generated answers, and the option each model finds most likely), probe and write runs/<timestamp>/report.html')
    .option('--quick', 'smaller everything (tiny model, few clips and steps), same code path: under 2 minutes')
    .option('--out <dir>', 'output directory (default runs/<timestamp>)')
    .option('--seed <n>', 'seed for data, initialisation and data order', '0')
    .option('--seeds <n>', 'train base, STAVE and control with this many seeds and report STAVE − control over seeds', '1')
    .option('--base <run>', 'start STAVE and control from this finished `train base` run (trained on the same data)')
    .option('--train-base', 'train the base here in four stages (about 2 hours on 2 cores) even where the shipped pretrained/base-small fits the data')
    .option('--train-fine-tunes', 'train STAVE and control (about 65 min on 2 cores, the two arms one after the other) and the vision-only check\'s two arms (about 5 min) here even where the shipped pretrained/fine-tunes-small are the runs the demo would train')
    .action(async (f: { quick?: boolean; out?: string; seed: string; seeds: string; base?: string; trainBase?: boolean; trainFineTunes?: boolean }) => {
      const defaults = f.quick ? DEMO_QUICK : DEMO_DEFAULT;
      if (f.base !== undefined && f.trainBase) throw new TempolabError('--base and --train-base contradict each other: give one');
      if (f.base !== undefined && !existsSync(f.base)) throw new TempolabError(`--base ${f.base} does not exist: give a run directory written by tempolab train base`);
      const base = f.base !== undefined ? { run: f.base } : f.trainBase ? ('train' as const) : defaults.base;
      const settings = { ...defaults, seed: int('--seed', f.seed), seeds: int('--seeds', f.seeds, 1), base, fineTunes: f.trainFineTunes ? ('train' as const) : defaults.fineTunes };
      const dir = f.out ?? path.join('runs', timestamp());
      if (existsSync(path.join(dir, 'data'))) throw new TempolabError(`${dir} already holds a demo; pass another --out`);
      await guardOutputDir(dir, { what: 'a demo run', offerOverwrite: false });
      const interrupt = interruptFlag();
      let bar: ProgressReporter | undefined;
      let barKey = '';
      const started = Date.now();
      try {
        const result = await runDemo(dir, settings, {
          onPhase: (phase, detail) => {
            bar?.stop();
            bar = undefined;
            process.stderr.write(`demo: ${phase} — ${detail} (${((Date.now() - started) / 1000).toFixed(0)} s elapsed)\n`);
          },
          onTrainStep: (run, p) => {
            if (barKey !== run || !bar) {
              bar?.stop();
              barKey = run;
              bar = progressBar(`train ${run}`, p.totalSteps, ['stage', 'loss']);
            }
            bar.update(p.globalStep, { stage: p.stage, loss: p.loss.toFixed(4) });
          },
          onEvalProgress: (model, done, total) => {
            if (barKey !== `eval ${model}` || !bar) {
              bar?.stop();
              barKey = `eval ${model}`;
              bar = progressBar(`eval ${model}`, total);
            }
            bar.update(done);
          },
          shouldStop: interrupt.requested,
        });
        bar?.stop();
        if (interrupt.requested()) process.exitCode = interrupt.exitCode();
        console.log(result.summary);
        console.log(`\nreport: ${path.join(result.dir, 'report.html')} (also report.md, results.json); ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
      } catch (error) {
        if (!interrupt.requested()) throw error;
        bar?.stop();
        process.stderr.write(`demo: stopped (the current training run saved a checkpoint in ${dir}); start a new demo with another --out\n`);
        process.exitCode = interrupt.exitCode();
      } finally {
        bar?.stop();
        interrupt.dispose();
      }
    });
}
