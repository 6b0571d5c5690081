/**
 * The main job, end to end on the built-in default: make the synthetic temporal benchmark, take the
 * base VideoLM built in stages (vision → language → align → instruct, with diagnostics of the visual
 * pathway after each; the shipped one when it was trained on this data, else trained here),
 * take STAVE (STA, stage 1 + symmetry-breaking phase + stage 2) and the control (same stages, no
 * STA) fine-tuned from it (the shipped runs when they are exactly the demo's, else trained here),
 * run the vision-only STA check (ViT ± STA + linear head), evaluate the three VideoLMs on the
 * test split — their generated answers, and again the option each finds most likely (what it knows
 * beside what it says) — , probe them, and write report.html, report.md and results.json. `quick` shrinks every
 * size; the code path is the same. With `seeds` > 1, STAVE and control are retrained with further
 * seeds (from the same finished base when the demo starts from one, else each seed trains its own
 * base too) and the STAVE − control difference is reported over seeds too.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { openDataset, type Dataset } from '../data/dataset.js';
import { renderContactSheet } from '../data/preview.js';
import { synthesizeDataset } from '../data/synth.js';
import { DIMENSIONS, TEMPORAL_DIMENSIONS, type Question } from '../data/types.js';
import { DEFAULT_VIDEO_SET, makeVideoSet, type VideoSetSettings } from '../data/videoSet.js';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { loadVideoLM } from '../models/checkpoint.js';
import type { PresetName } from '../models/config.js';
import type { VideoLM } from '../models/videoLM.js';
import { evaluateClassifier, loadClassifierRun, type ClassifierResult } from '../train/classifier.js';
import {
  DEFAULT_BASE_STAGES,
  coversEveryDimension,
  DEFAULT_COMMON,
  DEFAULT_STA,
  pipelineStage,
  PRETRAINING_STAGES,
  resolveModelDir,
  train,
  writeRunDataset,
  type BaseSettings,
  type ClassifySettings,
  type FineTuneSettings,
  type FineTuneStages,
  type InstructTrainable,
  type PretrainingStage,
  type StageSchedule,
} from '../train/recipes.js';
import { checkpointDir } from '../train/trainer.js';
import { pretrainedBaseFor, readFinishedBase, readPretrainedBase, SHIPPED_BASE } from '../train/pretrainedBase.js';
import { classifierRun, FINE_TUNE_KINDS, pretrainedRunsFor, SHIPPED_FINE_TUNES, type FineTuneKind } from '../train/pretrainedFineTunes.js';
import type { StepProgress } from '../train/trainer.js';
import { answerQuestions } from './answer.js';
import { compareOnDimensions, type DimensionVerdict } from './compare.js';
import { embeddingDiagnostics, type EmbeddingDiagnostics } from './diagnostics.js';
import { visionHeadAccuracy, type VisionHeadAccuracy } from './visionHeads.js';
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
import { comparisonTable, verdictTable, type Table } from './tables.js';
import { armsBeatingControl, readStaSweep, staSweepTable, type StaSweep } from './staSweep.js';

export interface DemoSettings extends FineTuneStages {
  seed: number;
  clips: { train: number; val: number; test: number };
  preset: PresetName;
  baseStages: Record<PretrainingStage, StageSchedule>;
  instructTrainable: InstructTrainable;
  /** Batch of STAVE and control fine-tuning. */
  batchSize: number;
  /** The vision-only check: steps, learning rate and batch of each arm. */
  classify: { steps: number; lr: number; batchSize: number };
  /** Questions per probe experiment and model (the report's probes section). */
  probeQuestions: number;
  /** Clips for the linear probes of the diagnostics (fit on train, scored on test). */
  diagnosticClips: number;
  /** Training seeds (1 = the main run only). */
  seeds: number;
  /** The encoded-video test set the three models are also evaluated on (`data video-set`). */
  videoSet: VideoSetSettings;
  /**
   * Where the main seed's base comes from: trained here in four stages ('train'), the base shipped
   * in pretrained/base-small when it was trained on this data, else trained here ('shipped'), or a
   * finished `train base` run on this data ({ run }). Further seeds fine-tune from the same finished
   * base (as labs fine-tune one released checkpoint), or train their own where the demo trains one.
   */
  base: 'train' | 'shipped' | { run: string };
  /**
   * Where the main seed's STAVE and control, and the vision-only check's two arms, come from: the
   * shipped pretrained/fine-tunes-small runs when the base is the shipped one and they are exactly the
   * runs these settings would train on this data, else trained here ('shipped'); or always trained
   * here ('train'). Further seeds train.
   */
  fineTunes: 'train' | 'shipped';
}

export const DEMO_DEFAULT: DemoSettings = {
  seed: 0,
  clips: { train: 20000, val: 100, test: 400 },
  preset: 'small',
  baseStages: DEFAULT_BASE_STAGES,
  instructTrainable: 'decoder',
  batchSize: 32,
  stage1Steps: 100, symmetrySteps: 3000, stage2Steps: 1500, stage1Lr: 2e-3, stage2Lr: 2e-3, loraRank: 8, loraAlpha: 16, balanceDimensions: true, stage2Merger: true,
  classify: { steps: 1500, lr: 2e-3, batchSize: 16 },
  probeQuestions: 24,
  diagnosticClips: 400,
  seeds: 1,
  videoSet: DEFAULT_VIDEO_SET,
  base: 'shipped',
  fineTunes: 'shipped',
};

