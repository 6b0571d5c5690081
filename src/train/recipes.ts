/**
 * The training recipes, each a run directory (run.json, checkpoint/, log.jsonl):
 *  - the base VideoLM is built as real Video-LLMs are, in four stages run in order by `base`, each
 *    in RUN/<stage> and each continuing from the previous stage's model:
 *      vision   — pretraining of the ViT on static targets (dense supervised heads on single frames and,
 *                 with `tubelets`, two-frame groups; no temporal objective)
 *      language — the decoder as a text language model over the benchmark's questions and answers
 *      align    — ViT and decoder frozen, the merger (projector) trained on perception questions
 *      instruct — instruction tuning on every format and dimension (merger + decoder; the ViT stays
 *                 as the vision stage left it unless `instructTrainable: "all"` or a curriculum
 *                 phase's `trainable: "all"`, as the default's last phase)
 *  - stave:    addTemporalAttention (zero-init), stage 1 = STA + vision LayerNorms, stage 2 = LoRA + STA,
 *              optionally with a symmetry-breaking phase (stage 2's trainables) between them;
 *  - control:  the same base, data order, steps and stage structure without STA;
 *  - classify: the vision-only check of STA: the pretrained ViT (± STA, stage-1 recipe) + a linear
 *              head over the 26 phenomenon outcomes.
 * Settings are stored in run.json so `--resume` rebuilds the same stages.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { datasetIdentity, openDataset, type Dataset } from '../data/dataset.js';
import { DIMENSIONS, FORMATS, type Dimension, type Format, type Question } from '../data/types.js';
import { benchmarkVocabulary } from '../data/vocabulary.js';
import { writeFileAtomic } from '../engine/atomicWrite.js';
import { TempolabError } from '../engine/errors.js';
import { addTemporalAttention } from '../models/addTemporalAttention.js';
import { withLora } from '../models/adapters.js';
import { createVideoLM, loadVideoLM } from '../models/checkpoint.js';
import { presetConfig, type PresetName } from '../models/config.js';
import { isLoraParameter } from '../models/lora.js';
import { isVideoClassifierHead, isVisionHead } from '../models/pretraining.js';
import { buildWordLevelTokenizer } from '../models/tokenizer/index.js';
import type { VideoLM } from '../models/videoLM.js';
import { latestCheckpoint } from './checkpointSwap.js';
import { checkedTubeletShare, describableQuestions, LanguageModeling, VideoClassification, VideoQuestions, VisionPretraining } from './objectives.js';
import { loadCheckpoint, runTraining, type RunOptions, type RunResult, type Stage, type StepProgress } from './trainer.js';
import { abandonFailedStart, assertNewRunDir } from './runDir.js';
import { statesFirstOutcome } from './symmetryBreaking.js';
import { TrainingData } from './trainingData.js';

export const isVisionLayerNorm = (name: string): boolean => /^visual\.(blocks\.\d+\.norm[123]|merger\.ln_q)\./.test(name);
export const isTemporalAttention = (name: string): boolean => /^visual\.blocks\.\d+\.(temp_attn|norm3)\./.test(name);
export const isMerger = (name: string): boolean => name.startsWith('visual.merger.');
export const isVisionTower = (name: string): boolean => name.startsWith('visual.') && !isMerger(name);
export const isDecoder = (name: string): boolean => name.startsWith('model.') || name.startsWith('lm_head.');

export const PRETRAINING_STAGES = ['vision', 'language', 'align', 'instruct'] as const;
export type PretrainingStage = (typeof PRETRAINING_STAGES)[number];

export interface CommonSettings {
  data: string;
  out: string;
  seed: number;
  batchSize: number;
  checkpointEvery: number;
  weightDecay: number;
  maxGradNorm: number;
}

/** One pretraining stage's length and optimiser settings. */
export interface StageSchedule {
  steps: number;
  lr: number;
  batchSize: number;
  /**
   * Vision, language and align only: the length of the warmup + cosine schedule when it is longer
   * than `steps`, so the stage stops partway down the cosine: the first `steps` steps of a
   * `scheduleSteps` run, bit for bit. The shipped base's language stage is one (README, "A decoder
   * that can read").
   */
  scheduleSteps?: number;
  /**
   * Instruct only: steps on the perception questions alone before the `steps` on every format and
   * dimension. Binding a question word to the video tokens that show it is a pure interaction that a
   * fresh decoder learns only after a plateau. On all four perception formats, from a fresh merger
   * and decoder at batch 32, lr 2e-3, 2500 steps crossed it in 1 of 5 runs; on yes/no and caption
   * matching alone (perceptionFormats) 2000 steps crossed it in 3 of 3 (README, the main job), so the
   * default pipeline has that phase.
   */
  perceptionSteps?: number;
  /**
   * Instruct only: the formats the perception phase and the curriculum train on (default all four). The small ViT sees
   * colour but hardly shape, and multi-choice and captioning perception questions ask for shape: their
   * unlearnable answer tokens drown the binding signal. On yes/no and caption matching alone the
   * plateau was crossed (95 % / 94 % after 2000 steps, README, the main job).
   */
  perceptionFormats?: Format[];
  /**
   * Instruct only: temporal phases after the perception phase and before the steps on everything,
   * each on the questions of its own dimensions, in the perception phase's formats. Every temporal
   * question binds a question word to video tokens AND their times; on the mixture of all five
   * dimensions the decoder stays at chance (3000 steps on 20 000 clips, even with perfect
   * perception), while one dimension alone crosses in about 1000 steps and a second one added to it
   * (with the first replayed) in about 1000 more (README, "A temporal curriculum").
   */
  curriculum?: CurriculumPhase[];
  /**
   * Instruct only: every dimension of a curriculum phase, and of the final steps on everything, gets
   * an equal share of the examples (rarer dimensions' questions repeat). Every clip has perception
   * questions but only one clip in five has a given temporal dimension, so a phase that replays
   * perception unbalanced gives each temporal dimension a sixth of its steps or less (README, "A
   * temporal curriculum").
   */
  balanceDimensions?: boolean;
  /**
   * Language only: the closed questions are also trained after a text description of their clip
   * (LanguageModeling), so the decoder arrives at the instruct stage knowing how to answer a
   * multi-choice question by the letter of the option its context supports.
   */
  described?: boolean;
  /**
   * Vision only: the share of frames fed as the two-frame groups (tubelets) a video gives the ViT
   * rather than as images (VisionPretraining); static targets either way.
   */
  tubelets?: number;
}

