import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { synthesizeDataset } from '../../src/data/synth.js';
import { stratifiedSample } from '../../src/data/stratify.js';
import { DIMENSIONS, FORMATS } from '../../src/data/types.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { canonicalJson, settingsHash } from '../../src/engine/provenance.js';
import { createVideoLM, saveVideoLM } from '../../src/models/checkpoint.js';
import { DEFAULT_BASE_STAGES, formatCurriculum, parseCurriculum } from '../../src/train/recipes.js';
import { presetConfig } from '../../src/models/config.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';

const run = promisify(execFile);
const cli = path.resolve('dist/src/cli/main.js');
const root = mkdtempSync(path.join(os.tmpdir(), 'tempolab-cli-'));
const data = path.join(root, 'data');
const model = path.join(root, 'model');

/** Runs the CLI; resolves with the exit code and output instead of throwing on a non-zero exit. */
async function tempolab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

before(async () => {
  await synthesizeDataset(data, { train: 6, val: 0, test: 10, frames: 4, size: 16, seed: 3 });
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  await saveVideoLM(createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 0, tokenizer), model);
});
after(() => rmSync(root, { recursive: true, force: true }));

test('stratified limit: the first picks span every format and dimension; groups differ by at most one', () => {
  // File order: all of format 0 (dimension by dimension, 4 each), then format 1, …: the first 16 cover one format.
  const questions = FORMATS.flatMap((format) => DIMENSIONS.flatMap((dimension) => [0, 1, 2, 3].map((i) => ({ id: `${format}-${dimension}-${i}`, format, dimension }))));
  for (const n of [5, 8, 16, 30]) {
    const picked = stratifiedSample(questions, n);
    assert.equal(picked.length, n);
    if (n >= 8) {
      assert.deepEqual(new Set(picked.map((q) => q.format)), new Set(FORMATS), `n=${n}: every format`);
      assert.deepEqual(new Set(picked.map((q) => q.dimension)), new Set(DIMENSIONS), `n=${n}: every dimension`);
    }
    const counts = new Map<string, number>();
    for (const q of picked) counts.set(`${q.format}/${q.dimension}`, (counts.get(`${q.format}/${q.dimension}`) ?? 0) + 1);
    const values = [...counts.values()];
    if (n >= 20) assert.ok(Math.max(...values) - Math.min(...values) <= 1, `n=${n}: balanced`);
    assert.deepEqual(picked, questions.filter((q) => picked.includes(q)), 'original order kept');
    for (const q of picked) assert.equal(q.id.endsWith(`-${Math.floor(picked.filter((p) => p.format === q.format && p.dimension === q.dimension).indexOf(q))}`), true, 'each group taken from its start');
  }
  assert.equal(stratifiedSample(questions, 1000).length, questions.length);
});

test('settings hash: canonical JSON with sorted keys, so key order does not matter and values do', () => {
  assert.equal(canonicalJson({ b: [1, { d: 2, c: null }], a: 'x', u: undefined }), '{"a":"x","b":[1,{"c":null,"d":2}]}');
  assert.equal(settingsHash({ a: 1, b: 2 }), settingsHash({ b: 2, a: 1 }));
  assert.notEqual(settingsHash({ a: 1, b: 2 }), settingsHash({ a: 1, b: 3 }));
  assert.match(settingsHash({}), /^[0-9a-f]{16}$/);
});

test('eval --limit is stratified, --json prints results with versions and settings hash; zero questions is an error', async () => {
  const { code, stdout } = await tempolab(['eval', '--model', model, '--data', data, '--limit', '8', '--json']);
  assert.equal(code, 0);
  const result = JSON.parse(stdout);
  assert.equal(result.questions, 8);
  for (const f of FORMATS) assert.ok(result.all.byFormat[f].n > 0, `${f} is in an 8-question stratified sample`);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  assert.equal(result.provenance.tempolab, pkg.version);
  assert.match(result.provenance.onnxruntime, /^\d+\.\d+\.\d+/);
  assert.match(result.provenance.settingsHash, /^[0-9a-f]{16}$/);
  assert.ok(result.provenance.gitCommit === null || /^[0-9a-f]{40}(-dirty)?$/.test(result.provenance.gitCommit));
  const empty = await tempolab(['eval', '--model', model, '--data', data, '--split', 'val']);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /^tempolab: the val split of .* has no questions/);
});