export const DEMO_QUICK: DemoSettings = {
  seed: 0,
  clips: { train: 40, val: 4, test: 24 },
  preset: 'tiny',
  baseStages: {
    vision: { steps: 20, lr: 3e-3, batchSize: 4 },
    language: { steps: 20, lr: 5e-3, batchSize: 8 },
    align: { steps: 10, lr: 3e-3, batchSize: 8 },
    instruct: { steps: 40, lr: 3e-3, batchSize: 8 },
  },
  instructTrainable: 'decoder',
  batchSize: 8,
  stage1Steps: 10, symmetrySteps: 10, stage2Steps: 10, stage1Lr: 3e-3, stage2Lr: 2e-3, loraRank: 4, loraAlpha: 8, balanceDimensions: true, stage2Merger: true,
  classify: { steps: 10, lr: 3e-3, batchSize: 8 },
  probeQuestions: 3,
  diagnosticClips: 24,
  seeds: 1,
  videoSet: { ...DEFAULT_VIDEO_SET, clips: 8 },
  base: 'train',
  fineTunes: 'train',
};

export type DemoPhase = 'data' | 'base' | PretrainingStage | 'diagnostics' | 'stave' | 'control' | 'classify' | 'eval' | 'likelihood' | 'video' | 'probes' | 'seeds' | 'report';

export interface DemoHooks {
  onPhase?: (phase: DemoPhase, detail: string) => void;
  onTrainStep?: (run: string, p: StepProgress) => void;
  onEvalProgress?: (model: string, done: number, total: number) => void;
  shouldStop?: () => boolean;
}

export interface SeedRow {
  seed: number;
  stave: { accuracy: number; pairs: number };
  control: { accuracy: number; pairs: number };
}

export interface DemoResult {
  dir: string;
  results: EvaluationResult[];
  /**
   * The same test questions answered by the option each model finds most likely (lmms-eval's
   * loglikelihood mode; captioning is still generated): what a model knows even where its generated
   * answer does not bind it to the option's letter.
   */
  likelihoodResults: EvaluationResult[];
  /** The three models on the encoded-video set. */
  videoResults: EvaluationResult[];
  classifier: ClassifierResult[];
  diagnostics: { stage: string; diagnostics: EmbeddingDiagnostics }[];
  /** The vision stage's own dense heads on test clips: what the pretrained ViT sees, patch by patch. */
  visionHeads: VisionHeadAccuracy;
  seeds: SeedRow[];
  seconds: Partial<Record<DemoPhase, number>>;
  summary: string;
}

const MODELS = ['base', 'control', 'stave'] as const;
type ModelName = (typeof MODELS)[number];

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

/** Mean with a Student-t 95% interval, for a handful of seeds. */
export function seedInterval(values: readonly number[]): { mean: number; low: number; high: number; n: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, low: NaN, high: NaN, n };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const t = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262][n - 2] ?? 2.0;
  return { mean, low: mean - (t * sd) / Math.sqrt(n), high: mean + (t * sd) / Math.sqrt(n), n };
}

interface TrainedModels {
  models: Record<ModelName, VideoLM>;
  runs: Record<ModelName, string>;
  /** How the base was made (its own run.json's settings when it was pretrained elsewhere). */
  baseSettings: BaseSettings;
  /** Whether the base came finished (pretrained/base-small or --base) rather than trained in this run. */
  pretrained: boolean;
  /** Whether STAVE and control are the shipped pretrained/fine-tunes-small runs. */
  shippedFineTunes: boolean;
}

