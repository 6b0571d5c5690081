import type { Command } from 'commander';
import path from 'node:path';
import { openDataset } from '../../data/dataset.js';
import { SPLITS, type Split } from '../../data/types.js';
import { answerQuestions } from '../../eval/answer.js';
import { SCORINGS, type Scoring } from '../../eval/candidates.js';
import { evaluate } from '../../eval/metrics.js';
import { writeEvaluationJson } from '../../eval/result.js';
import { evaluationMarkdown } from '../../eval/summary.js';
import { scorePredictions } from '../../eval/score.js';
import { writeFileAtomic } from '../../engine/atomicWrite.js';
import { loadVideoLM } from '../../models/checkpoint.js';
import { parseStrategies, STRATEGY_HELP } from '../../infer/strategies.js';
import { resolveModelDir } from '../../train/recipes.js';
import { int, oneOf } from '../options.js';
import { progressBar } from '../progress.js';
import { checkVocabulary } from '../vocabulary.js';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('answer every question of a split and report accuracy by format and dimension, opposing-pair accuracy and first-token probabilities, with 95% intervals')
    .requiredOption('--model <dir>', 'model directory or training run')
    .requiredOption('--data <dir>', 'dataset directory')
    .option('--split <name>', 'train, val or test', 'test')
    .option('--limit <n>', 'evaluate only the first n questions')
    .option('--batch <n>', 'prompts per prefill batch', '16')
    .option('--out <dir>', 'write results.json and report.md there')
    .option('--strategy <spec>', `pathway-guided inference: ${STRATEGY_HELP}`)
    .option('--scoring <mode>', 'generate: generated answers read by rule; likelihood: multi_choice, yes_no and caption_matching answered by the most likely full answer (lmms-eval loglikelihood), captioning still generated', 'generate')
    .option('--strict', "fail instead of warning when a word-level model's vocabulary lacks words of the questions")
    .action(async (f: { model: string; data: string; split: string; limit?: string; batch: string; out?: string; strategy?: string; scoring: string; strict?: boolean }) => {
      const scoring = oneOf('--scoring', f.scoring, SCORINGS) as Scoring;
      const split = oneOf('--split', f.split, SPLITS) as Split;
      const model = await loadVideoLM(resolveModelDir(f.model));
      for (const line of model.loadLog) process.stderr.write(`load: ${line}\n`);
      const dataset = openDataset(f.data);
      let questions = dataset.questions(split);
      if (f.limit) questions = questions.slice(0, int('--limit', f.limit, 1));
      checkVocabulary(model.tokenizer, questions, f.strict, path.basename(path.resolve(f.model)));
      const bar = progressBar('eval', questions.length);
      const strategies = f.strategy ? parseStrategies(f.strategy, model.config.num_hidden_layers) : undefined;
      const predictions = await answerQuestions(model, dataset, questions, { batchSize: int('--batch', f.batch, 1), onProgress: (d) => bar.update(d), scoring, ...(strategies ? { strategies } : {}) });
      bar.stop();
      const result = evaluate(scorePredictions(questions, predictions), { model: path.basename(path.resolve(f.model)), split });
      const markdown = evaluationMarkdown(result);
      if (f.out) {
        await writeEvaluationJson(path.join(f.out, 'results.json'), result);
        await writeFileAtomic(path.join(f.out, 'report.md'), markdown);
        await writeFileAtomic(path.join(f.out, 'predictions.jsonl'), predictions.map((p) => JSON.stringify(p)).join('\n') + '\n');
      }
      console.log(markdown);
    });
}
