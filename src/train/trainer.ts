/**
 * The training loop shared by base pretraining, STAVE and the control: a run is a list of stages,
 * each with its own trainable set, learning-rate schedule and optional model change at its start
 * (adding STA, adding LoRA). A resumed run continues bit-exactly; Ctrl-C or SIGTERM saves and stops; a NaN loss stops and keeps the last good
 * checkpoint. Checkpoints are swapped in so that a kill at any instant leaves one (checkpointSwap.ts).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { TempolabError } from '../engine/errors.js';
import { readSafetensors, writeSafetensors } from '../engine/safetensors.js';
import { warmupCosine } from '../engine/schedule.js';
import { compileTrainStep, type OptimizerState, type TrainStep } from '../engine/trainStep.js';
import type { Graph } from '../engine/graph.js';
import { initParameters } from '../engine/parameters.js';
import { loadVideoLM, saveVideoLM } from '../models/checkpoint.js';
import type { VideoLM } from '../models/videoLM.js';
import type { Objective } from './objectives.js';
import { checkpointDir, latestCheckpoint, truncateLog, writeCheckpoint, type CheckpointPhase } from './checkpointSwap.js';

export { checkpointDir } from './checkpointSwap.js';

export interface Stage {
  name: string;
  steps: number;
  peakLr: number;
  warmupSteps: number;
  /** The warmup + cosine schedule's length when the stage stops before its end (default `steps`). */
  scheduleSteps?: number;
  trainable: (name: string) => boolean;
  /** Applied to the model when the stage begins (not on resume inside the stage). */
  begin?: (model: VideoLM) => VideoLM;
  /** What the stage optimises, built for the model as the stage begins. */
  objective: (model: VideoLM) => Objective;
}

export interface RunOptions {
  runDir: string;
  stages: Stage[];
  batchSize: number;
  weightDecay: number;
  maxGradNorm: number;
  checkpointEvery: number;
  /** Seeds the initialisation of stage-only parameters (heads). */
  seed: number;
  /** Called after every step. */
  onStep?: (p: StepProgress) => void;
  /** Polled after every step; when it returns true the run saves a checkpoint and stops. */
  shouldStop?: () => boolean;
  /** Called at each phase of every checkpoint save (fault-injection tests kill the process here). */
  onCheckpointPhase?: (phase: CheckpointPhase, globalStep: number) => void | Promise<void>;
}

export interface StepProgress {
  stage: string;
  stageIndex: number;
  step: number;
  stageSteps: number;
  globalStep: number;
  totalSteps: number;
  loss: number;
  gradNorm: number;
  lr: number;
  tokensPerSecond: number;
}

export interface TrainerState {
  stageIndex: number;
  /** Steps completed in the current stage. */
  step: number;
  globalStep: number;
}

export interface RunResult {
  model: VideoLM;
  state: TrainerState;
  interrupted: boolean;
  seconds: number;
}

async function saveCheckpoint(
  runDir: string,
  model: VideoLM,
  optimizer: OptimizerState | null,
  state: TrainerState,
  onPhase?: (phase: CheckpointPhase) => void | Promise<void>,
): Promise<void> {
  await writeCheckpoint(runDir, { ...state, optimizerStep: optimizer?.step ?? 0 }, async (tmp) => {
    await saveVideoLM(model, tmp);
    if (optimizer) {
      const moments = new Map<string, { shape: number[]; data: Float32Array }>();
      for (const [name, m] of optimizer.m) moments.set(`adam.m.${name}`, { shape: [m.length], data: m });
      for (const [name, v] of optimizer.v) moments.set(`adam.v.${name}`, { shape: [v.length], data: v });
      await writeSafetensors(path.join(tmp, 'optimizer.safetensors'), moments);
    }
  }, onPhase);
}

/**
 * The newest complete checkpoint of a run (in `checkpoint/`, or left complete by a save that a kill
 * interrupted), or null when the run has none.
 */
export async function loadCheckpoint(runDir: string): Promise<{ model: VideoLM; state: TrainerState; optimizer: OptimizerState | null } | null> {
  const state = await latestCheckpoint(runDir);
  if (!state) return null;
  const dir = checkpointDir(runDir);
  const model = await loadVideoLM(dir);
  let optimizer: OptimizerState | null = null;
  if (existsSync(path.join(dir, 'optimizer.safetensors'))) {
    const { tensors } = await readSafetensors(path.join(dir, 'optimizer.safetensors'));
    optimizer = { step: state.optimizerStep, m: new Map(), v: new Map() };
    for (const [name, t] of tensors) {
      const target = name.startsWith('adam.m.') ? optimizer.m : optimizer.v;
      target.set(name.slice('adam.m.'.length), t.data as Float32Array);
    }
  }
  return { model, state: { stageIndex: state.stageIndex, step: state.step, globalStep: state.globalStep }, optimizer };
}

/**
 * Parameters a stage's graph needs beyond the model's own (the heads of vision pretraining or of
 * the classifier): taken from the run's checkpoint when resuming, otherwise freshly initialised.
 */
