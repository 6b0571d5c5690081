import path from 'node:path';
import type { Command } from 'commander';
import { openDataset } from '../../data/dataset.js';
import { visionHeadAccuracy } from '../../eval/visionHeads.js';
import { TempolabError } from '../../engine/errors.js';
import { FORMATS, type Format } from '../../data/types.js';
import { PRESETS } from '../../models/config.js';
import { evaluateClassifierRun, classifierSummary } from '../../train/classifier.js';
import { warmupSteps, DEFAULT_BASE_STAGES, DEFAULT_COMMON, DEFAULT_PERCEPTION_FORMATS, PRETRAINING_STAGES, formatCurriculum, parseCurriculum, readRunSettings, train, type BaseSettings, type FineTuneSettings, type StageSchedule, type PretrainingStage, type RunSettings } from '../../train/recipes.js';
import { checkpointDir, type StepProgress } from '../../train/trainer.js';
import { interruptFlag } from '../interrupt.js';
import { int, layerList, oneOf, positiveNumber, rejectFlagsWithResume } from '../options.js';
import { progressBar, type ProgressReporter } from '../progress.js';

interface CommonFlags { data?: string; out: string; seed: string; batch: string; checkpointEvery: string; resume?: boolean }

function withoutBatch(flags: Omit<CommonFlags, 'batch'>) {
  return {
    data: flags.data ?? '',
    out: flags.out,
    seed: int('--seed', flags.seed),
    checkpointEvery: int('--checkpoint-every', flags.checkpointEvery, 1),
    weightDecay: DEFAULT_COMMON.weightDecay,
    maxGradNorm: DEFAULT_COMMON.maxGradNorm,
  };
}

function common(flags: CommonFlags) {
  return { ...withoutBatch(flags), batchSize: int('--batch', flags.batch, 1) };
}

/** Runs a recipe with a progress bar (step, loss, tokens/s, ETA) and Ctrl-C → save and stop. */
export async function runWithProgress(settings: RunSettings | { resume: string }, label: string): Promise<void> {
  const interrupt = interruptFlag();
  let bar: ProgressReporter | undefined;
  try {
    const result = await train(settings, {
      onStart: (i) => {
        bar?.stop();
        const resumed = 'resume' in settings ? (i.resumedAt ? `, resuming at step ${i.resumedAt}` : ', no complete checkpoint yet: starting again from step 0') : '';
        process.stderr.write(`${label}: ${i.run}: ${i.examples} training examples${resumed}\n`);
        bar = progressBar(label, i.totalSteps, ['stage', 'loss', 'tok/s']);
        bar.update(i.resumedAt);
      },
      onStep: (p: StepProgress) => bar?.update(p.globalStep, { stage: p.stage, loss: p.loss.toFixed(4), 'tok/s': p.tokensPerSecond.toFixed(0) }),
      shouldStop: interrupt.requested,
    });
    bar?.stop();
    const out = 'resume' in settings ? settings.resume : settings.out;
    if (result.interrupted) {
      process.stderr.write(`${label}: stopped at step ${result.state.globalStep} (checkpoint saved); continue with --resume --out ${out}\n`);
      process.exitCode = interrupt.exitCode();
    }
    else {
      process.stderr.write(`${label}: done in ${result.seconds.toFixed(0)} s; model in ${out}/checkpoint\n`);
      await printVisionHeads(out);
    }
  } finally {
    bar?.stop();
    interrupt.dispose();
  }
}

/** After a run with a vision stage: what its ViT sees, by its own heads on held-out clips (val, else test). */
async function printVisionHeads(out: string): Promise<void> {
  const s = await readRunSettings(out);
  if (s.kind !== 'vision' && s.kind !== 'base') return;
  const dataset = openDataset(s.kind === 'base' && s.visionData ? s.visionData : s.data);
  const split = (['val', 'test'] as const).find((sp) => dataset.videos(sp).some((v) => v.scene && v.phenomenon !== undefined));
  if (!split) return void process.stderr.write(`vision heads: ${dataset.dir} has no held-out synthetic clips to score them on\n`);
  const a = await visionHeadAccuracy(checkpointDir(s.kind === 'base' ? path.join(out, 'vision') : out), dataset, { split });
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  process.stderr.write(`vision heads on ${a.clips} ${split} clips: colour ${pct(a.colour)} of patches, shape ${pct(a.shape)} of object patches, ${pct(a.centreShape)} where the centre is (chance 20%); in two-frame groups as video feeds it, shape ${pct(a.tubeletShape)}\n`);
}