export async function runDemo(dir: string, s: DemoSettings, hooks: DemoHooks = {}): Promise<DemoResult> {
  const seconds: Partial<Record<DemoPhase, number>> = {};
  const phase = async <T>(name: DemoPhase, detail: string, work: () => Promise<T>): Promise<T> => {
    hooks.onPhase?.(name, detail);
    const t0 = Date.now();
    const out = await work();
    seconds[name] = (seconds[name] ?? 0) + (Date.now() - t0) / 1000;
    return out;
  };
  // A given base is checked before anything is made; that it fits the data is checked once the data exists.
  if (typeof s.base === 'object') readFinishedBase(s.base.run);
  const dataDir = path.join(dir, 'data');
  await phase('data', `${s.clips.train}/${s.clips.val}/${s.clips.test} clips`, () => synthesizeDataset(dataDir, { ...s.clips, seed: s.seed }));
  const dataset = openDataset(dataDir);

  const trainModels = async (seed: number, root: string, timed: boolean): Promise<TrainedModels> => {
    const common = { data: dataDir, seed, checkpointEvery: DEFAULT_COMMON.checkpointEvery, weightDecay: DEFAULT_COMMON.weightDecay, maxGradNorm: DEFAULT_COMMON.maxGradNorm };
    const runs = Object.fromEntries(MODELS.map((m) => [m, path.join(root, m)])) as Record<ModelName, string>;
    const run = async (name: string, settings: Parameters<typeof train>[0]) => {
      const result = await train(settings, { onStep: (p) => hooks.onTrainStep?.(name, p), shouldStop: hooks.shouldStop });
      if (result.interrupted) throw new Error(`demo interrupted during ${name}`);
      return result.model;
    };
    const timedPhase = <T>(name: DemoPhase, detail: string, work: () => Promise<T>) => (timed ? phase(name, detail, work) : work());
    let base: VideoLM | undefined;
    let baseSettings: BaseSettings;
    const pretrained = pretrainedBase(s.base, dataset);
    if (pretrained) {
      baseSettings = pretrained.settings;
      runs.base = pretrained.run;
      base = await timedPhase('base', `pretrained base ${pretrained.run} (${pipelineSteps(baseSettings.stages)})`, () => loadVideoLM(resolveModelDir(pretrained.run)));
    } else {
      // The stages run one by one so each is its own phase; `train base` would run the same four in order.
      baseSettings = { kind: 'base' as const, ...common, out: runs.base, preset: s.preset, stages: s.baseStages, instructTrainable: s.instructTrainable };
      await writeFileAtomic(path.join(runs.base, 'run.json'), JSON.stringify(baseSettings, null, 2) + '\n');
      await writeRunDataset(runs.base, dataset);
      for (const stage of PRETRAINING_STAGES) {
        base = await timedPhase(stage, `${s.preset} preset, ${stageSteps(s.baseStages[stage])}`, () => run(stage, pipelineStage(baseSettings, stage)));
      }
    }
    const fineTune = (kind: FineTuneKind) => demoFineTune(s, kind, seed, { data: dataDir, out: runs[kind], from: runs.base });
    const shipped = s.fineTunes === 'shipped' && pretrained?.run === SHIPPED_BASE && seed === s.seed
      ? await pretrainedRunsFor(SHIPPED_FINE_TUNES, dataset, { stave: fineTune('stave'), control: fineTune('control') })
      : null;
    const models = {} as Record<FineTuneKind, VideoLM>;
    for (const kind of FINE_TUNE_KINDS) {
      const recipe = `${kind === 'stave' ? 'STA + ' : ''}${fineTuneSteps(s)}`;
      if (shipped && 'runs' in shipped) {
        runs[kind] = shipped.runs[kind];
        models[kind] = await timedPhase(kind, `shipped ${shipped.runs[kind]} (${recipe})`, () => loadVideoLM(resolveModelDir(shipped.runs[kind])));
      } else {
        const unused = shipped ? `; the shipped fine-tunes are not used: ${shipped.reason}` : '';
        models[kind] = await timedPhase(kind, `${recipe}${kind === 'control' ? ', no STA' : ''}${unused}`, () => run(kind, fineTune(kind)));
      }
    }
    return { models: { base: base!, ...models }, runs, baseSettings, pretrained: pretrained !== null, shippedFineTunes: shipped !== null && 'runs' in shipped };
  };

  const main = await trainModels(s.seed, dir, true);
  // Read now, so a sweep of other weights is refused before the evaluation phases, not after them.
  const staSweep = readStaSweep(main.runs.base);

  const { rows: diagnostics, visionHeads } = await phase('diagnostics', `the visual pathway after each stage (${s.diagnosticClips} clips)`, async () => {
    const rows: { stage: string; diagnostics: EmbeddingDiagnostics }[] = [];
    for (const stage of PRETRAINING_STAGES) {
      const model = await loadVideoLM(checkpointDir(path.join(main.runs.base, stage)));
      rows.push({ stage, diagnostics: await embeddingDiagnostics(model, dataset, { fitClips: s.diagnosticClips, scoreClips: s.diagnosticClips }) });
    }
    rows.push({ stage: 'stave', diagnostics: await embeddingDiagnostics(main.models.stave, dataset, { fitClips: s.diagnosticClips, scoreClips: s.diagnosticClips }) });
    return { rows, visionHeads: await visionHeadAccuracy(checkpointDir(path.join(main.runs.base, 'vision')), dataset, { split: 'test', clips: s.diagnosticClips }) };
  });

  const classifySettings = (sta: boolean) => demoClassify(s, sta, s.seed, { data: dataDir, out: path.join(dir, classifierRun(sta)), from: path.join(main.runs.base, 'vision') });
  // The shipped arms stand in where the shipped fine-tunes may: from the shipped base, and exactly their recipes.
  const shippedClassifiers = s.fineTunes === 'shipped' && main.runs.base === SHIPPED_BASE
    ? await pretrainedRunsFor(SHIPPED_FINE_TUNES, dataset, { 'classify-no-sta': classifySettings(false), 'classify-sta': classifySettings(true) })
    : null;
  const shippedArms = shippedClassifiers && 'runs' in shippedClassifiers ? shippedClassifiers.runs : null;
  const classifyRecipe = `ViT ± STA + linear head over 26 outcomes, ${s.classify.steps} steps each`;
  const classifyDetail = shippedArms ? `shipped ${path.join(SHIPPED_FINE_TUNES, 'classify-{no-sta,sta}')} (${classifyRecipe})` : `${classifyRecipe}${shippedClassifiers && 'reason' in shippedClassifiers ? `; the shipped classifiers are not used: ${shippedClassifiers.reason}` : ''}`;
  const classifier = await phase('classify', classifyDetail, async () => {
    const results: ClassifierResult[] = [];
    for (const sta of [false, true]) {
      let model: VideoLM;
      if (shippedArms) model = (await loadClassifierRun(shippedArms[classifierRun(sta)])).model;
      else {
        const result = await train(classifySettings(sta), { onStep: (p) => hooks.onTrainStep?.(sta ? 'classify (STA)' : 'classify (no STA)', p), shouldStop: hooks.shouldStop });
        if (result.interrupted) throw new Error('demo interrupted during classify');
        model = result.model;
      }
      results.push(await evaluateClassifier(model, dataset, 'test', { name: sta ? 'ViT + STA' : 'ViT', sta, seed: s.seed }));
    }
    return results;
  });

  const questions = dataset.questions('test');
  const predictions: Record<string, Prediction[]> = {};
  const evaluateModels = async (trained: TrainedModels, seed: number, label: string, on: Dataset = dataset, names: readonly ModelName[] = MODELS) => {
    const results: EvaluationResult[] = [];
    const asked = on.questions('test');
    for (const name of names) {
      const preds = await answerQuestions(trained.models[name], on, asked, { onProgress: (d, t) => hooks.onEvalProgress?.(`${name}${label}`, d, t) });
      if (on === dataset && !label) predictions[name] = preds;
      results.push(evaluate(scorePredictions(asked, preds), { model: name, split: 'test', seed }));
    }
    return results;
  };
  const results = await phase('eval', `3 models on ${questions.length} test questions`, () => evaluateModels(main, s.seed, ''));
  // Captions have no closed set, so likelihood scoring would generate them again: the eval phase's captions stand in.
  const closedQuestions = questions.filter((q) => q.format !== 'captioning');
  const closedIds = new Set(closedQuestions.map((q) => q.id));
  const likelihoodResults = await phase('likelihood', `3 models on the same questions, each closed question answered by its most likely option`, async () => {
    const out: EvaluationResult[] = [];
    for (const name of MODELS) {
      const closed = await answerQuestions(main.models[name], dataset, closedQuestions, { scoring: 'likelihood', onProgress: (d, t) => hooks.onEvalProgress?.(`${name} (likelihood)`, d, t) });
      const captions = predictions[name]!.filter((p) => !closedIds.has(p.questionId));
      out.push(evaluate(scorePredictions(questions, [...closed, ...captions]), { model: name, split: 'test', seed: s.seed }));
    }
    return out;
  });
  const v = s.videoSet;
  const videoResults = await phase('video', `${v.clips} clips drawn at ${v.render.size}×${v.render.size}, ${v.render.frames} frames, H.264 by ffmpeg, imported at ${v.import.frames} × ${v.import.size}×${v.import.size}`, async () =>
    evaluateModels(main, s.seed, ' (encoded video)', openDataset(await makeVideoSet(path.join(dir, 'video-set'), v))));

  const seedRows: SeedRow[] = [seedRow(s.seed, results)];
  if (s.seeds > 1) {
    await phase('seeds', `${s.seeds - 1} more training seeds (${main.pretrained ? 'STAVE and control from the same base' : 'base, STAVE, control'})`, async () => {
      for (let k = 1; k < s.seeds; k++) {
        const trained = await trainModels(s.seed + k, path.join(dir, `seed-${s.seed + k}`), false);
        seedRows.push(seedRow(s.seed + k, await evaluateModels(trained, s.seed + k, ` (seed ${s.seed + k})`, dataset, ['stave', 'control'])));
      }
    });
  }

  const probeRuns: ProbeRun[] = [];
  await phase('probes', `${EXPERIMENT_NAMES.length} experiments × ${MODELS.length} models, ${s.probeQuestions} questions each`, async () => {
    for (const name of EXPERIMENT_NAMES) {
      const run: ProbeRun = { experiment: { name, figure: '', section: '', title: '' }, models: [] };
      for (const modelName of MODELS) {
        const model = main.models[modelName];
        const exp = experiment(name, { numLayers: model.config.num_hidden_layers, numFrames: dataset.manifest.frames / model.config.vision_config.temporal_patch_size });
        run.experiment = exp;
        run.models.push({ model: modelName, rows: await runExperiment(model, dataset, exp, stratifiedSample(experimentQuestions(exp, dataset, questions), s.probeQuestions)) });
      }
      probeRuns.push(run);
    }
  });

  const summary = markdownTable(comparisonTable(results));
  const verdicts = compareOnDimensions(results.find((r) => r.model === 'stave')!, results.find((r) => r.model === 'control')!, { measure: 'pairs' });
  await phase('report', dir, async () => {
    const blocks = await reportBlocks(s, dataset, { main, results, likelihoodResults, videoResults, predictions, classifier, classifiersShipped: shippedArms !== null, staSweep, diagnostics, visionHeads, seedRows, probeRuns, verdicts, seconds });
    await writeReport({ title: 'tempolab demo: STAVE vs control on the synthetic temporal benchmark', blocks }, { html: path.join(dir, 'report.html'), markdown: path.join(dir, 'report.md') });
    for (const m of MODELS) await writeFileAtomic(path.join(dir, 'predictions', `${m}.jsonl`), predictions[m]!.map((p) => JSON.stringify(p)).join('\n') + '\n');
    await writeFileAtomic(path.join(dir, 'results.json'), JSON.stringify({ provenance: provenance(s), settings: s, seconds, results, likelihoodResults, videoResults, verdicts, classifier, diagnostics, visionHeads, seeds: seedRows, probes: probeRuns }, null, 1) + '\n');
  });
  return { dir, results, likelihoodResults, videoResults, classifier, diagnostics, visionHeads, seeds: seedRows, seconds, summary };
}