test('probe run with no usable questions is an error; with questions, --json prints findings and rows', async () => {
  const out = path.join(root, 'probe');
  const empty = await tempolab(['probe', 'run', 'pe-ablation', '--model', model, '--data', data, '--split', 'val', '--out', out]);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /pe-ablation found no questions in the val split/);
  assert.ok(!existsSync(path.join(out, 'probe-report.html')), 'no empty report is written');
  const ok = await tempolab(['probe', 'run', 'position-shuffle', '--model', model, '--data', data, '--limit', '4', '--out', out, '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const json = JSON.parse(ok.stdout);
  assert.equal(json.findings[0].experiment, 'position-shuffle');
  assert.equal(new Set(json.runs[0].models[0].rows.map((r: { questionId: string }) => r.questionId)).size, 4);
  assert.match(json.provenance.settingsHash, /^[0-9a-f]{16}$/);
});

test('--resume with other settings is an error naming them', async () => {
  const r = await tempolab(['train', 'vision', '--out', path.join(root, 'nothing'), '--resume', '--steps', '20', '--lr', '1e-3']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--resume continues the run with the settings saved in its run\.json, so --steps, --lr would be ignored/);
});

test('train instruct --perception-steps takes a whole number of steps, named in one line', async () => {
  for (const args of [['train', 'instruct', '--from', model, '--data', data, '--out', path.join(root, 'p'), '--perception-steps', 'many'], ['train', 'base', '--data', data, '--out', path.join(root, 'p'), '--instruct-perception-steps', '-3']]) {
    const r = await tempolab(args);
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), /^tempolab: --(instruct-)?perception-steps must be an integer ≥ 0, got '(many|-3)'$/);
    assert.ok(!existsSync(path.join(root, 'p')), 'a refused run leaves nothing behind');
  }
});

test('--perception-formats names the formats it accepts and needs a perception phase, in one line', async () => {
  const out = path.join(root, 'pf');
  const cases: [string[], RegExp][] = [
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--perception-steps', '5', '--perception-formats', 'yes_no,shape'], /^tempolab: --perception-formats must list formats from yes_no, multi_choice, caption_matching, captioning, comma-separated; got 'yes_no,shape'$/],
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--perception-steps', '0', '--curriculum', 'none', '--perception-formats', 'yes_no'], /^tempolab: --perception-formats chooses the formats of the perception phase and the curriculum, which are off; give --perception-steps N or --curriculum as well$/],
    [['train', 'base', '--data', data, '--out', out, '--instruct-perception-steps', '5', '--instruct-perception-formats', ''], /^tempolab: --instruct-perception-formats must list formats from .*; got ''$/],
    // Each stage of `train base` has its own --<stage>-batch; a --batch it would ignore is refused.
    [['train', 'base', '--data', data, '--out', out, '--batch', '8'], /^error: unknown option '--batch'/],
  ];
  for (const [args, message] of cases) {
    const r = await tempolab(args);
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), message);
    assert.ok(!existsSync(out), 'a refused run leaves nothing behind');
  }
});

test("train base's and train instruct's curriculum default is the default pipeline's, written as the flag reads it back", async () => {
  const phases = DEFAULT_BASE_STAGES.instruct.curriculum;
  assert.ok(phases?.length, 'the default pipeline has a curriculum phase');
  assert.deepEqual(parseCurriculum('--curriculum', formatCurriculum(phases)), phases);
  assert.equal(formatCurriculum(phases).split(',')[0], 'perception:3000:all');
  for (const [stage, flag] of [['base', '--instruct-curriculum'], ['instruct', '--curriculum']]) {
    const help = (await tempolab(['train', stage!, '--help'])).stdout.replace(/\s+/g, ' ');
    assert.ok(help.includes(`${flag} <phases>`) && help.includes(`(default: "${formatCurriculum(phases)}")`), `${stage}: ${help}`);
  }
  assert.equal(formatCurriculum([]), 'none');
});

