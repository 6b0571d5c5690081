import type { Command } from 'commander';
import { promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { openDataset } from '../../data/dataset.js';
import { SPLITS, type Split } from '../../data/types.js';
import { answerQuestions } from '../../eval/answer.js';
import { SCORINGS, type Scoring } from '../../eval/candidates.js';
import { evaluate } from '../../eval/metrics.js';
import { evaluationMarkdown } from '../../eval/summary.js';
import { scorePredictions } from '../../eval/score.js';
import { writeDirAtomic } from '../../engine/atomicWrite.js';
import { guardOutputDir } from '../../engine/outputDir.js';
import { TempolabError } from '../../engine/errors.js';
import { provenance } from '../../engine/provenance.js';
import { stratifiedSample } from '../../data/stratify.js';
import { loadVideoLM } from '../../models/checkpoint.js';
import { parseStrategies, STRATEGY_HELP } from '../../infer/strategies.js';
import { resolveModelDir } from '../../train/recipes.js';
import { int, oneOf } from '../options.js';
import { progressBar } from '../progress.js';
import { checkVocabulary } from '../vocabulary.js';

const EVALUATION_FILES = new Set(['results.json', 'report.md', 'predictions.jsonl']);

/** A directory holding only what `eval --out` writes: an earlier evaluation, which eval may replace. */
function isEvaluationDir(dir: string): boolean {
  return readdirSync(dir).every((name) => EVALUATION_FILES.has(name));
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('answer every question of a split and report accuracy by format and dimension, opposing-pair accuracy, first-token probabilities and the caption subject slot, with 95% intervals')
    .requiredOption('--model <dir>', 'model directory or training run')
    .requiredOption('--data <dir>', 'dataset directory')
    .option('--split <name>', 'train, val or test', 'test')
    .option('--limit <n>', 'evaluate n questions, balanced over task format × temporal dimension')
    .option('--batch <n>', 'prompts per prefill batch', '16')
    .option('--out <dir>', 'write results.json, report.md and predictions.jsonl there (an earlier evaluation there is replaced)')
    .option('--overwrite', 'replace --out even when it holds other files')
    .option('--strategy <spec>', `pathway-guided inference: ${STRATEGY_HELP}`)
    .option('--json', 'print the results (results.json\'s content) as JSON on stdout instead of the Markdown summary')
    .option('--scoring <mode>', 'generate: generated answers read by rule; likelihood: multi_choice, yes_no and caption_matching answered by the most likely full answer (lmms-eval loglikelihood), captioning still generated', 'generate')
    .option('--strict', "fail instead of warning when a word-level model's vocabulary lacks words of the questions")
    .action(async (f: { model: string; data: string; split: string; limit?: string; batch: string; out?: string; overwrite?: boolean; strategy?: string; json?: boolean; scoring: string; strict?: boolean }) => {
      const scoring = oneOf('--scoring', f.scoring, SCORINGS) as Scoring;
      const split = oneOf('--split', f.split, SPLITS) as Split;
      const outputPolicy = { owned: isEvaluationDir, overwrite: f.overwrite, what: 'an evaluation (results.json, report.md, predictions.jsonl)' };
      // Checked before the model loads, so a wrong --out fails in a second, not after the evaluation.
      if (f.out) await guardOutputDir(path.resolve(f.out), outputPolicy);
      const model = await loadVideoLM(resolveModelDir(f.model));
      for (const line of model.loadLog) process.stderr.write(`load: ${line}\n`);
      const dataset = openDataset(f.data);
      let questions = dataset.questions(split);
      if (f.limit) questions = stratifiedSample(questions, int('--limit', f.limit, 1));
      if (questions.length === 0) throw new TempolabError(`the ${split} split of ${f.data} has no questions: nothing to evaluate; pass another --split or a dataset with ${split} questions`);
      checkVocabulary(model.tokenizer, questions, f.strict, path.basename(path.resolve(f.model)));
      const bar = progressBar('eval', questions.length);
      const strategies = f.strategy ? parseStrategies(f.strategy, model.config.num_hidden_layers) : undefined;
      const predictions = await answerQuestions(model, dataset, questions, { batchSize: int('--batch', f.batch, 1), onProgress: (d) => bar.update(d), scoring, ...(strategies ? { strategies } : {}) });
      bar.stop();
      const result = evaluate(scorePredictions(questions, predictions), { model: path.basename(path.resolve(f.model)), split });
      const markdown = evaluationMarkdown(result);
      const settings = { model: path.resolve(f.model), data: path.resolve(f.data), split, limit: f.limit ?? null, batch: f.batch, strategy: f.strategy ?? null };
      const json = `${JSON.stringify({ ...result, provenance: provenance(settings), settings }, null, 2)}\n`;
      if (f.out) {
        await writeDirAtomic(f.out, async (tmp) => {
          await fs.writeFile(path.join(tmp, 'results.json'), json);
          await fs.writeFile(path.join(tmp, 'report.md'), markdown);
          await fs.writeFile(path.join(tmp, 'predictions.jsonl'), predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
        }, outputPolicy);
      }
      process.stdout.write(f.json ? json : `${markdown}\n`);
    });
}