const TUBELETS_HELP = 'share of frames (0 to 1) fed as the two-frame groups a video gives the ViT (frame t with its neighbour) instead of as images; static targets either way';

/** A --tubelets share as a number; train() refuses one outside 0…1 before anything is written. */
function tubeletShare(flag: string, value: string): number {
  const share = Number(value);
  if (value.trim() === '' || Number.isNaN(share)) throw new TempolabError(`${flag} ${value} is not a number: give a share from 0 (every frame an image) to 1 (every frame in a two-frame group)`);
  return share;
}

/** A stage's default schedule length belongs to its default steps: other steps get a schedule of their own length. */
function scheduleStepsHelp(d: StageSchedule): string {
  const fallback = d.scheduleSteps === undefined ? 'the steps' : `${d.scheduleSteps} with the default ${d.steps} steps, else the steps`;
  return `length of the warmup + cosine schedule when longer than the steps: the stage stops partway down it (default: ${fallback})`;
}

function scheduleStepsOf(flag: string, value: string | undefined, steps: number, d: StageSchedule): { scheduleSteps?: number } {
  if (value !== undefined) return { scheduleSteps: int(flag, value, 1) };
  return d.scheduleSteps !== undefined && steps === d.steps ? { scheduleSteps: d.scheduleSteps } : {};
}

const CURRICULUM_HELP = "phases after the perception phase, DIM+DIM:STEPS[:FORMAT+FORMAT][@LR][!TRAINABLE] comma-separated, a phase's own formats, peak learning rate and trainable set (decoder: merger + decoder; all: the ViT too) last, all for every dimension or format (e.g. attribute_change:1000,attribute_change+order:1500,all:1000:all@5e-4!all; none: no phases)";
const INSTRUCT_STEPS_HELP = 'steps on every format and dimension after the phases (0: none, the stage ends on its last phase)';

const DESCRIBED_HELP = 'also trains each closed question after a text description of its clip (reading comprehension: the option letter the context supports)';

const STAGE_HELP: Record<PretrainingStage, string> = {
  vision: 'pretraining of the ViT on static targets: dense supervised heads (colour, shape, position, size, orientation) on single frames and, for the --tubelets share, two-frame groups; no temporal objective',
  language: 'the decoder as a text language model over the benchmark\'s questions and answers (no video)',
  align: 'ViT and decoder frozen: the merger (projector) trained on the perception questions',
  instruct: 'instruction tuning on every format and dimension: the base VideoLM',
};

function staFlags(c: Command): Command {
  return c
    .option('--sta-layers <list>', 'vision blocks that get STA: "all" or indices like 0,2', 'all')
    .option('--head-scale <x>', 'temporal heads = max(1, round(x · spatial heads))', '0.25')
    .option('--proj-init <how>', 'temp_attn.proj initialisation: zero (paper) or normal (STAVEQ2 create_base.py)', 'zero')
    .option('--token-order <order>', 'paper, or staveq2 (the public code\'s row order)', 'paper');
}

function staSettings(f: Record<string, string>) {
  return {
    staLayers: layerList('--sta-layers', f.staLayers!),
    headScale: positiveNumber('--head-scale', f.headScale!),
    projInit: oneOf('--proj-init', f.projInit!, ['zero', 'normal'] as const),
    tokenOrder: oneOf('--token-order', f.tokenOrder!, ['paper', 'staveq2'] as const),
  };
}