test('a curriculum phase reads all (every dimension or format), its own learning rate after @ and its trainable set after !, and is written back the same way', () => {
  const phases = parseCurriculum('--curriculum', 'order+action:5:yes_no@5e-4,all:7:all@0.001!all,perception:3:all,order:2!decoder');
  assert.deepEqual(phases, [
    { dimensions: ['order', 'action'], steps: 5, formats: ['yes_no'], lr: 5e-4 },
    { dimensions: ['direction', 'speed', 'order', 'attribute_change', 'action', 'perception'], steps: 7, formats: ['yes_no', 'multi_choice', 'caption_matching', 'captioning'], lr: 1e-3, trainable: 'all' },
    { dimensions: ['perception'], steps: 3, formats: ['yes_no', 'multi_choice', 'caption_matching', 'captioning'] },
    { dimensions: ['order'], steps: 2, trainable: 'decoder' },
  ]);
  assert.equal(formatCurriculum(phases), 'order+action:5:yes_no@0.0005,all:7:all@0.001!all,perception:3:all,order:2!decoder');
  assert.deepEqual(parseCurriculum('--curriculum', formatCurriculum(phases)), phases);
});

test('--curriculum names what is wrong with a phase and how to write one, in one line', async () => {
  const out = path.join(root, 'cur');
  const how = 'write phases as DIM\\+DIM:STEPS\\[:FORMAT\\+FORMAT\\]\\[@LR\\]\\[!TRAINABLE\\], comma-separated, with DIM from direction, speed, order, attribute_change, action, perception or all, FORMAT from yes_no, multi_choice, caption_matching, captioning or all and TRAINABLE decoder or all';
  const cases: [string[], RegExp][] = [
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--curriculum', 'attribute_change+colour:10'], new RegExp(`^tempolab: --curriculum names 'colour', not a dimension: ${how} .*; got 'attribute_change\\+colour:10'$`)],
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--curriculum', 'perception:10:yes_no+essay'], new RegExp(`^tempolab: --curriculum names 'essay', not a format: ${how} .*; got 'perception:10:yes_no\\+essay'$`)],
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--curriculum', 'order:0'], new RegExp(`^tempolab: --curriculum gives '0' steps for order; steps must be a whole number ≥ 1: ${how}`)],
    [['train', 'base', '--data', data, '--out', out, '--instruct-curriculum', 'order'], new RegExp(`^tempolab: --instruct-curriculum has a phase 'order' that is not DIM\\+DIM:STEPS: ${how}`)],
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--curriculum', 'order:10@fast'], new RegExp(`^tempolab: --curriculum gives the learning rate 'fast' for order; it must be a number > 0: ${how}`)],
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--curriculum', 'order:10@-1e-3'], new RegExp(`^tempolab: --curriculum gives the learning rate '-1e-3' for order; it must be a number > 0: ${how}`)],
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--curriculum', 'order:10@1e-3@2e-3'], new RegExp(`^tempolab: --curriculum has a phase 'order:10@1e-3@2e-3' that is not DIM\\+DIM:STEPS: ${how}`)],
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--curriculum', 'order:10@1e-3!vit'], new RegExp(`^tempolab: --curriculum gives 'vit' as what order trains; it must be decoder or all: ${how}`)],
    [['train', 'base', '--data', data, '--out', out, '--instruct-curriculum', 'order:10!all!decoder'], new RegExp(`^tempolab: --instruct-curriculum has a phase 'order:10!all!decoder' that is not DIM\\+DIM:STEPS: ${how}`)],
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--steps', '0', '--perception-steps', '0', '--curriculum', 'none'], /^tempolab: the instruct stage has 0 steps on everything and no perception phase or curriculum, so it would train nothing: give --steps ≥ 1, or phases to end on$/],
    [['train', 'base', '--data', data, '--out', out, '--instruct-steps', '0', '--instruct-perception-steps', '0', '--instruct-curriculum', 'none'], /^tempolab: the instruct stage has 0 steps on everything and no perception phase or curriculum, so it would train nothing: give --instruct-steps ≥ 1, or phases to end on$/],
    // This small set has no order questions.
    [['train', 'instruct', '--from', model, '--data', data, '--out', out, '--curriculum', 'action:3,order:3'], /^tempolab: curriculum phase order has no yes_no or multi_choice or caption_matching questions in the train split of .*: give a curriculum of dimensions this data has, or --curriculum none$/],
  ];
  for (const [args, message] of cases) {
    const r = await tempolab(args);
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), message);
    assert.ok(!existsSync(out), 'a refused run leaves nothing behind');
  }
});

