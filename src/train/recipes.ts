/**
 * The three training recipes of the STAVE experiment, with their run directories:
 *  - base:    a VideoLM without STA trained from scratch (all parameters);
 *  - stave:   addTemporalAttention (zero-init), stage 1 = STA + vision LayerNorms, stage 2 = LoRA + STA;
 *  - control: the same base, data order, steps and stage structure, without STA
 *             (stage 1 = vision LayerNorms, stage 2 = the same LoRA) — so a STAVE gain is not just extra training.
 * Settings are stored in run.json so `--resume` rebuilds the same stages.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { openDataset } from '../data/dataset.js';
import { benchmarkVocabulary } from '../data/vocabulary.js';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { TempolabError } from '../engine/errors.js';
import { addTemporalAttention } from '../models/addTemporalAttention.js';
import { withLora } from '../models/adapters.js';
import { createVideoLM, loadVideoLM } from '../models/checkpoint.js';
import { presetConfig, type PresetName } from '../models/config.js';
import { isLoraParameter } from '../models/lora.js';
import { buildWordLevelTokenizer } from '../models/tokenizer/index.js';
import type { VideoLM } from '../models/videoLM.js';
import { loadCheckpoint, runTraining, type RunOptions, type RunResult, type Stage, type StepProgress } from './trainer.js';
import { abandonFailedStart, assertNewRunDir } from './runDir.js';
import { TrainingData } from './trainingData.js';

export const isVisionLayerNorm = (name: string): boolean => /^visual\.(blocks\.\d+\.norm[123]|merger\.ln_q)\./.test(name);
export const isTemporalAttention = (name: string): boolean => /^visual\.blocks\.\d+\.(temp_attn|norm3)\./.test(name);

export interface CommonSettings {
  data: string;
  out: string;
  seed: number;
  batchSize: number;
  checkpointEvery: number;
  weightDecay: number;
  maxGradNorm: number;
}

export interface BaseSettings extends CommonSettings {
  kind: 'base';
  preset: PresetName;
  steps: number;
  lr: number;
  warmupSteps: number;
}

/** The two fine-tuning stages shared by STAVE and the control. */
export interface FineTuneStages {
  stage1Steps: number;
  stage2Steps: number;
  stage1Lr: number;
  stage2Lr: number;
  loraRank: number;
  loraAlpha: number;
}

export interface FineTuneSettings extends CommonSettings, FineTuneStages {
  kind: 'stave' | 'control';
  /** The base run (or model directory) to start from. */
  from: string;
  /** STAVE only. */
  staLayers?: 'all' | number[];
  headScale?: number;
  projInit?: 'zero' | 'normal';
  tokenOrder?: 'paper' | 'staveq2';
}

export type RunSettings = BaseSettings | FineTuneSettings;

export const DEFAULT_COMMON = { seed: 0, batchSize: 16, checkpointEvery: 100, weightDecay: 0.01, maxGradNorm: 1.0 };

function stagesOf(s: RunSettings): Stage[] {
  const warmup = (steps: number) => Math.max(1, Math.round(steps * 0.05));
  if (s.kind === 'base') return [{ name: 'base', steps: s.steps, peakLr: s.lr, warmupSteps: s.warmupSteps, trainable: () => true }];
  const lora = (m: VideoLM) => withLora(m, { rank: s.loraRank, alpha: s.loraAlpha, seed: s.seed + 2 });
  if (s.kind === 'stave') {
    return [
      {
        name: 'stage1',
        steps: s.stage1Steps,
        peakLr: s.stage1Lr,
        warmupSteps: warmup(s.stage1Steps),
        trainable: (n) => isTemporalAttention(n) || isVisionLayerNorm(n),
        begin: (m) => addTemporalAttention(m, { layers: s.staLayers, head_scale: s.headScale, proj_init: s.projInit, token_order: s.tokenOrder, seed: s.seed + 1 }),
      },
      { name: 'stage2', steps: s.stage2Steps, peakLr: s.stage2Lr, warmupSteps: warmup(s.stage2Steps), trainable: (n) => isLoraParameter(n) || isTemporalAttention(n), begin: lora },
    ];
  }
  return [
    { name: 'stage1', steps: s.stage1Steps, peakLr: s.stage1Lr, warmupSteps: warmup(s.stage1Steps), trainable: isVisionLayerNorm },
    { name: 'stage2', steps: s.stage2Steps, peakLr: s.stage2Lr, warmupSteps: warmup(s.stage2Steps), trainable: isLoraParameter, begin: lora },
  ];
}