/**
 * "1000 steps", or for an instruct stage with phases before it, e.g. "2000 perception + 1000
 * attribute_change + 1500 attribute_change+order (yes_no, caption_matching) + 1000 steps"; a
 * curriculum phase with formats or a learning rate of its own says them ("1500 perception in
 * multi_choice, captioning at lr 0.0005") and what it trains when not the stage's (", the ViT trained
 * too"); an instruct stage that ends on its last phase has no "+ N steps";
 * a described language stage says so.
 */
export function stageSteps(schedule: StageSchedule): string {
  // The perception formats are the perception phase's, and a curriculum phase's that names none.
  const inFormats = (formats: readonly string[] | undefined) => (formats ? ` in ${formats.join(', ')}` : '');
  const phases = [
    ...(schedule.perceptionSteps ? [`${schedule.perceptionSteps} perception${inFormats(schedule.perceptionFormats)}`] : []),
    ...(schedule.curriculum ?? []).map((phase) => {
      const dimensions = coversEveryDimension(phase) ? 'every dimension' : phase.dimensions.join('+');
      const trains = phase.trainable === undefined ? '' : phase.trainable === 'all' ? ', the ViT trained too' : ', merger and decoder only';
      return `${phase.steps} ${dimensions}${inFormats(phase.formats ?? schedule.perceptionFormats)}${phase.lr === undefined ? '' : ` at lr ${phase.lr}`}${trains}`;
    }),
  ];
  if (phases.length === 0) {
    const horizon = schedule.scheduleSteps !== undefined && schedule.scheduleSteps > schedule.steps ? ` of a ${schedule.scheduleSteps}-step schedule` : '';
    const tubelets = schedule.tubelets ? ` (${Math.round(schedule.tubelets * 100)} % of frames as two-frame tubelets)` : '';
    return `${schedule.steps} steps${horizon}${schedule.described ? ' (closed questions also after their clip\'s description)' : ''}${tubelets}`;
  }
  return `${phases.join(' + ')}${schedule.steps > 0 ? ` + ${schedule.steps} steps` : ''}`;
}