/**
 * One phase of the instruct stage's temporal curriculum: the questions of these dimensions, for this
 * many steps (perception among them replays what the perception phase learned), in the perception
 * phase's formats unless it names its own.
 */
export interface CurriculumPhase {
  dimensions: Dimension[];
  steps: number;
  /**
   * This phase's formats, when not the perception phase's: e.g. perception in all four formats after
   * the yes/no and caption-matching binding has been crossed on its own.
   */
  formats?: Format[];
  /**
   * This phase's peak learning rate, when not the stage's: every phase has its own warmup + cosine
   * schedule, so a phase at a lower rate after the stage's own is a warm restart that polishes what
   * they learned (README, "Polishing the base").
   */
  lr?: number;
  /**
   * What this phase trains, when not the stage's `instructTrainable`: the default base ends on a
   * phase that trains the ViT too, so held-out compositions are named from what the ViT sees rather
   * than from the change merger and decoder have seen for them (README, "The ViT in the last phase").
   */
  trainable?: InstructTrainable;
}

/** Whether a curriculum phase covers every dimension (`all`): the final steps on everything, when it has every format too. */
export const coversEveryDimension = (phase: CurriculumPhase): boolean => DIMENSIONS.every((d) => phase.dimensions.includes(d));

/** What instruction tuning trains: merger + decoder (the ViT stays as the vision stage left it), or everything. */
export type InstructTrainable = 'decoder' | 'all';

/** One stage of the pipeline as a run of its own. `from` is the previous stage's run; vision starts from `preset`. */
export interface PretrainingStageSettings extends CommonSettings {
  kind: PretrainingStage;
  from?: string;
  preset?: PresetName;
  steps: number;
  lr: number;
  warmupSteps: number;
  /** Vision, language and align only: the schedule's length when longer than `steps` (StageSchedule.scheduleSteps). */
  scheduleSteps?: number;
  instructTrainable?: InstructTrainable;
  /** Instruct only: perception-only steps first (StageSchedule.perceptionSteps). */
  perceptionSteps?: number;
  /** Instruct only: the formats of those steps and of the curriculum's (StageSchedule.perceptionFormats; default all). */
  perceptionFormats?: Format[];
  /** Instruct only: the temporal curriculum's phases (StageSchedule.curriculum). */
  curriculum?: CurriculumPhase[];
  /** Instruct only: equal shares per dimension in the curriculum and the final steps (StageSchedule.balanceDimensions). */
  balanceDimensions?: boolean;
  /** Language only: closed questions also after their clip's description (StageSchedule.described). */
  described?: boolean;
  /** Vision only: the share of frames fed as two-frame tubelets (StageSchedule.tubelets). */
  tubelets?: number;
}