export function registerTrain(program: Command): void {
  const trainCmd = program.command('train').description('train the base VideoLM in stages (vision, language, align, instruct), then STAVE or its control; the vision-only classifier');
  // `train base` has no --batch: each of its stages has its own --<stage>-batch.
  const withCommon = (c: Command, batch: number | 'per stage' = DEFAULT_COMMON.batchSize) => {
    c.requiredOption('--out <run>', 'run directory (checkpoints, log.jsonl, run.json)')
      .option('--data <dir>', 'dataset directory (tempolab data synth / import)')
      .option('--seed <n>', 'seed for initialisation and data order', '0');
    if (batch !== 'per stage') c.option('--batch <n>', 'examples per step', String(batch));
    return c.option('--checkpoint-every <n>', 'steps between checkpoints', String(DEFAULT_COMMON.checkpointEvery))
      .option('--resume', 'continue the run in --out from its last checkpoint (other flags come from its run.json)');
  };

  const base = withCommon(trainCmd.command('base').description('the whole pipeline in order, each stage in RUN/<stage>: vision → language → align → instruct'), 'per stage')
    .option('--preset <name>', `model preset: ${PRESETS.join(', ')}`, 'small')
    .option('--instruct-trainable <what>', 'instruct trains "decoder" (merger + decoder; the ViT stays as the vision stage left it) or "all", where a curriculum phase names no !TRAINABLE of its own', 'decoder');
  for (const stage of PRETRAINING_STAGES) {
    const d = DEFAULT_BASE_STAGES[stage];
    base.option(`--${stage}-steps <n>`, stage === 'instruct' ? `instruct ${INSTRUCT_STEPS_HELP}` : `${stage} stage steps`, String(d.steps)).option(`--${stage}-lr <x>`, `${stage} stage peak learning rate`, String(d.lr)).option(`--${stage}-batch <n>`, `${stage} stage batch`, String(d.batchSize));
    if (stage !== 'instruct') base.option(`--${stage}-schedule-steps <n>`, `${stage} stage ${scheduleStepsHelp(d)}`);
  }
  base.option('--instruct-perception-steps <n>', 'instruct steps on perception questions alone before every format (0: none)', String(DEFAULT_BASE_STAGES.instruct.perceptionSteps ?? 0))
    .option('--instruct-perception-formats <list>', `formats of those steps and of the curriculum's, comma-separated: ${FORMATS.join(', ')} (default: ${DEFAULT_PERCEPTION_FORMATS.join(',')})`)
    .option('--instruct-curriculum <phases>', CURRICULUM_HELP, formatCurriculum(DEFAULT_BASE_STAGES.instruct.curriculum))
    .option('--instruct-balance-dimensions', 'every dimension of a curriculum phase and of the final steps on everything gets an equal share of the examples')
    .option('--language-described', `the language stage ${DESCRIBED_HELP}${DEFAULT_BASE_STAGES.language.described ? ' (default)' : ''}`, DEFAULT_BASE_STAGES.language.described === true)
    .option('--no-language-described', 'the language stage trains the questions without descriptions')
    .option('--vision-data <dir>', 'the vision stage trains on this synthetic dataset instead of --data (more images for the ViT)')
    .option('--vision-tubelets <share>', `the vision stage ${TUBELETS_HELP}`, String(DEFAULT_BASE_STAGES.vision.tubelets ?? 0));
  base.action(async (f: CommonFlags & Record<string, string>, command: Command) => {
    if (f.resume) {
      rejectFlagsWithResume(command);
      return runWithProgress({ resume: f.out }, 'base');
    }
    requireData(f);
    const stages = Object.fromEntries(PRETRAINING_STAGES.map((st) => {
      const steps = int(`--${st}-steps`, f[`${st}Steps`]!, st === 'instruct' ? 0 : 1);
      return [st, {
        steps,
        lr: positiveNumber(`--${st}-lr`, f[`${st}Lr`]!),
        batchSize: int(`--${st}-batch`, f[`${st}Batch`]!, 1),
        ...scheduleStepsOf(`--${st}-schedule-steps`, f[`${st}ScheduleSteps`], steps, DEFAULT_BASE_STAGES[st]),
      }];
    })) as BaseSettings['stages'];
    if (f.languageDescribed) stages.language.described = true;
    const tubelets = tubeletShare('--vision-tubelets', f.visionTubelets!);
    if (tubelets) stages.vision.tubelets = tubelets;
    Object.assign(stages.instruct, instructPhases(['--instruct-perception-steps', f.instructPerceptionSteps!], ['--instruct-perception-formats', f.instructPerceptionFormats], ['--instruct-curriculum', f.instructCurriculum], Boolean(f.instructBalanceDimensions)));
    await runWithProgress({ kind: 'base', ...withoutBatch(f), preset: oneOf('--preset', f.preset!, PRESETS), stages, instructTrainable: oneOf('--instruct-trainable', f.instructTrainable!, ['decoder', 'all'] as const), ...(f.visionData ? { visionData: f.visionData } : {}) }, 'base');
  });

  for (const stage of PRETRAINING_STAGES) {
    const d = DEFAULT_BASE_STAGES[stage];
    const c = withCommon(trainCmd.command(stage).description(`one stage of the base pipeline: ${STAGE_HELP[stage]}`), d.batchSize)
      .option('--steps <n>', stage === 'instruct' ? INSTRUCT_STEPS_HELP : 'training steps', String(d.steps))
      .option('--lr <x>', 'peak learning rate (warmup + cosine)', String(d.lr));
    if (stage !== 'instruct') c.option('--schedule-steps <n>', scheduleStepsHelp(d));
    if (stage === 'vision') c.option('--preset <name>', `model preset when starting fresh: ${PRESETS.join(', ')}`, 'small').option('--from <run>', 'continue from this run or model instead of a fresh preset').option('--tubelets <share>', TUBELETS_HELP, String(d.tubelets ?? 0));
    else c.option('--from <run>', 'the previous stage\'s run (or a model directory)');
    if (stage === 'language') c.option('--described', `${DESCRIBED_HELP}${d.described ? ' (default)' : ''}`, d.described === true).option('--no-described', 'trains the questions without descriptions');
    if (stage === 'instruct') {
      c.option('--instruct-trainable <what>', '"decoder" (merger + decoder) or "all", where a curriculum phase names no !TRAINABLE of its own', 'decoder')
        .option('--perception-steps <n>', 'steps on perception questions alone before --steps on every format (0: none)', String(d.perceptionSteps ?? 0))
        .option('--perception-formats <list>', `formats of those steps and of the curriculum's, comma-separated: ${FORMATS.join(', ')} (default: ${DEFAULT_PERCEPTION_FORMATS.join(',')})`)
        .option('--curriculum <phases>', CURRICULUM_HELP, formatCurriculum(d.curriculum))
        .option('--balance-dimensions', 'every dimension of a curriculum phase and of the final steps on everything gets an equal share of the examples');
    }
    c.action(async (f: CommonFlags & Record<string, string>, command: Command) => {
      if (f.resume) {
        rejectFlagsWithResume(command);
        return runWithProgress({ resume: f.out }, stage);
      }
      requireData(f);
      const steps = int('--steps', f.steps!, stage === 'instruct' ? 0 : 1);
      const schedule = scheduleStepsOf('--schedule-steps', f.scheduleSteps, steps, d);
      const tubelets = stage === 'vision' ? tubeletShare('--tubelets', f.tubelets!) : 0;
      await runWithProgress({
        kind: stage,
        ...common(f),
        steps,
        lr: positiveNumber('--lr', f.lr!),
        warmupSteps: warmupSteps(schedule.scheduleSteps ?? steps),
        ...schedule,
        ...(f.from ? { from: f.from } : {}),
        ...(stage === 'vision' && !f.from ? { preset: oneOf('--preset', f.preset!, PRESETS) } : {}),
        ...(stage === 'language' && f.described ? { described: true } : {}),
        ...(tubelets ? { tubelets } : {}),
        ...(stage === 'instruct' ? { instructTrainable: oneOf('--instruct-trainable', f.instructTrainable!, ['decoder', 'all'] as const), ...instructPhases(['--perception-steps', f.perceptionSteps!], ['--perception-formats', f.perceptionFormats], ['--curriculum', f.curriculum], Boolean(f.balanceDimensions)) } : {}),
      }, stage);
    });
  }

  for (const kind of ['stave', 'control'] as const) {
    const c = withCommon(
      trainCmd.command(kind).description(
        kind === 'stave'
          ? 'add zero-initialised STA to a base run, then stage 1 (STA + vision LayerNorms) and stage 2 (LoRA + STA)'
          : 'the fair control: the same base, data order, steps and stages (vision LayerNorms, then LoRA) without STA',
      ),
    )
      .option('--from <run>', 'the base run (or model directory) to start from')
      .option('--stage1-steps <n>', 'stage 1 steps', '150')
      .option('--stage2-steps <n>', 'stage 2 steps', '150')
      .option('--stage1-lr <x>', 'stage 1 peak learning rate', '2e-3')
      .option('--stage2-lr <x>', 'stage 2 peak learning rate', '1e-3')
      .option('--lora-rank <r>', 'LoRA rank', '8')
      .option('--lora-alpha <a>', 'LoRA alpha (scale = alpha / rank)', '16')
      .option('--symmetry-steps <n>', "steps between stage 1 and stage 2 on the questions that state the phenomenon's first outcome (stage 2's trainables and learning rate; synthetic data)", '0')
      .option('--balance-dimensions', 'every dimension gets an equal share of every stage\'s examples')
      .option('--stage2-merger', 'stage 2 and the symmetry phase also train the merger (projector) in full');
    if (kind === 'stave') staFlags(c);
    c.action(async (f: CommonFlags & Record<string, string>, command: Command) => {
      if (f.resume) {
        rejectFlagsWithResume(command);
        return runWithProgress({ resume: f.out }, kind);
      }
      requireData(f);
      if (!f.from) throw new TempolabError(`--from is required: the base run to start ${kind} from`);
      const settings: RunSettings = {
        kind,
        ...common(f),
        from: f.from,
        stage1Steps: int('--stage1-steps', f.stage1Steps!, 1),
        stage2Steps: int('--stage2-steps', f.stage2Steps!, 1),
        stage1Lr: positiveNumber('--stage1-lr', f.stage1Lr!),
        stage2Lr: positiveNumber('--stage2-lr', f.stage2Lr!),
        loraRank: int('--lora-rank', f.loraRank!, 1),
        loraAlpha: positiveNumber('--lora-alpha', f.loraAlpha!),
        ...symmetryPhase(int('--symmetry-steps', f.symmetrySteps!, 0), Boolean(f.balanceDimensions)),
        ...(f.stage2Merger ? { stage2Merger: true } : {}),
        ...(kind === 'stave' ? staSettings(f) : {}),
      };
      await runWithProgress(settings, kind);
    });
  }

  const classify = withCommon(trainCmd.command('classify').description('the vision-only check of STA: the pretrained ViT (± STA, stage-1 recipe) + a linear head over the 26 phenomenon outcomes; prints test accuracy and opposing-pair accuracy'))
    .option('--from <run>', 'the run whose ViT to use (a base run, or its vision stage)')
    .option('--no-sta', 'the control arm: vision LayerNorms + head only')
    .option('--steps <n>', 'training steps', '1500')
    .option('--lr <x>', 'peak learning rate', '2e-3');
  staFlags(classify).action(async (f: CommonFlags & Record<string, string> & { sta: boolean }, command: Command) => {
    if (f.resume) {
      rejectFlagsWithResume(command);
      await runWithProgress({ resume: f.out }, 'classify');
    } else {
      requireData(f);
      if (!f.from) throw new TempolabError('--from is required: the run whose ViT to use (a base run, or its vision stage)');
      await runWithProgress({ kind: 'classify', ...common(f), from: f.from, sta: f.sta, steps: int('--steps', f.steps!, 1), lr: positiveNumber('--lr', f.lr!), ...staSettings(f) }, 'classify');
    }
    const result = await evaluateClassifierRun(f.out, 'test');
    process.stdout.write(classifierSummary(result) + '\n');
  });
}