/** The STAVE or control run the demo trains with `seed` (what the shipped fine-tunes must equal, paths aside). */
export function demoFineTune(s: DemoSettings, kind: FineTuneKind, seed: number, paths: { data: string; out: string; from: string }): FineTuneSettings {
  const { stage1Steps, stage2Steps, stage1Lr, stage2Lr, loraRank, loraAlpha, symmetrySteps, balanceDimensions, stage2Merger } = s;
  const stages: FineTuneStages = {
    stage1Steps, stage2Steps, stage1Lr, stage2Lr, loraRank, loraAlpha,
    ...(symmetrySteps ? { symmetrySteps } : {}), ...(balanceDimensions ? { balanceDimensions } : {}), ...(stage2Merger ? { stage2Merger } : {}),
  };
  const { checkpointEvery, weightDecay, maxGradNorm } = DEFAULT_COMMON;
  return { kind, ...paths, seed, batchSize: s.batchSize, checkpointEvery, weightDecay, maxGradNorm, ...stages, ...(kind === 'stave' ? DEFAULT_STA : {}) };
}

/**
 * The settings of the vision-only check's arm the demo trains (with or without STA), as `tempolab
 * train classify` writes them (its STA flags' defaults included), so a shipped arm made by that
 * command can stand in for it.
 */
export function demoClassify(s: DemoSettings, sta: boolean, seed: number, paths: { data: string; out: string; from: string }): ClassifySettings {
  const { checkpointEvery, weightDecay, maxGradNorm } = DEFAULT_COMMON;
  return { kind: 'classify', ...paths, seed, batchSize: s.classify.batchSize, checkpointEvery, weightDecay, maxGradNorm, sta, steps: s.classify.steps, lr: s.classify.lr, ...DEFAULT_STA };
}