async function provideStageParameters(model: VideoLM, graph: Graph, runDir: string, seed: number): Promise<void> {
  const missing = graph.parameters.filter((p) => !model.params.has(p.name));
  if (!missing.length) return;
  const saved = path.join(checkpointDir(runDir), 'model.safetensors');
  const tensors = existsSync(saved) ? (await readSafetensors(saved)).tensors : new Map();
  const fresh = initParameters(missing, seed);
  for (const spec of missing) {
    const t = tensors.get(spec.name);
    model.params.set(spec.name, t && t.data instanceof Float32Array ? { shape: [...spec.shape], data: t.data } : fresh.get(spec.name)!);
  }
}

async function compileStage(model: VideoLM, objective: Objective, stage: Stage, o: RunOptions): Promise<TrainStep> {
  const graph = objective.graph(model, o.batchSize);
  await provideStageParameters(model, graph, o.runDir, o.seed);
  return compileTrainStep(graph, { trainable: stage.trainable, weightDecay: o.weightDecay, maxGradNorm: o.maxGradNorm });
}

/**
 * Runs (or resumes, when `resume` holds a checkpoint) the stages in order. The log of every step
 * goes to runDir/log.jsonl.
 */
export async function runTraining(
  initial: VideoLM,
  o: RunOptions,
  resume: { model: VideoLM; state: TrainerState; optimizer: OptimizerState | null } | null = null,
): Promise<RunResult> {
  await fs.mkdir(o.runDir, { recursive: true });
  const logFile = path.join(o.runDir, 'log.jsonl');
  const totalSteps = o.stages.reduce((s, st) => s + st.steps, 0);
  let model = resume?.model ?? initial;
  const state: TrainerState = resume ? { ...resume.state } : { stageIndex: 0, step: 0, globalStep: 0 };
  const started = Date.now();
  await truncateLog(logFile, state.globalStep);
  let checkpointed = resume !== null;

  for (; state.stageIndex < o.stages.length; state.stageIndex++, state.step = 0) {
    const stage = o.stages[state.stageIndex]!;
    const resuming = resume !== null && state.step > 0;
    if (!resuming && stage.begin && state.step === 0) model = stage.begin(model);
    if (state.step >= stage.steps) continue;
    const objective = stage.objective(model);
    const step = await compileStage(model, objective, stage, o);
    let optimizer: OptimizerState = resuming && resume?.optimizer ? resume.optimizer : step.initState();
    const lastGood = { step: state.step };
    let tokens = 0;
    const stageStart = Date.now();
    while (state.step < stage.steps) {
      const batch = objective.batch(model, state.globalStep, o.batchSize);
      const lr = warmupCosine({ peak: stage.peakLr, warmupSteps: stage.warmupSteps, totalSteps: stage.scheduleSteps ?? stage.steps }, state.step);
      const result = await step.run(model.params, optimizer, batch.feeds, lr);
      if (!Number.isFinite(result.loss) || !Number.isFinite(result.gradNorm)) {
        throw new TempolabError(
          `training diverged at step ${state.step + 1} of ${stage.name} (loss ${result.loss}, gradient norm ${result.gradNorm}); ` +
            (checkpointed
              ? `the last good checkpoint (step ${lastGood.step}) is in ${checkpointDir(o.runDir)} — lower the learning rate in run.json and continue with --resume`
              : 'no checkpoint was saved yet — lower the learning rate and start the run again'),
        );
      }
      state.step++;
      state.globalStep++;
      tokens += batch.units;
      const progress: StepProgress = {
        stage: stage.name,
        stageIndex: state.stageIndex,
        step: state.step,
        stageSteps: stage.steps,
        globalStep: state.globalStep,
        totalSteps,
        loss: result.loss,
        gradNorm: result.gradNorm,
        lr,
        tokensPerSecond: tokens / ((Date.now() - stageStart) / 1000),
      };
      await fs.appendFile(logFile, JSON.stringify({ stage: stage.name, step: state.step, globalStep: state.globalStep, loss: result.loss, lr, gradNorm: result.gradNorm, time: (Date.now() - started) / 1000 }) + '\n');
      o.onStep?.(progress);
      const stop = o.shouldStop?.() ?? false;
      if (stop || state.step % o.checkpointEvery === 0 || state.step === stage.steps) {
        const finishedStage = state.step === stage.steps;
        const saved = finishedStage ? { stageIndex: state.stageIndex + 1, step: 0, globalStep: state.globalStep } : state;
        const at = state.globalStep;
        await saveCheckpoint(o.runDir, model, finishedStage ? null : optimizer, saved, o.onCheckpointPhase && ((phase) => o.onCheckpointPhase!(phase, at)));
        lastGood.step = state.step;
        checkpointed = true;
      }
      if (stop) return { model, state, interrupted: true, seconds: (Date.now() - started) / 1000 };
    }
    optimizer = step.initState();
  }
  return { model, state, interrupted: false, seconds: (Date.now() - started) / 1000 };
}