/** The model a run starts from: a fresh preset (base) or the base run's final model. */
async function initialModel(s: RunSettings): Promise<VideoLM> {
  if (s.kind === 'base') {
    const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
    return createVideoLM(presetConfig(s.preset, tokenizer.vocabSize, tokenizer.special), s.seed, tokenizer);
  }
  return loadVideoLM(resolveModelDir(s.from));
}

/** A run directory's model is its checkpoint; a plain HF model directory is itself. */
export function resolveModelDir(dir: string): string {
  if (existsSync(path.join(dir, 'config.json'))) return dir;
  if (existsSync(path.join(dir, 'checkpoint', 'config.json'))) return path.join(dir, 'checkpoint');
  if (existsSync(path.join(dir, 'run.json'))) throw new TempolabError(`${dir} is a training run without a usable checkpoint/ (none saved yet, or a save was interrupted); 'tempolab train <kind> --resume --out ${dir}' recovers the newest complete one`);
  throw new TempolabError(`${dir} is neither a model directory (config.json) nor a training run (checkpoint/config.json)`);
}

export interface TrainCallbacks {
  onStep?: (p: StepProgress) => void;
  shouldStop?: () => boolean;
  onCheckpointPhase?: RunOptions['onCheckpointPhase'];
  onStart?: (info: { totalSteps: number; resumedAt: number; sequenceLength: number; examples: number }) => void;
}

/**
 * Runs a recipe. With `resume`, settings come from the run's run.json and training continues from
 * its last checkpoint; without it, an existing run directory is an error (nothing is overwritten).
 */
export async function train(settings: RunSettings | { resume: string }, callbacks: TrainCallbacks = {}): Promise<RunResult> {
  const resuming = 'resume' in settings;
  const runDir = resuming ? settings.resume : settings.out;
  let s: RunSettings;
  if (resuming) {
    const file = path.join(runDir, 'run.json');
    if (!existsSync(file)) throw new TempolabError(`${runDir} has no run.json: nothing to resume (start the run without --resume)`);
    s = JSON.parse(await fs.readFile(file, 'utf8')) as RunSettings;
  } else {
    s = settings;
    await assertNewRunDir(runDir);
  }
  const createdDir = !existsSync(runDir);
  const checkpoint = resuming ? await loadCheckpoint(runDir) : null;
  const model = checkpoint?.model ?? (await initialModel(s));
  const data = new TrainingData(openDataset(s.data), model, 'train', s.seed);
  // Written only once the inputs have proved valid, so a failed start leaves nothing to clean up.
  if (!resuming) await writeFileAtomic(path.join(runDir, 'run.json'), JSON.stringify(s, null, 2) + '\n');
  const stages = stagesOf(s);
  callbacks.onStart?.({ totalSteps: stages.reduce((a, st) => a + st.steps, 0), resumedAt: checkpoint?.state.globalStep ?? 0, sequenceLength: data.length, examples: data.encoded.length });
  try {
    return await runTraining(model, data, { runDir, stages, batchSize: s.batchSize, weightDecay: s.weightDecay, maxGradNorm: s.maxGradNorm, checkpointEvery: s.checkpointEvery, onStep: callbacks.onStep, shouldStop: callbacks.shouldStop, onCheckpointPhase: callbacks.onCheckpointPhase }, checkpoint);
  } catch (error) {
    if (!resuming) await abandonFailedStart(runDir, createdDir);
    throw error;
  }
}
