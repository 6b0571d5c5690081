import type { Command } from 'commander';
import { TempolabError } from '../../engine/errors.js';
import { PRESETS } from '../../models/config.js';
import { DEFAULT_COMMON, train, type RunSettings } from '../../train/recipes.js';
import type { StepProgress } from '../../train/trainer.js';
import { interruptFlag } from '../interrupt.js';
import { int, layerList, oneOf, positiveNumber, rejectFlagsWithResume } from '../options.js';
import { progressBar, type ProgressReporter } from '../progress.js';

interface CommonFlags { data?: string; out: string; seed: string; batch: string; checkpointEvery: string; resume?: boolean }

function common(flags: CommonFlags) {
  return {
    data: flags.data ?? '',
    out: flags.out,
    seed: int('--seed', flags.seed),
    batchSize: int('--batch', flags.batch, 1),
    checkpointEvery: int('--checkpoint-every', flags.checkpointEvery, 1),
    weightDecay: DEFAULT_COMMON.weightDecay,
    maxGradNorm: DEFAULT_COMMON.maxGradNorm,
  };
}

/** Runs a recipe with a progress bar (step, loss, tokens/s, ETA) and Ctrl-C → save and stop. */
export async function runWithProgress(settings: RunSettings | { resume: string }, label: string): Promise<void> {
  const interrupt = interruptFlag();
  let bar: ProgressReporter | undefined;
  try {
    const result = await train(settings, {
      onStart: (i) => {
        process.stderr.write(`${label}: ${i.examples} training questions, sequence length ${i.sequenceLength}${i.resumedAt ? `, resuming at step ${i.resumedAt}` : ''}\n`);
        bar = progressBar(label, i.totalSteps, ['stage', 'loss', 'tok/s']);
        bar.update(i.resumedAt);
      },
      onStep: (p: StepProgress) => bar?.update(p.globalStep, { stage: p.stage, loss: p.loss.toFixed(4), 'tok/s': p.tokensPerSecond.toFixed(0) }),
      shouldStop: interrupt.requested,
    });
    bar?.stop();
    const out = 'resume' in settings ? settings.resume : settings.out;
    if (result.interrupted) {
      process.stderr.write(`${label}: stopped at step ${result.state.globalStep}; continue with the same command and --resume\n`);
      // The shell's convention for a job ended by Ctrl-C, so scripts can tell it from success.
      process.exitCode = 130;
    }
    else process.stderr.write(`${label}: done in ${result.seconds.toFixed(0)} s; model in ${out}/checkpoint\n`);
  } finally {
    bar?.stop();
    interrupt.dispose();
  }
}

export function registerTrain(program: Command): void {
  const trainCmd = program.command('train').description('train a base VideoLM, then STAVE (STA + two stages) or its control');
  const withCommon = (c: Command) =>
    c
      .requiredOption('--out <run>', 'run directory (checkpoints, log.jsonl, run.json)')
      .option('--data <dir>', 'dataset directory (tempolab data synth / import)')
      .option('--seed <n>', 'seed for initialisation and data order', '0')
      .option('--batch <n>', 'questions per step', String(DEFAULT_COMMON.batchSize))
      .option('--checkpoint-every <n>', 'steps between checkpoints', String(DEFAULT_COMMON.checkpointEvery))
      .option('--resume', 'continue the run in --out from its last checkpoint (other flags come from its run.json)');

  withCommon(trainCmd.command('base').description('pretrain a VideoLM without STA from scratch on the synthetic train split'))
    .option('--preset <name>', `model preset: ${PRESETS.join(', ')}`, 'small')
    .option('--steps <n>', 'training steps', '600')
    .option('--lr <x>', 'peak learning rate (warmup + cosine)', '2e-3')
    .action(async (f: CommonFlags & { preset: string; steps: string; lr: string }, command: Command) => {
      if (f.resume) {
        rejectFlagsWithResume(command);
        return runWithProgress({ resume: f.out }, 'base');
      }
      requireData(f);
      const steps = int('--steps', f.steps, 1);
      await runWithProgress({ kind: 'base', ...common(f), preset: oneOf('--preset', f.preset, PRESETS), steps, lr: positiveNumber('--lr', f.lr), warmupSteps: Math.max(1, Math.round(steps * 0.05)) }, 'base');
    });

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
      .option('--lora-alpha <a>', 'LoRA alpha (scale = alpha / rank)', '16');
    if (kind === 'stave') {
      c.option('--sta-layers <list>', 'vision blocks that get STA: "all" or indices like 0,2', 'all')
        .option('--head-scale <x>', 'temporal heads = max(1, round(x · spatial heads))', '0.25')
        .option('--proj-init <how>', 'temp_attn.proj initialisation: zero (paper) or normal (STAVEQ2 create_base.py)', 'zero')
        .option('--token-order <order>', 'paper, or staveq2 (the public code\'s row order)', 'paper');
    }
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
        ...(kind === 'stave'
          ? {
              staLayers: layerList('--sta-layers', f.staLayers!),
              headScale: positiveNumber('--head-scale', f.headScale!),
              projInit: oneOf('--proj-init', f.projInit!, ['zero', 'normal'] as const),
              tokenOrder: oneOf('--token-order', f.tokenOrder!, ['paper', 'staveq2'] as const),
            }
          : {}),
      };
      await runWithProgress(settings, kind);
    });
  }
}

function requireData(f: { data?: string }): void {
  if (!f.data) throw new TempolabError('--data is required: the dataset to train on (make one with tempolab data synth --out DIR)');
}
