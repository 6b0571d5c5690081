/**
 * The main job, end to end on the built-in default: make the synthetic temporal benchmark, pretrain a
 * base VideoLM, fine-tune STAVE (STA, stage 1 + 2) and the control (same stages, no STA) from it,
 * evaluate all three on the test split, and write report.html, report.md and results.json.
 * `quick` shrinks every size; the code path is the same.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { openDataset } from '../data/dataset.js';
import { renderContactSheet } from '../data/preview.js';
import { synthesizeDataset } from '../data/synth.js';
import type { Question } from '../data/types.js';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import type { PresetName } from '../models/config.js';
import { DEFAULT_COMMON, train, type BaseSettings, type FineTuneSettings, type FineTuneStages } from '../train/recipes.js';
import type { StepProgress } from '../train/trainer.js';
import { answerQuestions } from './answer.js';
import { compareOnDimensions } from './compare.js';
import { evaluate } from './metrics.js';
import { heading, imageBlock, paragraph, svgBlock, tableBlock, writeReport, type ReportBlock } from './report.js';
import type { EvaluationResult } from './result.js';
import { scorePredictions, type Prediction } from './score.js';
import { comparisonBlocks } from './summary.js';
import { probeReportBlocks, type ProbeRun } from './probeReport.js';
import { findings, findingsBlocks } from './findings.js';
import { stratifiedSample } from '../data/stratify.js';
import { provenance } from '../engine/provenance.js';
import { EXPERIMENT_NAMES, experiment } from '../probe/experiments.js';
import { experimentQuestions, runExperiment } from '../probe/runner.js';
import { lineChart } from './svg.js';
import { markdownTable } from './markdown.js';
import { comparisonTable } from './tables.js';

export interface DemoSettings extends FineTuneStages {
  seed: number;
  clips: { train: number; val: number; test: number };
  preset: PresetName;
  batchSize: number;
  baseSteps: number;
  baseLr: number;
  /** Questions per probe experiment and model (the report's probes section). */
  probeQuestions: number;
}

export const DEMO_DEFAULT: DemoSettings = {
  seed: 0, clips: { train: 2000, val: 100, test: 400 }, preset: 'small', batchSize: 16,
  baseSteps: 2000, baseLr: 3e-3, stage1Steps: 200, stage2Steps: 200, stage1Lr: 2e-3, stage2Lr: 1e-3, loraRank: 8, loraAlpha: 16, probeQuestions: 24,
};

export const DEMO_QUICK: DemoSettings = {
  seed: 0, clips: { train: 40, val: 4, test: 24 }, preset: 'tiny', batchSize: 8,
  baseSteps: 150, baseLr: 5e-3, stage1Steps: 10, stage2Steps: 10, stage1Lr: 3e-3, stage2Lr: 2e-3, loraRank: 4, loraAlpha: 8, probeQuestions: 3,
};

export type DemoPhase = 'data' | 'base' | 'stave' | 'control' | 'eval' | 'probes' | 'report';

export interface DemoHooks {
  onPhase?: (phase: DemoPhase, detail: string) => void;
  onTrainStep?: (run: string, p: StepProgress) => void;
  onEvalProgress?: (model: string, done: number, total: number) => void;
  shouldStop?: () => boolean;
}

export interface DemoResult {
  dir: string;
  results: EvaluationResult[];
  seconds: Record<DemoPhase, number>;
  summary: string;
}

const MODELS = ['base', 'control', 'stave'] as const;
const FOCUS = ['direction', 'order', 'attribute_change'] as const;

async function lossCurve(runDir: string, offset: number): Promise<{ x: number; y: number }[]> {
  const lines = (await fs.readFile(path.join(runDir, 'log.jsonl'), 'utf8')).trim().split('\n');
  return lines.map((l) => JSON.parse(l) as { globalStep: number; loss: number }).map((r) => ({ x: offset + r.globalStep, y: r.loss }));
}

/** A moving average, so the curves show the trend rather than batch noise. */
function smooth(points: { x: number; y: number }[], window: number): { x: number; y: number }[] {
  return points.map((p, i) => {
    const part = points.slice(Math.max(0, i - window + 1), i + 1);
    return { x: p.x, y: part.reduce((s, q) => s + q.y, 0) / part.length };
  });
}