test('Ctrl-C during training saves a checkpoint and exits 130', { timeout: 120_000 }, async () => {
  const out = path.join(root, 'interrupted');
  const child = spawn(process.execPath, [cli, 'train', 'vision', '--data', data, '--out', out, '--preset', 'tiny', '--steps', '5000', '--batch', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const started = new Promise<void>((resolve) => child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (/vision \d+\/5000/.test(stderr) || /training examples/.test(stderr)) resolve();
  }));
  await started;
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /stopped at step \d+ \(checkpoint saved\); continue with --resume/);
  assert.ok(existsSync(path.join(out, 'checkpoint', 'model.safetensors')));
});

test('the checkout\'s npm configuration raises no "Unknown project config" warning and skips install scripts', async () => {
  const { stdout, stderr } = await run('npm', ['config', 'get', 'ignore-scripts'], { cwd: path.resolve('.') });
  assert.equal(stdout.trim(), 'true');
  assert.doesNotMatch(stderr, /Unknown project config/);
});

test('--balance-dimensions reaches the run: train instruct stores it in run.json and trains the balanced phases', async () => {
  const out = path.join(root, 'balanced');
  const r = await tempolab(['train', 'instruct', '--from', model, '--data', data, '--out', out, '--perception-steps', '0', '--curriculum', 'perception+action:2', '--steps', '1', '--batch', '4', '--balance-dimensions']);
  assert.equal(r.code, 0, r.stderr);
  const settings = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(settings.balanceDimensions, true);
  const stages = readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).stage);
  assert.deepEqual(stages, ['curriculum perception+action', 'curriculum perception+action', 'instruct']);
  rmSync(out, { recursive: true, force: true });
});

test('--symmetry-steps and --stage2-merger reach the run: train control stores them in run.json and trains the phase between its stages; a negative count is named', async () => {
  const out = path.join(root, 'symmetry');
  const r = await tempolab(['train', 'control', '--from', model, '--data', data, '--out', out, '--stage1-steps', '1', '--symmetry-steps', '2', '--stage2-steps', '1', '--batch', '4', '--balance-dimensions', '--stage2-merger']);
  assert.equal(r.code, 0, r.stderr);
  const settings = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(settings.symmetrySteps, 2);
  assert.equal(settings.stage2Merger, true);
  assert.equal(settings.balanceDimensions, true);
  const stages = readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).stage);
  assert.deepEqual(stages, ['stage1', 'symmetry', 'symmetry', 'stage2']);
  rmSync(out, { recursive: true, force: true });
  const bad = await tempolab(['train', 'control', '--from', model, '--data', data, '--out', out, '--symmetry-steps', '-1']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--symmetry-steps must be an integer ≥ 0, got '-1'/);
  assert.equal(existsSync(out), false);
});

test('--described (the default) reaches the run, --no-described drops it: train language stores it in run.json and adds each clip\'s closed questions after its description; train base --language-described sets the language stage', async () => {
  const out = path.join(root, 'described');
  const examples = (stderr: string) => Number(/language: .*: (\d+) training examples/.exec(stderr)?.[1]);
  const plain = await tempolab(['train', 'language', '--from', model, '--data', data, '--out', out, '--steps', '1', '--batch', '4', '--no-described']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).described, undefined);
  rmSync(out, { recursive: true, force: true });
  const r = await tempolab(['train', 'language', '--from', model, '--data', data, '--out', out, '--steps', '1', '--batch', '4']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).described, true);
  // 6 training clips, each with yes/no, multi-choice and caption matching about perception and about its phenomenon.
  assert.equal(examples(r.stderr), examples(plain.stderr) + 6 * 6);
  rmSync(out, { recursive: true, force: true });
  const pipeline = path.join(root, 'described-base');
  const b = await tempolab(['train', 'base', '--preset', 'tiny', '--data', data, '--out', pipeline, '--vision-steps', '1', '--language-steps', '1', '--align-steps', '1', '--instruct-steps', '1', '--instruct-perception-steps', '0', '--instruct-curriculum', 'none', '--vision-batch', '2', '--language-batch', '2', '--align-batch', '2', '--instruct-batch', '2', '--language-described']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(pipeline, 'run.json'), 'utf8')).stages.language.described, true);
  assert.equal(JSON.parse(readFileSync(path.join(pipeline, 'language', 'run.json'), 'utf8')).described, true);
  rmSync(pipeline, { recursive: true, force: true });
});