/** e.g. "stage 1 100 + symmetry-breaking 2000 + stage 2 1000 steps, dimensions balanced". */
function fineTuneSteps(s: FineTuneStages): string {
  const symmetry = s.symmetrySteps ? ` + symmetry-breaking ${s.symmetrySteps}` : '';
  return `stage 1 ${s.stage1Steps}${symmetry} + stage 2 ${s.stage2Steps} steps${s.stage2Merger ? ' (stage 2 also trains the merger)' : ''}${s.balanceDimensions ? ', dimensions balanced' : ''}`;
}

/** Every pipeline stage with its steps, e.g. "vision 300 steps, language 200 steps, …". */
function pipelineSteps(stages: Record<PretrainingStage, StageSchedule>): string {
  return PRETRAINING_STAGES.map((stage) => `${stage} ${stageSteps(stages[stage])}`).join(', ');
}

function seedRow(seed: number, results: EvaluationResult[]): SeedRow {
  const pick = (name: string) => {
    const r = results.find((x) => x.model === name)!;
    return { accuracy: r.all.overall.mean ?? NaN, pairs: r.all.pairs.overall.mean ?? NaN };
  };
  return { seed, stave: pick('stave'), control: pick('control') };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '—' : (100 * x).toFixed(1));
const interval = (e: { mean: number | null; low: number | null; high: number | null }) => `${pct(e.mean)} [${pct(e.low)}, ${pct(e.high)}]`;

interface ReportInputs {
  main: TrainedModels;
  results: EvaluationResult[];
  likelihoodResults: EvaluationResult[];
  videoResults: EvaluationResult[];
  predictions: Record<string, Prediction[]>;
  classifier: ClassifierResult[];
  /** Whether the vision-only check's arms are the shipped pretrained/fine-tunes-small ones. */
  classifiersShipped: boolean;
  /** The STA sweep the base carries (validation split), or null. */
  staSweep: StaSweep | null;
  diagnostics: { stage: string; diagnostics: EmbeddingDiagnostics }[];
  visionHeads: VisionHeadAccuracy;
  seedRows: SeedRow[];
  probeRuns: ProbeRun[];
  verdicts: DimensionVerdict[];
  seconds: Partial<Record<DemoPhase, number>>;
}