/** The whole pipeline: the four stages in order, in out/<stage>. */
export interface BaseSettings extends Omit<CommonSettings, 'batchSize'> {
  kind: 'base';
  preset: PresetName;
  stages: Record<PretrainingStage, StageSchedule>;
  instructTrainable: InstructTrainable;
  /**
   * The vision stage's clips, when not `data`: real ViTs are pretrained on far more images than the
   * instruction data holds (README, "A ViT that sees shape").
   */
  visionData?: string;
}

/** The two fine-tuning stages shared by STAVE and the control. */
export interface FineTuneStages {
  stage1Steps: number;
  stage2Steps: number;
  stage1Lr: number;
  stage2Lr: number;
  loraRank: number;
  loraAlpha: number;
  /**
   * Steps of a symmetry-breaking phase between stage 1 and stage 2, with stage 2's trainables and
   * learning rate, on the questions that state the phenomenon's first outcome (statesFirstOutcome).
   * Without it balanced temporal questions stay at chance in both arms (README, "Breaking the
   * question's symmetry").
   */
  symmetrySteps?: number;
  /** Every dimension gets an equal share of every stage's examples (StageSchedule.balanceDimensions). */
  balanceDimensions?: boolean;
  /**
   * Stage 2 (and the symmetry phase) also train the merger in full, in both arms: LoRA adapts the
   * ViT's and the decoder's projections but not the merger, and a frozen projector limits how much
   * of what the ViT (and STA) writes the decoder can read (README, "The merger trained in stage 2").
   */
  stage2Merger?: boolean;
}

/** Where STA goes and how it starts (STAVE and the STA arm of the classifier). */
export interface TemporalAttentionSettings {
  staLayers?: 'all' | number[];
  headScale?: number;
  projInit?: 'zero' | 'normal';
  tokenOrder?: 'paper' | 'staveq2';
}

/** What `addTemporalAttention` does when not told otherwise (the paper's STA), as `train stave` writes it to run.json. */
export const DEFAULT_STA: Required<TemporalAttentionSettings> = { staLayers: 'all', headScale: 0.25, projInit: 'zero', tokenOrder: 'paper' };

export interface FineTuneSettings extends CommonSettings, FineTuneStages, TemporalAttentionSettings {
  kind: 'stave' | 'control';
  /** The base run (or model directory) to start from. */
  from: string;
}

export interface ClassifySettings extends CommonSettings, TemporalAttentionSettings {
  kind: 'classify';
  from: string;
  /** With STA (STAVE's stage 1: STA + vision LayerNorms + head) or without (LayerNorms + head). */
  sta: boolean;
  steps: number;
  lr: number;
}

export type RunSettings = BaseSettings | PretrainingStageSettings | FineTuneSettings | ClassifySettings;

export const DEFAULT_COMMON = { seed: 0, batchSize: 16, checkpointEvery: 100, weightDecay: 0.01, maxGradNorm: 1.0 };

/**
 * The formats the default perception phase trains: the three closed ones. Captioning waits for the
 * curriculum: its shape words are unlearnable while the binding is not crossed, and drown its signal.
 * Multi-choice joined yes/no and caption matching once the language stage reads (described): from a
 * decoder that had only learned the letter prior it held the phase at chance (README, "A decoder that
 * can read").
 */
export const DEFAULT_PERCEPTION_FORMATS: readonly Format[] = ['yes_no', 'multi_choice', 'caption_matching'];