test('--tubelets reaches the vision run (train vision, train base --vision-tubelets) and its heads are scored in two-frame groups too; a share outside 0…1 or not a number is refused in one line', async () => {
  const out = path.join(root, 'tubelets');
  const r = await tempolab(['train', 'vision', '--preset', 'tiny', '--data', data, '--out', out, '--steps', '1', '--batch', '2', '--tubelets', '0.5']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).tubelets, 0.5);
  assert.match(r.stderr, /vision heads on 10 test clips: .*; in two-frame groups as video feeds it, shape \d+\.\d%\n/);
  rmSync(out, { recursive: true, force: true });
  for (const [share, message] of [['1.5', /^tempolab: tubelets 1\.5 is not a share: give a number from 0 \(every frame an image\) to 1 \(every frame in a two-frame group\)\n$/], ['half', /^tempolab: --tubelets half is not a number: give a share from 0/]] as const) {
    const bad = await tempolab(['train', 'vision', '--preset', 'tiny', '--data', data, '--out', out, '--steps', '1', '--tubelets', share]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, message);
    assert.equal(existsSync(out), false);
  }
  const pipeline = path.join(root, 'tubelets-base');
  const b = await tempolab(['train', 'base', '--preset', 'tiny', '--data', data, '--out', pipeline, '--vision-steps', '1', '--language-steps', '1', '--align-steps', '1', '--instruct-steps', '1', '--instruct-perception-steps', '0', '--instruct-curriculum', 'none', '--vision-batch', '2', '--language-batch', '2', '--align-batch', '2', '--instruct-batch', '2', '--vision-tubelets', '1']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(pipeline, 'run.json'), 'utf8')).stages.vision.tubelets, 1);
  assert.equal(JSON.parse(readFileSync(path.join(pipeline, 'vision', 'run.json'), 'utf8')).tubelets, 1);
  rmSync(pipeline, { recursive: true, force: true });
});

test('--schedule-steps reaches the run (train language, train base --language-schedule-steps); one shorter than the steps is refused in one line', async () => {
  const out = path.join(root, 'schedule');
  const r = await tempolab(['train', 'language', '--from', model, '--data', data, '--out', out, '--steps', '2', '--schedule-steps', '40', '--batch', '4']);
  assert.equal(r.code, 0, r.stderr);
  const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.deepEqual([run.steps, run.scheduleSteps, run.warmupSteps], [2, 40, 2]);
  rmSync(out, { recursive: true, force: true });
  const plain = await tempolab(['train', 'language', '--from', model, '--data', data, '--out', out, '--steps', '2', '--batch', '4']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).scheduleSteps, undefined, 'other steps than the default get a schedule of their own length');
  rmSync(out, { recursive: true, force: true });
  const bad = await tempolab(['train', 'language', '--from', model, '--data', data, '--out', out, '--steps', '5', '--schedule-steps', '3']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /^tempolab: --schedule-steps 3 is shorter than the stage's 5 steps: give a whole number ≥ the steps \(the schedule the stage stops partway down\), or leave it out\n$/);
  assert.equal(existsSync(out), false);
  const pipeline = path.join(root, 'schedule-base');
  const b = await tempolab(['train', 'base', '--preset', 'tiny', '--data', data, '--out', pipeline, '--vision-steps', '1', '--language-steps', '1', '--align-steps', '1', '--instruct-steps', '1', '--instruct-perception-steps', '0', '--instruct-curriculum', 'none', '--vision-batch', '2', '--language-batch', '2', '--align-batch', '2', '--instruct-batch', '2', '--language-schedule-steps', '3', '--no-language-described']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(pipeline, 'language', 'run.json'), 'utf8')).described, undefined, '--no-language-described');
  assert.equal(JSON.parse(readFileSync(path.join(pipeline, 'run.json'), 'utf8')).stages.language.scheduleSteps, 3);
  assert.equal(JSON.parse(readFileSync(path.join(pipeline, 'language', 'run.json'), 'utf8')).scheduleSteps, 3);
  assert.equal(JSON.parse(readFileSync(path.join(pipeline, 'align', 'run.json'), 'utf8')).scheduleSteps, undefined);
  rmSync(pipeline, { recursive: true, force: true });
});