/** A fine-tune's symmetry-breaking phase and balancing, each stored only when set (old run.json files read the same). */
function symmetryPhase(steps: number, balanceDimensions: boolean): Pick<FineTuneSettings, 'symmetrySteps' | 'balanceDimensions'> {
  return { ...(steps ? { symmetrySteps: steps } : {}), ...(balanceDimensions ? { balanceDimensions: true } : {}) };
}

/**
 * The instruct stage's perception phase and temporal curriculum from their flags, each stored only
 * when set (0 steps = no perception phase); without a formats flag they train the default
 * pipeline's formats.
 */
function instructPhases(
  [stepsFlag, stepsValue]: [string, string],
  [formatsFlag, formatsValue]: [string, string | undefined],
  [curriculumFlag, curriculumValue]: [string, string | undefined],
  balanceDimensions: boolean,
): Pick<StageSchedule, 'perceptionSteps' | 'perceptionFormats' | 'curriculum' | 'balanceDimensions'> {
  const steps = int(stepsFlag, stepsValue, 0);
  const curriculum = curriculumValue === undefined || curriculumValue === 'none' ? [] : parseCurriculum(curriculumFlag, curriculumValue);
  const balance = balanceDimensions ? { balanceDimensions: true } : {};
  if (!steps && !curriculum.length) {
    if (formatsValue !== undefined) throw new TempolabError(`${formatsFlag} chooses the formats of the perception phase and the curriculum, which are off; give ${stepsFlag} N or ${curriculumFlag} as well`);
    return balance;
  }
  const phases = { ...balance, ...(steps ? { perceptionSteps: steps } : {}), ...(curriculum.length ? { curriculum } : {}) };
  if (formatsValue === undefined) return { ...phases, perceptionFormats: [...DEFAULT_PERCEPTION_FORMATS] };
  const formats = [...new Set(formatsValue.split(',').map((f) => f.trim()))];
  const unknown = formats.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (!formats.length || unknown.length) throw new TempolabError(`${formatsFlag} must list formats from ${FORMATS.join(', ')}, comma-separated; got '${formatsValue}'`);
  return { ...phases, perceptionFormats: formats as Format[] };
}


function requireData(f: { data?: string }): void {
  if (!f.data) throw new TempolabError('--data is required: the dataset to train on (make one with tempolab data synth --out DIR)');
}