async function reportBlocks(s: DemoSettings, dataset: Dataset, r: ReportInputs): Promise<ReportBlock[]> {
  const questions = dataset.questions('test');
  const stageCurves = [];
  for (const stage of PRETRAINING_STAGES) stageCurves.push({ name: stage, points: smooth(await lossCurve(path.join(r.main.runs.base, stage), 0), 10) });
  const fineTuneCurves = [
    { name: 'control', points: smooth(await lossCurve(r.main.runs.control, 0), 10) },
    { name: 'stave', points: smooth(await lossCurve(r.main.runs.stave, 0), 10) },
  ];
  const shown = examplePairs(questions, 2);
  const sheet = await renderContactSheet(dataset, { ids: shown.map((q) => q.id), format: 'multi_choice' });
  const answerRows = shown.map((q) => [q.id, q.answer, ...MODELS.map((m) => r.predictions[m]!.find((p) => p.questionId === q.id)?.prediction ?? '')]);
  const byModel = (name: string) => r.results.find((x) => x.model === name)!;
  const diff = seedInterval(r.seedRows.map((row) => row.stave.pairs - row.control.pairs));
  const b = r.main.baseSettings;
  return [
    ...findingsBlocks(findings({ results: r.results, likelihoodResults: r.likelihoodResults, answers: Object.fromEntries(MODELS.map((m) => [m, scorePredictions(questions, r.predictions[m]!)])), questions, probes: r.probeRuns, classifier: r.classifier, seed: s.seed })),
    heading('Setup'),
    paragraph(
      `Synthetic temporal benchmark: ${s.clips.train} training clips, ${s.clips.test} test clips (8 frames of 32×32, opposing pairs, plus static perception questions). ` +
        `Base: ${b.preset} preset built in four stages (${pipelineSteps(b.stages)}; instruct trains the ${b.instructTrainable === 'all' ? 'whole model' : 'merger and decoder, the ViT stays as the vision stage left it where a phase does not say otherwise'})` +
        `${r.main.pretrained ? `, pretrained: ${r.main.runs.base}, not trained in this run` : ''}. ` +
        `STAVE and control: ${fineTuneSteps(s)} from the base, batch ${s.batchSize} (LoRA rank ${s.loraRank}; the symmetry-breaking phase trains stage 2's parameters on the questions that state the phenomenon's first outcome)` +
        `${r.main.shippedFineTunes ? `, pretrained: ${path.dirname(r.main.runs.stave)} (npm run make:fine-tunes), not trained in this run` : ''}. ` +
        `Wall time: ${Object.entries(r.seconds).map(([k, v]) => `${k} ${v!.toFixed(0)} s`).join(', ')}.`,
    ),
    heading('Training'),
    svgBlock(lineChart({ title: 'Base pipeline: loss per stage (moving average)', xLabel: 'step of the stage', yLabel: 'loss', series: stageCurves }), 'Each stage has its own objective: vision = dense patch heads, language = next token, align and instruct = answer tokens.'),
    svgBlock(lineChart({ title: 'STAVE and control fine-tuning (moving average)', xLabel: 'step', yLabel: 'loss', series: fineTuneCurves }), `Both continue from the base model: ${fineTuneSteps(s)}.`),
    heading('Is the visual pathway healthy? (diagnostics per stage)'),
    paragraph('Measured on the video embeddings the decoder reads. A collapsed tower shows a growing norm, a reversed-partner distance near 0 and probes at chance (colour 17%, shape 20%, cell 11%).'),
    tableBlock({
      header: ['after stage', 'token norm', 'reversed-partner distance', 'probe: colour', 'probe: shape', 'probe: 3×3 cell'],
      rows: r.diagnostics.map(({ stage, diagnostics: d }) => [stage, d.tokenNorm.toFixed(2), d.reversedPartnerDistance.toFixed(3), pct(d.probe.colour), pct(d.probe.shape), pct(d.probe.cell)]),
    }),
    paragraph(
      `What the ViT itself sees, read by the vision stage's own dense heads on ${r.visionHeads.clips} test clips, patch by patch (the probes above read the merged tokens and are a lower bound): ` +
        `colour ${pct(r.visionHeads.colour)}% of ${r.visionHeads.patches.all} patches (no object counts as a class), ` +
        `shape ${pct(r.visionHeads.shape)}% of the ${r.visionHeads.patches.object} patches an object covers and ${pct(r.visionHeads.centreShape)}% of the ${r.visionHeads.patches.centre} that hold its centre (chance 20%); ` +
        `fed as a video feeds it, each frame in a two-frame group with its neighbour, shape ${pct(r.visionHeads.tubeletShape)}% of ${r.visionHeads.patches.tubeletObject} object patches.`,
    ),
    ...comparisonBlocks(r.results, { challenger: 'stave', baseline: 'control' }),
    heading('Does the base see? (perception)'),
    tableBlock({
      header: ['model', 'perception questions', 'caption subject slot (temporal captions)', 'of which held-out compositions'],
      rows: MODELS.map((m) => [m, interval(byModel(m).all.byDimension.perception), interval(byModel(m).captionSubject.temporal), interval(byModel(m).captionSubject.heldOut!.temporal)]),
    }),
    paragraph('The caption subject slot by dimension: in an order clip the subject is the object that moves first, so there the slot asks a temporal judgement, not only what is in the clip.'),
    tableBlock({
      header: ['model', ...DIMENSIONS],
      rows: MODELS.map((m) => [m, ...DIMENSIONS.map((d) => interval(byModel(m).captionSubject.byDimension[d]))]),
    }),
    heading('Does STAVE beat the control on opposing pairs beyond the intervals?'),
    tableBlock({
      header: ['dimension', 'STAVE pairs', 'control pairs', 'STAVE beats control beyond the 95% intervals'],
      rows: r.verdicts.filter((v) => v.dimension !== 'perception').map((v) => [v.dimension, interval(v.x), interval(v.y), v.beats ? 'yes' : 'no']),
    }),
    ...likelihoodBlocks(r.results, r.likelihoodResults),
    ...staSweepBlocks(r.staSweep),
    heading('Over seeds'),
    tableBlock({
      header: ['seed', 'STAVE accuracy', 'control accuracy', 'STAVE pairs', 'control pairs', 'pairs: STAVE − control'],
      rows: r.seedRows.map((row) => [String(row.seed), pct(row.stave.accuracy), pct(row.control.accuracy), pct(row.stave.pairs), pct(row.control.pairs), pct(row.stave.pairs - row.control.pairs)]),
    }),
    paragraph(r.seedRows.length > 1 ? `STAVE − control in opposing-pair accuracy over ${diff.n} seeds: ${pct(diff.mean)} points, 95% t-interval [${pct(diff.low)}, ${pct(diff.high)}].` : 'One training seed: run `tempolab demo --seeds 3` for an interval over seeds.'),
    ...videoSetBlocks(s.videoSet, r.videoResults),
    heading('Vision-only check of STA (ViT ± STA + linear head, 26 outcome classes)'),
    tableBlock({
      header: ['model', 'accuracy', 'opposing-pair accuracy', ...Object.keys(r.classifier[0]?.byDimension ?? {})],
      rows: r.classifier.map((c) => [c.model, interval(c.accuracy), interval(c.pairAccuracy), ...Object.values(c.byDimension).map(interval)]),
    }),
    paragraph('Both arms start from the vision stage ViT and train the same steps (STAVE stage-1 recipe: vision LayerNorms and the head, plus STA in the STA arm); features are mean-pooled over frames and patches, so without STA only the within-pair Conv3d can see order.' +
      (r.classifiersShipped ? ` Both arms are the shipped ${path.join(path.dirname(r.main.runs.stave), 'classify-{no-sta,sta}')} (npm run make:classifiers), not trained in this run.` : '')),
    heading('Example test clips'),
    imageBlock(sheet, 'contact sheet of example test clips'),
    tableBlock({ header: ['question', 'ground truth', ...MODELS], rows: answerRows }),
    heading('Causal-pathway probes (Causality Matters §4–5)'),
    ...probeReportBlocks(r.probeRuns),
  ];
}