/**
 * Pipeline defaults for the `small` preset on the synthetic benchmark (the demo's; README, Training).
 * The vision stage is long because shape is learned late (87 % of object patches after 9000 steps,
 * 29 % after 300), and half its frames are a video's two-frame groups: an image-only stage trains only
 * the sum of the two frame kernels and reads shape 10 points worse in the groups a video feeds it; at
 * 18 000 steps tubelets read both at 87 % and the base's subject slot rose 8.5 points on validation
 * (README, "Tubelets"). After the yes/no and caption-matching binding, perception in every format
 * teaches the shape words the multi-choice and captioning answers need. The instruct stage runs on
 * the demo's 20 000 clips: on 2000 the binding phase memorised its clips (loss 0.002) and held
 * 85 % on validation, on 20 000 it generalises (README, "A base on 20 000 clips"). The language
 * stage reads: each closed question also after its clip's description, 4000 steps of a 6000-step
 * schedule (the checkpoint whose instruct crossed every closed format; the finished 6000 did not in
 * as many steps), and align trains the projector long enough (2000) to carry that reading onto the
 * video (README, "A decoder that can read"). The instruct stage ends with a polish, a warm restart
 * at half the rate: the two formats that name the shape (multi-choice, captioning), then everything;
 * it raised multi-choice and captioning perception by 5 and 3 points on validation, where a restart
 * that also trained the ViT did no better (README, "Polishing the base"). Its last phase, everything
 * at that rate, trains the ViT too: the captions of held-out compositions name what the ViT sees
 * rather than the change merger and decoder have seen for that shape (README, "The ViT in the last
 * phase").
 */
export const DEFAULT_BASE_STAGES: Record<PretrainingStage, StageSchedule> = {
  vision: { steps: 18000, lr: 2e-3, batchSize: 8, tubelets: 0.5 },
  language: { steps: 4000, scheduleSteps: 6000, lr: 3e-3, batchSize: 32, described: true },
  align: { steps: 2000, lr: 2e-3, batchSize: 16 },
  instruct: {
    steps: 0, lr: 2e-3, batchSize: 32,
    perceptionSteps: 4000, perceptionFormats: [...DEFAULT_PERCEPTION_FORMATS],
    curriculum: [
      { dimensions: ['perception'], steps: 3000, formats: [...FORMATS] },
      { dimensions: [...DIMENSIONS], steps: 1000, formats: [...FORMATS] },
      { dimensions: ['perception'], steps: 2500, formats: ['multi_choice', 'captioning'], lr: 1e-3 },
      { dimensions: [...DIMENSIONS], steps: 1000, formats: [...FORMATS], lr: 1e-3 },
      { dimensions: [...DIMENSIONS], steps: 1500, formats: ['captioning'], lr: 5e-4 },
      { dimensions: [...DIMENSIONS], steps: 1500, formats: [...FORMATS], lr: 5e-4, trainable: 'all' },
    ],
  },
};

/** The warmup every recipe uses: 5 % of the schedule, at least one step. */
export const warmupSteps = (scheduleSteps: number) => Math.max(1, Math.round(scheduleSteps * 0.05));
const warmup = warmupSteps;

function staOptions(s: TemporalAttentionSettings, seed: number) {
  return { layers: s.staLayers, head_scale: s.headScale, proj_init: s.projInit, token_order: s.tokenOrder, seed: seed + 1 };
}

