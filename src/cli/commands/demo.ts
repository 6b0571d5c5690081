import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TempolabError } from '../../engine/errors.js';
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
    .description('the main job: make the synthetic benchmark, train base, STAVE and control, evaluate them and write runs/<timestamp>/report.html')
    .option('--quick', 'smaller everything (tiny model, few clips and steps), same code path: under 2 minutes')
    .option('--out <dir>', 'output directory (default runs/<timestamp>)')
    .option('--seed <n>', 'seed for data, initialisation and data order', '0')
    .action(async (f: { quick?: boolean; out?: string; seed: string }) => {
      const settings = { ...(f.quick ? DEMO_QUICK : DEMO_DEFAULT), seed: int('--seed', f.seed) };
      const dir = f.out ?? path.join('runs', timestamp());
      if (existsSync(path.join(dir, 'data'))) throw new TempolabError(`${dir} already holds a demo; pass another --out`);
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
        console.log(result.summary);
        console.log(`\nreport: ${path.join(result.dir, 'report.html')} (also report.md, results.json); ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
      } catch (error) {
        if (!interrupt.requested()) throw error;
        bar?.stop();
        process.stderr.write(`demo: interrupted; the finished training runs are in ${dir}\n`);
        process.exitCode = 130;
      } finally {
        bar?.stop();
        interrupt.dispose();
      }
    });
}