/**
 * Generated answers against the most likely option, model by model: a model can rank the right
 * option first yet open its generated answer with another option's letter (or the same answer for both
 * clips of a pair), so the two scorings apart say whether a gap is in what it sees or in how it answers.
 */
function likelihoodBlocks(generated: readonly EvaluationResult[], likelihood: readonly EvaluationResult[]): ReportBlock[] {
  const closed = ['yes_no', 'multi_choice', 'caption_matching'] as const;
  const row = (r: EvaluationResult, scoring: string) => [r.model, scoring, interval(r.all.overall), interval(r.all.byDimension.perception), interval(r.all.pairs.overall), ...closed.map((f) => interval(r.all.byFormat[f]))];
  const x = likelihood.find((r) => r.model === 'stave');
  const y = likelihood.find((r) => r.model === 'control');
  return [
    heading('What the models know beside what they say (likelihood scoring)'),
    paragraph(
      'The same test questions, each yes/no, multi-choice and caption-matching question answered by the full answer the model finds most likely (lmms-eval\'s loglikelihood mode); captioning has no closed set and is generated under both scorings (the overall and perception columns include it alike). ' +
        'Where the likelihood row is far above the generated one, the model ranks the right option first but its greedy answer does not name it: the gap is in answering, not in seeing. The generated answers stay the benchmark\'s score.',
    ),
    tableBlock({
      header: ['model', 'scoring', 'overall', 'perception', 'opposing pairs', ...closed],
      rows: MODELS.flatMap((m) => [row(generated.find((r) => r.model === m)!, 'generated'), row(likelihood.find((r) => r.model === m)!, 'most likely option')]),
    }),
    ...(x && y ? [tableBlock(temporalRows(verdictTable(x, y, { measure: 'pairs' })))] : []),
  ];
}

/** A per-dimension table without its perception row: perception questions come in no opposing pairs. */
function temporalRows(table: Table): Table {
  return { ...table, rows: table.rows.filter((row) => row[0] !== 'perception') };
}

/** The STA sweep measured on the base's validation split, when the base carries one (bench:sweep). */
function staSweepBlocks(sweep: StaSweep | null): ReportBlock[] {
  if (!sweep) return [];
  const beating = armsBeatingControl(sweep.arms);
  return [
    heading('The STA sweep this base carries (validation split)'),
    paragraph(
      `STAVE and the control fine-tuned from this base over stage lengths, head_scale and the blocks that get STA, each arm scored on the validation split (${sweep.data}), never the test split (npm run bench:sweep). ` +
        (beating.length ? `STAVE beats the control of its schedule on opposing pairs beyond both 95% intervals in: ${beating.map((a) => a.name).join('; ')}.` : 'No STAVE arm beats the control of its schedule on opposing pairs beyond both 95% intervals.') +
        (sweep.arms.some((a) => 'symmetry-steps' in a.flags) ? '' : " None of its schedules has a symmetry-breaking phase (the demo's fine-tunes' schedule may differ: Setup)."),
    ),
    tableBlock(staSweepTable(sweep.arms)),
  ];
}

/** The encoded-video set's section: how it was made, and each model's accuracy and opposing-pair accuracy per dimension. */
function videoSetBlocks(v: VideoSetSettings, results: readonly EvaluationResult[]): ReportBlock[] {
  return [
    heading('Encoded video: the scenes as H.264 mp4s, imported as real videos are'),
    paragraph(
      `${v.clips} clips of another seed (${v.seed}) drawn at ${v.render.size}×${v.render.size} with ${v.render.frames} frames, written as H.264 (yuv420p, crf ${v.encode.crf}, ${v.encode.fps} fps) by the npm-shipped ffmpeg, ` +
        `then 'tempolab data import' (${v.import.frames} frames sampled uniformly, resized and centre-cropped to ${v.import.size}×${v.import.size}) and 'data import-questions' with the benchmark's TempCompass files. ` +
        'Opposing pairs count as right only when both questions are; answering both members alike scores 0, guessing 25% on yes/no and caption matching, 11% on multi-choice.',
    ),
    tableBlock({
      header: ['model', 'overall', 'perception', 'opposing pairs', ...TEMPORAL_DIMENSIONS.map((d) => `pairs: ${d}`)],
      rows: results.map((r) => [r.model, interval(r.all.overall), interval(r.all.byDimension.perception), interval(r.all.pairs.overall), ...TEMPORAL_DIMENSIONS.map((d) => interval(r.all.pairs.byDimension[d]))]),
    }),
  ];
}

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

/** The finished base run the main seed starts from and its settings, or null when the demo trains its base. */
function pretrainedBase(base: DemoSettings['base'], dataset: Dataset): { run: string; settings: BaseSettings } | null {
  if (base === 'train') return null;
  if (base === 'shipped') {
    const settings = pretrainedBaseFor(SHIPPED_BASE, dataset);
    return settings ? { run: SHIPPED_BASE, settings } : null;
  }
  return { run: base.run, settings: readPretrainedBase(base.run, dataset) };
}