function stagesOf(s: Exclude<RunSettings, BaseSettings>, dataset: Dataset): Stage[] {
  const videoQuestions = (filter?: Parameters<typeof trainingData>[2], balanced = false) => (m: VideoLM) => new VideoQuestions(trainingData(dataset, m, filter, s.seed, balanced));
  const one = (name: string, steps: number, lr: number, trainable: (n: string) => boolean, objective: Stage['objective'], begin?: Stage['begin']): Stage =>
    ({ name, steps, peakLr: lr, warmupSteps: warmup(steps), trainable, objective, begin });
  const truncated = (stage: Stage, scheduleSteps: number | undefined): Stage =>
    scheduleSteps === undefined ? stage : { ...stage, scheduleSteps, warmupSteps: warmup(scheduleSteps) };
  switch (s.kind) {
    case 'vision':
      return [truncated(one('vision', s.steps, s.lr, (n) => isVisionTower(n) || isVisionHead(n), () => new VisionPretraining(dataset, 'train', s.seed, { tubelets: s.tubelets ?? 0 })), s.scheduleSteps)];
    case 'language':
      return [truncated(one('language', s.steps, s.lr, isDecoder, (m) => new LanguageModeling(dataset.questions('train'), m, s.seed, { described: s.described === true })), s.scheduleSteps)];
    case 'align':
      return [truncated(one('align', s.steps, s.lr, isMerger, videoQuestions((q) => q.dimension === 'perception')), s.scheduleSteps)];
    case 'instruct': {
      const trainableIn = (what: InstructTrainable = s.instructTrainable ?? 'decoder') => (what === 'all' ? (n: string) => !isVisionHead(n) : (n: string) => isMerger(n) || isDecoder(n));
      const trainable = trainableIn();
      const balanced = s.balanceDimensions === true;
      const everything = s.steps > 0 ? [one('instruct', s.steps, s.lr, trainable, videoQuestions(undefined, balanced))] : [];
      const formats = s.perceptionFormats ?? FORMATS;
      const perception = s.perceptionSteps ? [one('perception', s.perceptionSteps, s.lr, trainable, videoQuestions((q) => q.dimension === 'perception' && formats.includes(q.format)))] : [];
      const curriculum = (s.curriculum ?? []).map((phase) => {
        const name = coversEveryDimension(phase) ? 'all' : phase.dimensions.join('+');
        const phaseFormats = phase.formats ?? formats;
        const inPhase = (q: Question) => (phase.dimensions as string[]).includes(q.dimension) && phaseFormats.includes(q.format);
        if (!dataset.questions('train').some(inPhase)) {
          throw new TempolabError(`curriculum phase ${name} has no ${phaseFormats.join(' or ')} questions in the train split of ${dataset.dir}: give a curriculum of dimensions this data has, or --curriculum none`);
        }
        return one(`curriculum ${name}`, phase.steps, phase.lr ?? s.lr, trainableIn(phase.trainable), videoQuestions(inPhase, balanced));
      });
      return [...perception, ...curriculum, ...everything];
    }
    case 'classify': {
      const head = (n: string) => isVideoClassifierHead(n) || isVisionLayerNorm(n) || (s.sta && isTemporalAttention(n));
      const begin = s.sta ? (m: VideoLM) => addTemporalAttention(m, staOptions(s, s.seed)) : undefined;
      return [one('classify', s.steps, s.lr, head, () => new VideoClassification(dataset, 'train', s.seed), begin)];
    }
    case 'stave':
    case 'control': {
      const sta = s.kind === 'stave';
      const lora = (m: VideoLM) => withLora(m, { rank: s.loraRank, alpha: s.loraAlpha, seed: s.seed + 2 });
      const balanced = s.balanceDimensions === true;
      const stage1Trainable = sta ? (n: string) => isTemporalAttention(n) || isVisionLayerNorm(n) : isVisionLayerNorm;
      const adapted = (n: string) => isLoraParameter(n) || (s.stage2Merger === true && isMerger(n));
      const stage2Trainable = sta ? (n: string) => adapted(n) || isTemporalAttention(n) : adapted;
      const symmetry = s.symmetrySteps
        ? [one('symmetry', s.symmetrySteps, s.stage2Lr, stage2Trainable, videoQuestions((q) => statesFirstOutcome(dataset, q), balanced), lora)]
        : [];
      return [
        one('stage1', s.stage1Steps, s.stage1Lr, stage1Trainable, videoQuestions(undefined, balanced), sta ? (m) => addTemporalAttention(m, staOptions(s, s.seed)) : undefined),
        ...symmetry,
        one('stage2', s.stage2Steps, s.stage2Lr, stage2Trainable, videoQuestions(undefined, balanced), symmetry.length ? undefined : lora),
      ];
    }
  }
}

function trainingData(dataset: Dataset, model: VideoLM, filter: ((q: Question) => boolean) | undefined, seed: number, balanced: boolean): TrainingData {
  return new TrainingData(dataset, model, 'train', seed, filter, balanced ? (q) => q.dimension : undefined);
}

/** The model a run starts from: a fresh preset (vision) or the previous run's final model. */
async function initialModel(s: Exclude<RunSettings, BaseSettings>): Promise<VideoLM> {
  if (s.kind === 'vision' && !s.from) {
    const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
    return createVideoLM(presetConfig(s.preset ?? 'small', tokenizer.vocabSize, tokenizer.special), s.seed, tokenizer);
  }
  if (!s.from) throw new TempolabError(`a ${s.kind} run needs --from: the run (or model directory) it continues`);
  return loadVideoLM(resolveModelDir(s.from));
}

/**
 * A run directory's model is its checkpoint; a base pipeline's is its last stage's; a plain HF
 * model directory is itself.
 */
export function resolveModelDir(dir: string): string {
  if (existsSync(path.join(dir, 'config.json'))) return dir;
  if (existsSync(path.join(dir, 'checkpoint', 'config.json'))) return path.join(dir, 'checkpoint');
  const last = path.join(dir, PRETRAINING_STAGES[PRETRAINING_STAGES.length - 1]!, 'checkpoint');
  if (existsSync(path.join(last, 'config.json'))) return last;
  if (existsSync(path.join(dir, 'run.json'))) throw new TempolabError(`${dir} is a training run without a usable checkpoint/ (none saved yet, or a save was interrupted); 'tempolab train <kind> --resume --out ${dir}' recovers the newest complete one`);
  throw new TempolabError(`${dir} is neither a model directory (config.json) nor a training run (checkpoint/config.json)`);
}

