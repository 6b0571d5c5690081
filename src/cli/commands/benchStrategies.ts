import type { Command } from 'commander';
import { assertWritableDir } from '../../engine/outputDir.js';
import path from 'node:path';
import { openDataset } from '../../data/dataset.js';
import { SPLITS, type Split } from '../../data/types.js';
import { writeFileAtomic } from '../../engine/atomicWrite.js';
import { TempolabError } from '../../engine/errors.js';
import { stratifiedSample } from '../../data/stratify.js';
import { configureRuntime } from '../../engine/runtime.js';
import { markdownTable } from '../../eval/markdown.js';
import { heading, paragraph, tableBlock, writeReport } from '../../eval/report.js';
import { benchStrategies, strategyTable } from '../../eval/strategyBench.js';
import { PAPER_STRATEGIES, parseStrategies } from '../../infer/strategies.js';
import { loadVideoLM } from '../../models/checkpoint.js';
import { resolveModelDir } from '../../train/recipes.js';
import { int, oneOf } from '../options.js';

const DEFAULT_VARIANTS = ['none', PAPER_STRATEGIES.sparseQuery, PAPER_STRATEGIES.noInterFrame, PAPER_STRATEGIES.exit, `${PAPER_STRATEGIES.sparseQuery},${PAPER_STRATEGIES.noInterFrame},${PAPER_STRATEGIES.exit}`];

export function registerBenchStrategies(program: Command): void {
  program
    .command('bench-strategies')
    .description('baseline vs pathway-guided strategies (Causality Matters §6), measured side by side: accuracy, prefill FLOPs and latency, decode tokens/s, KV-cache bytes')
    .requiredOption('--model <dir>', 'model directory or training run')
    .requiredOption('--data <dir>', 'dataset directory')
    .option('--split <name>', 'train, val or test', 'test')
    .option('--limit <n>', 'questions for the accuracy columns, balanced over task format × temporal dimension', '400')
    .option('--strategies <list...>', `strategy sets to compare, each like "exit@0.7" or "sparse-q@0.35-0.7,exit@0.7" ("none" = baseline)`, DEFAULT_VARIANTS)
    .option('--repeats <n>', 'prefill latency repeats per strategy', '15')
    .option('--out <dir>', 'write strategies.md, strategies.html and strategies.json there')
    .option('--json', 'print the measurements (strategies.json\'s content) as JSON on stdout instead of the table')
    .action(async (f: { model: string; data: string; split: string; limit: string; strategies: string[]; repeats: string; out?: string; json?: boolean }) => {
      // Strategies run as separate sessions, alternated round by round: no spinning threads between them.
      configureRuntime({ allowSpinning: false });
      if (f.out) await assertWritableDir(f.out);
      const model = await loadVideoLM(resolveModelDir(f.model));
      const dataset = openDataset(f.data);
      const questions = stratifiedSample(dataset.questions(oneOf('--split', f.split, SPLITS) as Split), int('--limit', f.limit, 1));
      if (questions.length === 0) throw new TempolabError(`the ${f.split} split of ${f.data} has no questions: nothing to measure accuracy on; pass another --split or dataset`);
      const layers = model.config.num_hidden_layers;
      const specs = f.strategies[0] === 'none' ? f.strategies : ['none', ...f.strategies];
      const variants = specs.map((spec) => ({ name: spec === 'none' ? 'baseline' : spec, strategies: parseStrategies(spec, layers) }));
      const rows = await benchStrategies(model, dataset, questions, variants, { repeats: int('--repeats', f.repeats, 1), onProgress: (w) => process.stderr.write(`${w}\n`) });
      const table = strategyTable(rows);
      if (f.json) process.stdout.write(JSON.stringify(rows, null, 1) + '\n');
      else console.log(markdownTable(table));
      if (f.out) {
        const blocks = [paragraph(`Model ${f.model}, ${layers} decoder layers; ${questions.length} ${f.split} questions.`), heading('Strategies'), tableBlock(table)];
        await writeReport({ title: 'Pathway-guided inference strategies', blocks }, { html: path.join(f.out, 'strategies.html'), markdown: path.join(f.out, 'strategies.md') });
        await writeFileAtomic(path.join(f.out, 'strategies.json'), JSON.stringify(rows, null, 1) + '\n');
      }
    });
}