export async function runDemo(dir: string, s: DemoSettings, hooks: DemoHooks = {}): Promise<DemoResult> {
  const seconds = {} as Record<DemoPhase, number>;
  const phase = async <T>(name: DemoPhase, detail: string, work: () => Promise<T>): Promise<T> => {
    hooks.onPhase?.(name, detail);
    const t0 = Date.now();
    const out = await work();
    seconds[name] = (seconds[name] ?? 0) + (Date.now() - t0) / 1000;
    return out;
  };
  const dataDir = path.join(dir, 'data');
  await phase('data', `${s.clips.train}/${s.clips.val}/${s.clips.test} clips`, () => synthesizeDataset(dataDir, { ...s.clips, seed: s.seed }));

  const common = { data: dataDir, seed: s.seed, batchSize: s.batchSize, checkpointEvery: DEFAULT_COMMON.checkpointEvery, weightDecay: DEFAULT_COMMON.weightDecay, maxGradNorm: DEFAULT_COMMON.maxGradNorm };
  const runs = Object.fromEntries(MODELS.map((m) => [m, path.join(dir, m)])) as Record<(typeof MODELS)[number], string>;
  const trainRun = async (name: string, settings: BaseSettings | FineTuneSettings) => {
    const result = await train(settings, { onStep: (p) => hooks.onTrainStep?.(name, p), shouldStop: hooks.shouldStop });
    if (result.interrupted) throw new Error(`demo interrupted during ${name}`);
    return result.model;
  };
  const models = {
    base: await phase('base', `${s.preset} preset, ${s.baseSteps} steps`, () =>
      trainRun('base', { kind: 'base', ...common, out: runs.base, preset: s.preset, steps: s.baseSteps, lr: s.baseLr, warmupSteps: Math.max(1, Math.round(s.baseSteps * 0.05)) })),
  } as Record<(typeof MODELS)[number], Awaited<ReturnType<typeof trainRun>>>;
  const stages: FineTuneStages = { stage1Steps: s.stage1Steps, stage2Steps: s.stage2Steps, stage1Lr: s.stage1Lr, stage2Lr: s.stage2Lr, loraRank: s.loraRank, loraAlpha: s.loraAlpha };
  const fineTune = (kind: 'stave' | 'control'): FineTuneSettings => ({ kind, ...common, ...stages, out: runs[kind], from: runs.base });
  models.stave = await phase('stave', `STA + stage 1 (${s.stage1Steps}) + stage 2 (${s.stage2Steps})`, () => trainRun('stave', fineTune('stave')));
  models.control = await phase('control', `stage 1 (${s.stage1Steps}) + stage 2 (${s.stage2Steps}), no STA`, () => trainRun('control', fineTune('control')));

  const dataset = openDataset(dataDir);
  const questions = dataset.questions('test');
  const predictions: Record<string, Prediction[]> = {};
  const results: EvaluationResult[] = [];
  for (const name of MODELS) {
    await phase('eval', `${name} on ${questions.length} test questions`, async () => {
      predictions[name] = await answerQuestions(models[name], dataset, questions, { onProgress: (d, t) => hooks.onEvalProgress?.(name, d, t) });
      results.push(evaluate(scorePredictions(questions, predictions[name]!), { model: name, split: 'test', seed: s.seed }));
    });
  }

  const probeRuns: ProbeRun[] = [];
  await phase('probes', `${EXPERIMENT_NAMES.length} experiments × ${MODELS.length} models, ${s.probeQuestions} questions each`, async () => {
    for (const name of EXPERIMENT_NAMES) {
      const run: ProbeRun = { experiment: { name, figure: '', section: '', title: '' }, models: [] };
      for (const modelName of MODELS) {
        const model = models[modelName];
        const exp = experiment(name, { numLayers: model.config.num_hidden_layers, numFrames: dataset.manifest.frames / model.config.vision_config.temporal_patch_size });
        run.experiment = exp;
        run.models.push({ model: modelName, rows: await runExperiment(model, dataset, exp, stratifiedSample(experimentQuestions(exp, dataset, questions), s.probeQuestions)) });
      }
      probeRuns.push(run);
    }
  });

  const summary = markdownTable(comparisonTable(results));
  await phase('report', dir, async () => {
    const curves = [
      { name: 'base', points: smooth(await lossCurve(runs.base, 0), 20) },
      { name: 'control', dashed: true, points: smooth(await lossCurve(runs.control, s.baseSteps), 10) },
      { name: 'stave', points: smooth(await lossCurve(runs.stave, s.baseSteps), 10) },
    ];
    const verdicts = compareOnDimensions(results.find((r) => r.model === 'stave')!, results.find((r) => r.model === 'control')!);
    const shown = examplePairs(questions, 2);
    const sheet = await renderContactSheet(dataset, { ids: shown.map((q) => q.id), format: 'multi_choice' });
    const answerRows = shown.map((q) => [q.id, q.answer, ...MODELS.map((m) => predictions[m]!.find((p) => p.questionId === q.id)?.prediction ?? '')]);
    const blocks: ReportBlock[] = [
      ...findingsBlocks(findings({ results, answers: Object.fromEntries(MODELS.map((m) => [m, scorePredictions(questions, predictions[m]!)])), questions, probes: probeRuns, seed: s.seed })),
      heading('Setup'),
      paragraph(
        `Synthetic temporal benchmark: ${s.clips.train} training clips, ${s.clips.test} test clips (8 frames of 32×32, opposing pairs). ` +
          `Base: ${s.preset} preset, ${s.baseSteps} steps. STAVE and control: ${s.stage1Steps} + ${s.stage2Steps} steps from the base (LoRA rank ${s.loraRank}). ` +
          `Wall time: ${Object.entries(seconds).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}.`,
      ),
      heading('Training'),
      svgBlock(lineChart({ title: 'Training loss (moving average)', xLabel: 'step', yLabel: 'loss', series: curves }), 'STAVE and control continue from the base model’s last step.'),
      ...comparisonBlocks(results, { challenger: 'stave', baseline: 'control' }),
      heading('Does STAVE beat the control beyond the intervals?'),
      tableBlock({
        header: ['dimension', 'STAVE', 'control', 'STAVE beats control beyond the 95% intervals'],
        rows: verdicts.filter((v) => (FOCUS as readonly string[]).includes(v.dimension)).map((v) => [v.dimension, pct(v.x.mean), pct(v.y.mean), v.beats ? 'yes' : 'no']),
      }),
      heading('Example test clips'),
      imageBlock(sheet, 'contact sheet of example test clips'),
      tableBlock({ header: ['question', 'ground truth', ...MODELS], rows: answerRows }),
      heading('Causal-pathway probes (Causality Matters §4–5)'),
      ...probeReportBlocks(probeRuns),
    ];
    await writeReport({ title: 'tempolab demo: STAVE vs control on the synthetic temporal benchmark', blocks }, { html: path.join(dir, 'report.html'), markdown: path.join(dir, 'report.md') });
    for (const m of MODELS) await writeFileAtomic(path.join(dir, 'predictions', `${m}.jsonl`), predictions[m]!.map((p) => JSON.stringify(p)).join('\n') + '\n');
    await writeFileAtomic(path.join(dir, 'results.json'), JSON.stringify({ provenance: provenance(s), settings: s, seconds, results, verdicts, probes: probeRuns }, null, 1) + '\n');
  });
  return { dir, results, seconds, summary };
}

const pct = (x: number | null) => (x === null ? '—' : (100 * x).toFixed(1));

/** The multiple-choice questions of the first `n` opposing clip pairs of the test split. */
function examplePairs(questions: readonly Question[], n: number): Question[] {
  const picked: Question[] = [];
  for (const q of questions) {
    if (picked.length >= 2 * n) break;
    if (q.format !== 'multi_choice' || !q.partnerId || picked.some((p) => p.id === q.id)) continue;
    const partner = questions.find((p) => p.id === q.partnerId);
    if (partner) picked.push(q, partner);
  }
  return picked;
}