export interface TrainCallbacks {
  onStep?: (p: StepProgress) => void;
  shouldStop?: () => boolean;
  onCheckpointPhase?: RunOptions['onCheckpointPhase'];
  onStart?: (info: { run: string; totalSteps: number; resumedAt: number; sequenceLength: number; examples: number }) => void;
}

export async function readRunSettings(runDir: string): Promise<RunSettings> {
  const file = path.join(runDir, 'run.json');
  if (!existsSync(file)) throw new TempolabError(`${runDir} has no run.json: nothing to resume (start the run without --resume)`);
  return JSON.parse(await fs.readFile(file, 'utf8')) as RunSettings;
}

/** The settings of pipeline stage `stage` of a base run. */
export function pipelineStage(s: BaseSettings, stage: PretrainingStage): PretrainingStageSettings {
  const i = PRETRAINING_STAGES.indexOf(stage);
  const schedule = s.stages[stage];
  return {
    kind: stage,
    data: stage === 'vision' && s.visionData ? s.visionData : s.data,
    out: path.join(s.out, stage),
    seed: s.seed,
    batchSize: schedule.batchSize,
    checkpointEvery: s.checkpointEvery,
    weightDecay: s.weightDecay,
    maxGradNorm: s.maxGradNorm,
    steps: schedule.steps,
    lr: schedule.lr,
    warmupSteps: warmup(schedule.scheduleSteps ?? schedule.steps),
    ...(schedule.scheduleSteps !== undefined ? { scheduleSteps: schedule.scheduleSteps } : {}),
    ...(i === 0 ? { preset: s.preset } : { from: path.join(s.out, PRETRAINING_STAGES[i - 1]!) }),
    ...(stage === 'instruct' ? { instructTrainable: s.instructTrainable, ...instructPhasesOf(schedule) } : {}),
    ...(stage === 'language' && schedule.described ? { described: true } : {}),
    ...(stage === 'vision' && schedule.tubelets ? { tubelets: schedule.tubelets } : {}),
  };
}

/** An instruct schedule's perception phase and curriculum, each stored only when it has one. */
function instructPhasesOf(schedule: StageSchedule): Pick<PretrainingStageSettings, 'perceptionSteps' | 'perceptionFormats' | 'curriculum' | 'balanceDimensions'> {
  return {
    ...(schedule.balanceDimensions ? { balanceDimensions: true } : {}),
    ...(schedule.perceptionSteps ? { perceptionSteps: schedule.perceptionSteps } : {}),
    ...(schedule.perceptionFormats && (schedule.perceptionSteps || schedule.curriculum?.length) ? { perceptionFormats: schedule.perceptionFormats } : {}),
    ...(schedule.curriculum?.length ? { curriculum: schedule.curriculum } : {}),
  };
}

/**
 * `attribute_change:1000,attribute_change+order:1500` as curriculum phases, a phase optionally with
 * its own formats (`perception:1500:yes_no+multi_choice`) and its own peak learning rate
 * (`all:1000:all@5e-4`; `all` is every dimension or every format) and what it trains when not the
 * stage's (`all:1500:all@5e-4!all`: the whole model; `!decoder`: merger + decoder); `flag` names the
 * option in errors.
 */
