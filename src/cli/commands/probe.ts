import type { Command } from 'commander';
import { assertWritableDir } from '../../engine/outputDir.js';
import path from 'node:path';
import { openDataset } from '../../data/dataset.js';
import { SPLITS, type Split } from '../../data/types.js';
import { writeFileAtomic } from '../../engine/atomicWrite.js';
import { TempolabError } from '../../engine/errors.js';
import { provenance } from '../../engine/provenance.js';
import { stratifiedSample } from '../../data/stratify.js';
import { probeReportBlocks, type ProbeRun } from '../../eval/probeReport.js';
import { findings, findingsBlocks } from '../../eval/findings.js';
import { heading, writeReport } from '../../eval/report.js';
import { loadVideoLM } from '../../models/checkpoint.js';
import { EXPERIMENT_NAMES, experiment, type ExperimentName } from '../../probe/experiments.js';
import { experimentQuestions, runExperiment } from '../../probe/runner.js';
import { resolveModelDir } from '../../train/recipes.js';
import { int, oneOf } from '../options.js';
import { progressBar } from '../progress.js';
import { checkVocabulary } from '../vocabulary.js';

interface ProbeFlags { model: string[]; data: string; split: string; limit: string; out: string; k?: string; seed: string; radius: string; json?: boolean; strict?: boolean }

/** Runs experiments on each model and writes probe-report.html / .md and probe-results.json. */
async function probe(names: readonly ExperimentName[], f: ProbeFlags): Promise<void> {
  const split = oneOf('--split', f.split, SPLITS) as Split;
  // Checked up front: the report is written only after every experiment has run.
  await assertWritableDir(f.out);
  const dataset = openDataset(f.data);
  const limit = int('--limit', f.limit, 1);
  const models = await Promise.all(f.model.map(async (dir) => ({ name: path.basename(path.resolve(dir)), model: await loadVideoLM(resolveModelDir(dir)) })));
  for (const { name, model } of models) checkVocabulary(model.tokenizer, dataset.questions(split), f.strict, name);
  const runs: ProbeRun[] = [];
  for (const name of names) {
    const run: ProbeRun = { experiment: { name, figure: '', section: '', title: '' }, models: [] };
    for (const { name: modelName, model } of models) {
      const exp = experiment(name, { numLayers: model.config.num_hidden_layers, numFrames: dataset.manifest.frames / model.config.vision_config.temporal_patch_size }, {
        ...(f.k ? { k: int('--k', f.k, 1) } : {}), seed: int('--seed', f.seed), radius: int('--radius', f.radius),
      });
      run.experiment = exp;
      const questions = stratifiedSample(experimentQuestions(exp, dataset, dataset.questions(split)), limit);
      if (questions.length === 0) {
        const needs = exp.formats === 'all' ? 'questions' : `${exp.formats.join('/')} questions${exp.conditions.some((c) => c.groundTruth === 'reversed') ? ' of clips with a reversed partner' : ''}`;
        throw new TempolabError(`${name} found no ${needs} in the ${split} split of ${f.data}: nothing to probe; pass another --split or dataset`);
      }
      const bar = progressBar(`${name} ${modelName}`, questions.length);
      run.models.push({ model: modelName, rows: await runExperiment(model, dataset, exp, questions, { onProgress: (d) => bar.update(d) }) });
      bar.stop();
    }
    runs.push(run);
  }
  const title = `Causal-pathway probes: ${models.map((m) => m.name).join(', ')}`;
  const found = findings({ probes: runs, seed: int('--seed', f.seed) });
  await writeReport({ title, blocks: [...findingsBlocks(found), heading('Probes'), ...probeReportBlocks(runs)] }, { html: path.join(f.out, 'probe-report.html'), markdown: path.join(f.out, 'probe-report.md') });
  const settings = { experiments: names, models: f.model.map((m) => path.resolve(m)), data: path.resolve(f.data), split, limit, k: f.k ?? null, seed: f.seed, radius: f.radius };
  const json = `${JSON.stringify({ split, limit, provenance: provenance(settings), settings, findings: found.probes, runs }, null, 1)}\n`;
  await writeFileAtomic(path.join(f.out, 'probe-results.json'), json);
  if (f.json) process.stdout.write(json);
  else console.log(`wrote ${path.join(f.out, 'probe-report.html')} (also probe-report.md, probe-results.json)`);
}

export function registerProbe(program: Command): void {
  const probeCmd = program.command('probe').description('the interventions of "Causality Matters" (§4–5): P_C by layer and task format, for one or more models');
  const withFlags = (c: Command) =>
    c
      .requiredOption('--model <dir...>', 'model directories or training runs (several are shown side by side)')
      .requiredOption('--data <dir>', 'dataset directory')
      .option('--split <name>', 'train, val or test', 'test')
      .option('--limit <n>', 'questions per experiment and model, balanced over task format × temporal dimension', '40')
      .option('--out <dir>', 'where probe-report.html, .md and probe-results.json go', '.')
      .option('--k <n>', 'sliding-window size in layers (default max(1, round(5·L/28)))')
      .option('--seed <n>', 'seed of the position shuffle', '0')
      .option('--radius <n>', 'neighbourhood radius of the corresponding-area masks (merged grid cells)', '1')
      .option('--json', 'print probe-results.json\'s content (findings and every row) on stdout')
      .option('--strict', "fail instead of warning when a word-level model's vocabulary lacks words of the questions");
  withFlags(probeCmd.command('run').description(`one experiment: ${EXPERIMENT_NAMES.join(', ')}`).argument('<experiment>', 'experiment name'))
    .action((name: string, f: ProbeFlags) => probe([oneOf('experiment', name, EXPERIMENT_NAMES)], f));
  withFlags(probeCmd.command('all').description('every experiment, one report')).action((f: ProbeFlags) => probe(EXPERIMENT_NAMES, f));
}
