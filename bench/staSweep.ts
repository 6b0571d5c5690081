import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPORAL_DIMENSIONS } from '../src/data/types.js';
import { writeFileAtomic } from '../src/engine/atomicWrite.js';
import { markdownTable } from '../src/eval/markdown.js';
import type { EvaluationResult } from '../src/eval/result.js';
import { armsBeatingControl, baseModelDigest, STA_SWEEP_FILE, staSweepTable, type StaSweep, type SweepArm } from '../src/eval/staSweep.js';

/**
 * Does STA beat the control for some honest choice of its settings? STAVE and the control
 * fine-tuned from one base over two stage lengths, head_scale 0.25 / 0.5 / 1.0 and the blocks that
 * get STA (learning rates are not swept yet; the 7 arms take 7–13 min on 2 cores), every arm scored on the
 * VALIDATION split (never the test split: the demo's settings are chosen here and measured there).
 *
 * Each arm is `tempolab train stave|control` then `tempolab eval --split val`, one process per arm
 * with one onnxruntime thread, SWEEP_JOBS arms at a time (default: the cores), so a 16-core machine
 * runs the whole grid at once. Results land in SWEEP_OUT/sta-sweep.json (rewritten as each arm ends, so
 * a cut-off sweep keeps what it finished) and the Markdown table on stdout; copied into a base run,
 * the demo's report shows it (src/eval/staSweep.ts). README cites it.
 *
 * Knobs (environment): SWEEP_BASE (a finished base run; default pretrained/base-small), SWEEP_DATA
 * (the dataset the base was trained on; required), SWEEP_OUT (default runs/sta-sweep), SWEEP_JOBS,
 * SWEEP_GRID (full | quick: quick is two arms of 10 + 10 steps, for checking the script itself).
 */
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '..', 'src', 'cli', 'main.js');
const BASE = path.resolve(env('SWEEP_BASE', 'pretrained/base-small'));
const DATA = process.env.SWEEP_DATA;
const OUT = path.resolve(env('SWEEP_OUT', 'runs/sta-sweep'));
const JOBS = Number(env('SWEEP_JOBS', String(os.availableParallelism())));
const GRID = env('SWEEP_GRID', 'full');

/** One arm to run: the control or STAVE, with its fine-tuning flags. */
type Arm = Pick<SweepArm, 'name' | 'kind' | 'schedule' | 'flags'>;

function grid(which: string): Arm[] {
  if (which === 'quick') {
    const flags = { 'stage1-steps': '10', 'stage2-steps': '10' };
    return [{ name: 'control 10+10', kind: 'control', schedule: '10+10', flags }, { name: 'STAVE 10+10', kind: 'stave', schedule: '10+10', flags }];
  }
  if (which !== 'full') throw new Error(`SWEEP_GRID must be full or quick, got '${which}'`);
  const short = { 'stage1-steps': '150', 'stage2-steps': '150' };
  const long = { 'stage1-steps': '400', 'stage2-steps': '400' };
  const stave = (schedule: string, flags: Record<string, string>, headScale: string, layers?: string): Arm => ({
    name: `STAVE ${schedule}, head_scale ${headScale}${layers ? `, STA in blocks ${layers}` : ''}`,
    kind: 'stave',
    schedule,
    flags: { ...flags, 'head-scale': headScale, ...(layers ? { 'sta-layers': layers } : {}) },
  });
  // The demo's former schedule with every head_scale and STA in the last two blocks only; then the longer schedule.
  return [
    { name: 'control 150+150', kind: 'control', schedule: '150+150', flags: short },
    stave('150+150', short, '0.25'),
    stave('150+150', short, '0.5'),
    stave('150+150', short, '1.0'),
    stave('150+150', short, '0.25', '2,3'),
    { name: 'control 400+400', kind: 'control', schedule: '400+400', flags: long },
    stave('400+400', long, '0.25'),
  ];
}

function runCli(args: string[], label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, TEMPOLAB_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${label}: tempolab ${args.slice(0, 2).join(' ')} exited ${code}: ${stderr.trim().split('\n').pop()}`))));
  });
}

async function runArm(arm: Arm, index: number): Promise<SweepArm> {
  const t0 = Date.now();
  const run = path.join(OUT, `arm-${index}`);
  const flags = Object.entries(arm.flags).flatMap(([k, v]) => [`--${k}`, v]);
  if (!existsSync(path.join(run, 'checkpoint', 'config.json'))) await runCli(['train', arm.kind, '--from', BASE, '--data', DATA!, '--out', run, ...flags], arm.name);
  const result = JSON.parse(await runCli(['eval', '--model', run, '--data', DATA!, '--split', 'val', '--json'], arm.name)) as EvaluationResult;
  return {
    ...arm,
    seconds: (Date.now() - t0) / 1000,
    overall: result.all.overall,
    perception: result.all.byDimension.perception,
    pairs: result.all.pairs.overall,
    pairsByDimension: Object.fromEntries(TEMPORAL_DIMENSIONS.map((d) => [d, result.all.pairs.byDimension[d]])),
  };
}

async function main(): Promise<void> {
  if (!DATA) throw new Error('set SWEEP_DATA to the dataset the base was trained on (npm run make:base writes runs/base-data)');
  const arms = grid(GRID);
  mkdirSync(OUT, { recursive: true });
  const done: (SweepArm | null)[] = arms.map(() => null);
  const finished = () => done.filter((r): r is SweepArm => r !== null);
  const save = () => writeFileAtomic(path.join(OUT, STA_SWEEP_FILE), JSON.stringify({ base: path.relative(process.cwd(), BASE), baseModel: baseModelDigest(BASE), data: path.relative(process.cwd(), DATA!), split: 'val', arms: finished() } satisfies StaSweep, null, 1) + '\n');
  let next = 0;
  const worker = async () => {
    while (next < arms.length) {
      const i = next++;
      done[i] = await runArm(arms[i]!, i);
      process.stderr.write(`sweep: ${finished().length}/${arms.length} done (${arms[i]!.name}, ${done[i]!.seconds.toFixed(0)} s)\n`);
      await save();
    }
  };
  await Promise.all(Array.from({ length: Math.min(JOBS, arms.length) }, worker));
  const beating = armsBeatingControl(finished());
  process.stdout.write(`STA sweep on ${DATA}'s validation split, from ${BASE}\n\n${markdownTable(staSweepTable(finished()))}\n\n` +
    `STAVE arms beating their schedule's control on opposing pairs beyond both 95% intervals: ${beating.map((a) => a.name).join('; ') || 'none'}\n`);
}

await main();