export function parseCurriculum(flag: string, text: string): CurriculumPhase[] {
  const wrong = (why: string) => new TempolabError(`${flag} ${why}: write phases as DIM+DIM:STEPS[:FORMAT+FORMAT][@LR][!TRAINABLE], comma-separated, with DIM from ${DIMENSIONS.join(', ')} or all, FORMAT from ${FORMATS.join(', ')} or all and TRAINABLE decoder or all (e.g. attribute_change:1000,attribute_change+order:1500,all:1000:all@5e-4!all); got '${text}'`);
  const names = <T extends string>(list: string, known: readonly T[], what: string): T[] => {
    if (list.trim() === 'all') return [...known];
    const items = [...new Set(list.split('+').map((d) => d.trim()))];
    const unknown = items.filter((d) => !(known as readonly string[]).includes(d));
    if (unknown.length) throw wrong(`names '${unknown.join("', '")}', not a ${what}`);
    return items as T[];
  };
  return text.split(',').map((phase) => {
    const [scheduled, trainableText, ...moreTrainable] = phase.trim().split('!');
    const [body, lrText, ...moreLr] = scheduled!.split('@');
    const [dims, steps, formats, ...extra] = body!.split(':');
    if (!dims || steps === undefined || extra.length || moreLr.length || moreTrainable.length) throw wrong(`has a phase '${phase.trim()}' that is not DIM+DIM:STEPS`);
    const trainable = trainableText?.trim();
    if (trainable !== undefined && trainable !== 'decoder' && trainable !== 'all') throw wrong(`gives '${trainableText}' as what ${dims} trains; it must be decoder or all`);
    const dimensions = names(dims, DIMENSIONS, 'dimension');
    if (!/^\d+$/.test(steps.trim()) || Number(steps) < 1) throw wrong(`gives '${steps}' steps for ${dims}; steps must be a whole number ≥ 1`);
    const lr = lrText === undefined ? undefined : Number(lrText);
    if (lr !== undefined && !(lrText!.trim() !== '' && Number.isFinite(lr) && lr > 0)) throw wrong(`gives the learning rate '${lrText}' for ${dims}; it must be a number > 0`);
    return { dimensions, steps: Number(steps), ...(formats === undefined ? {} : { formats: names(formats, FORMATS, 'format') }), ...(lr === undefined ? {} : { lr }), ...(trainable === undefined ? {} : { trainable }) };
  });
}

/** Curriculum phases as parseCurriculum reads them back ('none' for none). */
export function formatCurriculum(phases: readonly CurriculumPhase[] | undefined): string {
  if (!phases?.length) return 'none';
  const list = (items: readonly string[], known: readonly string[]) => (known.every((k) => items.includes(k)) ? 'all' : items.join('+'));
  return phases.map((p) => `${list(p.dimensions, DIMENSIONS)}:${p.steps}${p.formats ? `:${list(p.formats, FORMATS)}` : ''}${p.lr === undefined ? '' : `@${p.lr}`}${p.trainable ? `!${p.trainable}` : ''}`).join(',');
}

/** How many stages a (non-pipeline) run trains. */
function stageCount(s: Exclude<RunSettings, BaseSettings>): number {
  if (s.kind === 'stave' || s.kind === 'control') return s.symmetrySteps ? 3 : 2;
  if (s.kind !== 'instruct') return 1;
  return (s.steps > 0 ? 1 : 0) + (s.perceptionSteps ? 1 : 0) + (s.curriculum?.length ?? 0);
}

/** Whether a run directory holds a finished run (its checkpoint has passed its last stage). */
export async function finished(runDir: string): Promise<boolean> {
  if (!existsSync(path.join(runDir, 'run.json'))) return false;
  const saved = await latestCheckpoint(runDir);
  const settings = await readRunSettings(runDir);
  if (!saved || settings.kind === 'base') return false;
  return saved.stageIndex >= stageCount(settings);
}

/** The file in a base run, and in every finished run of another kind, that names the data it was trained on (see pretrainedBase.ts). */
export const RUN_DATASET_FILE = 'dataset.json';

/** Records which data a run trains on, so a later user of its model can check its data is the same. */
export async function writeRunDataset(runDir: string, dataset: Dataset): Promise<void> {
  await writeFileAtomic(path.join(runDir, RUN_DATASET_FILE), JSON.stringify(datasetIdentity(dataset.manifest), null, 2) + '\n');
}

const TRUNCATABLE: readonly string[] = ['vision', 'language', 'align'];

/** A schedule longer than its stage, on a stage that has one schedule: refused otherwise, before anything is written. */
function assertScheduleSteps(s: RunSettings): void {
  const check = (stage: string, schedule: { steps: number; scheduleSteps?: number }, flag: string) => {
    if (schedule.scheduleSteps === undefined) return;
    if (!TRUNCATABLE.includes(stage)) throw new TempolabError(`${flag} applies to the vision, language and align stages, not ${stage}: leave it out`);
    if (!Number.isInteger(schedule.scheduleSteps) || schedule.scheduleSteps < schedule.steps) {
      throw new TempolabError(`${flag} ${schedule.scheduleSteps} is shorter than the stage's ${schedule.steps} steps: give a whole number ≥ the steps (the schedule the stage stops partway down), or leave it out`);
    }
  };
  if (s.kind === 'base') for (const stage of PRETRAINING_STAGES) check(stage, s.stages[stage], `--${stage}-schedule-steps`);
  else check(s.kind, s as { steps: number; scheduleSteps?: number }, '--schedule-steps');
}

/** An instruct stage trains something: final steps on everything, or phases before them. */
function assertInstructSteps(s: RunSettings): void {
  const instruct = s.kind === 'base' ? s.stages.instruct : s.kind === 'instruct' ? s : null;
  if (!instruct || instruct.steps > 0 || instruct.perceptionSteps || instruct.curriculum?.length) return;
  throw new TempolabError(`the instruct stage has 0 steps on everything and no perception phase or curriculum, so it would train nothing: give ${s.kind === 'base' ? '--instruct-steps' : '--steps'} ≥ 1, or phases to end on`);
}

/** The base pipeline: each stage in its own run under out/, skipping finished ones and resuming a started one. */
async function trainPipeline(s: BaseSettings, resuming: boolean, callbacks: TrainCallbacks): Promise<RunResult> {
  const createdDir = !existsSync(s.out);
  if (!resuming) {
    const dataset = openDataset(s.data);
    if (s.visionData) openDataset(s.visionData);
    // Refused now rather than after the vision stage has run.
    if (s.stages.language.described) describableQuestions(dataset.questions('train'));
    await writeFileAtomic(path.join(s.out, 'run.json'), JSON.stringify(s, null, 2) + '\n');
    await writeRunDataset(s.out, dataset);
  }
  let last: RunResult | null = null;
  let seconds = 0;
  try {
    for (const stage of PRETRAINING_STAGES) {
      const settings = pipelineStage(s, stage);
      if (await finished(settings.out)) continue;
      const started = existsSync(path.join(settings.out, 'run.json'));
      last = await train(started ? { resume: settings.out } : settings, callbacks);
      seconds += last.seconds;
      if (last.interrupted) return { ...last, seconds };
    }
  } catch (error) {
    // The first stage's own failed start has already removed its directory; then so does the pipeline.
    if (!resuming) await abandonFailedStart(s.out, createdDir);
    throw error;
  }
  if (!last) {
    const model = await loadVideoLM(resolveModelDir(s.out));
    return { model, state: { stageIndex: 1, step: 0, globalStep: 0 }, interrupted: false, seconds: 0 };
  }
  return { ...last, seconds };
}

/**
 * Runs a recipe. With `resume`, settings come from the run's run.json and training continues from
 * its last checkpoint; without it, an existing run directory is an error (nothing is overwritten).
 */
export async function train(settings: RunSettings | { resume: string }, callbacks: TrainCallbacks = {}): Promise<RunResult> {
  const resuming = 'resume' in settings;
  const runDir = resuming ? settings.resume : settings.out;
  const s = resuming ? await readRunSettings(runDir) : settings;
  assertScheduleSteps(s);
  assertInstructSteps(s);
  const tubelets = s.kind === 'base' ? s.stages.vision.tubelets : s.kind === 'vision' ? s.tubelets : undefined;
  if (tubelets !== undefined) checkedTubeletShare(tubelets);
  if (!resuming) await assertNewRunDir(runDir);
  if (s.kind === 'base') return trainPipeline(s, resuming, callbacks);
  const createdDir = !existsSync(runDir);
  const checkpoint = resuming ? await loadCheckpoint(runDir) : null;
  const model = checkpoint?.model ?? (await initialModel(s));
  const dataset = openDataset(s.data);
  const stages = stagesOf(s, dataset);
  // Built once here to validate the data before anything is written (a failed start leaves nothing).
  const probe = stages[checkpoint?.state.stageIndex ?? 0] ?? stages[0]!;
  const objective = probe.objective(model);
  if (!resuming) await writeFileAtomic(path.join(runDir, 'run.json'), JSON.stringify(s, null, 2) + '\n');
  callbacks.onStart?.({ run: runDir, totalSteps: stages.reduce((a, st) => a + st.steps, 0), resumedAt: checkpoint?.state.globalStep ?? 0, sequenceLength: objective.sequenceLength, examples: objective.examples });
  try {
    const result = await runTraining(model, { runDir, stages, batchSize: s.batchSize, weightDecay: s.weightDecay, maxGradNorm: s.maxGradNorm, checkpointEvery: s.checkpointEvery, seed: s.seed, onStep: callbacks.onStep, shouldStop: callbacks.shouldStop, onCheckpointPhase: callbacks.onCheckpointPhase }, checkpoint);
    if (!result.interrupted) await writeRunDataset(runDir, dataset);
    return result;
  } catch (error) {
    if (!resuming) await abandonFailedStart(runDir, createdDir);
    throw error;
  }
}
