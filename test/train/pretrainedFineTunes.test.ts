import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { synthesizeDataset } from '../../src/data/synth.js';
import { DEMO_DEFAULT, demoClassify, demoFineTune } from '../../src/eval/demo.js';
import { loadVideoLM } from '../../src/models/checkpoint.js';
import { isLoraParameter } from '../../src/models/lora.js';
import { SHIPPED_BASE } from '../../src/train/pretrainedBase.js';
import { loadClassifierRun } from '../../src/train/classifier.js';
import { CLASSIFIER_RUNS, classifierRun, FINE_TUNE_KINDS, pretrainedRunsFor, SHIPPED_FINE_TUNES, type ClassifierRun, type FineTuneKind } from '../../src/train/pretrainedFineTunes.js';
import { isTemporalAttention, resolveModelDir, type ClassifySettings, type FineTuneSettings } from '../../src/train/recipes.js';
import { isVideoClassifierHead } from '../../src/models/pretraining.js';

let root: string;
let demoData: string;

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-fine-tunes-'));
  demoData = path.join(root, 'demo-data');
  // The demo's validation and test clips with fewer training clips: the same data for a model (heldOutIdentity).
  await synthesizeDataset(demoData, { ...DEMO_DEFAULT.clips, train: 20, seed: DEMO_DEFAULT.seed });
});
after(async () => fs.rm(root, { recursive: true, force: true }));

const demoRuns = (settings = DEMO_DEFAULT, seed = settings.seed): Record<FineTuneKind, FineTuneSettings> =>
  Object.fromEntries(FINE_TUNE_KINDS.map((kind) => [kind, demoFineTune(settings, kind, seed, { data: demoData, out: path.join(root, kind), from: SHIPPED_BASE })])) as Record<FineTuneKind, FineTuneSettings>;

test('the shipped fine-tunes are the finished STAVE and control runs the default demo trains, on its data (npm run make:fine-tunes)', async () => {
  const found = await pretrainedRunsFor(SHIPPED_FINE_TUNES, openDataset(demoData), demoRuns());
  assert.ok('runs' in found, 'reason' in found ? found.reason : '');
  const stave = await loadVideoLM(resolveModelDir(found.runs.stave));
  const control = await loadVideoLM(resolveModelDir(found.runs.control));
  assert.ok([...stave.params.keys()].some(isTemporalAttention) && ![...control.params.keys()].some(isTemporalAttention));
  assert.ok([...stave.params.keys()].some(isLoraParameter) && [...control.params.keys()].some(isLoraParameter));
  // STA starts as an identity (zero-initialised output projection); the shipped STAVE trained it.
  assert.ok(stave.params.get('visual.blocks.0.temp_attn.proj.weight')!.data.some((v) => v !== 0));
});

const demoClassifiers = (settings = DEMO_DEFAULT, seed = settings.seed): Record<ClassifierRun, ClassifySettings> =>
  Object.fromEntries([false, true].map((sta) => [classifierRun(sta), demoClassify(settings, sta, seed, { data: demoData, out: path.join(root, classifierRun(sta)), from: path.join(SHIPPED_BASE, 'vision') })])) as Record<ClassifierRun, ClassifySettings>;

test('the shipped classifiers are the two arms of the vision-only check the default demo trains, on its data (npm run make:classifiers)', async () => {
  const found = await pretrainedRunsFor(SHIPPED_FINE_TUNES, openDataset(demoData), demoClassifiers());
  assert.ok('runs' in found, 'reason' in found ? found.reason : '');
  assert.deepEqual(Object.keys(found.runs).sort(), [...CLASSIFIER_RUNS].sort());
  const withSta = await loadClassifierRun(found.runs['classify-sta']);
  const without = await loadClassifierRun(found.runs['classify-no-sta']);
  assert.ok(withSta.settings.sta && !without.settings.sta);
  for (const arm of [withSta, without]) assert.ok([...arm.model.params.keys()].some(isVideoClassifierHead), 'the loaded arm carries its linear head');
  assert.ok(withSta.model.params.get('visual.blocks.0.temp_attn.proj.weight')!.data.some((v) => v !== 0));
  assert.ok(![...without.model.params.keys()].some(isTemporalAttention));
  const other = await pretrainedRunsFor(SHIPPED_FINE_TUNES, openDataset(demoData), demoClassifiers({ ...DEMO_DEFAULT, classify: { ...DEMO_DEFAULT.classify, steps: 1000 } }));
  assert.ok('reason' in other && /classify-no-sta was trained with other settings than this demo's classify-no-sta$/.test(other.reason), JSON.stringify(other));
});

test('the shipped fine-tunes stand in only for exactly their runs: another recipe, seed or data, or an unfinished run, is named', async () => {
  const dataset = openDataset(demoData);
  const reason = async (found: ReturnType<typeof pretrainedRunsFor>) => { const f = await found; return 'reason' in f ? f.reason : 'used'; };
  assert.match(await reason(pretrainedRunsFor(SHIPPED_FINE_TUNES, dataset, demoRuns({ ...DEMO_DEFAULT, symmetrySteps: 1000 }))), /stave was trained with other settings than this demo's stave$/);
  assert.match(await reason(pretrainedRunsFor(SHIPPED_FINE_TUNES, dataset, demoRuns(DEMO_DEFAULT, 1))), /other settings/);
  const other = path.join(root, 'other');
  await synthesizeDataset(other, { train: 4, val: 2, test: 2, frames: 4, size: 16, seed: 5 });
  assert.match(await reason(pretrainedRunsFor(SHIPPED_FINE_TUNES, openDataset(other), demoRuns())), /stave was trained on other data than /);
  const partial = path.join(root, 'partial');
  for (const kind of FINE_TUNE_KINDS) await fs.cp(path.join(SHIPPED_FINE_TUNES, kind), path.join(partial, kind), { recursive: true });
  const state = path.join(partial, 'control', 'checkpoint', 'trainer_state.json');
  await fs.writeFile(state, JSON.stringify({ ...JSON.parse(await fs.readFile(state, 'utf8')), stageIndex: 1 }));
  assert.match(await reason(pretrainedRunsFor(partial, dataset, demoRuns())), /control is not a finished control run$/);
  await fs.rm(path.join(partial, 'stave', 'dataset.json'));
  assert.match(await reason(pretrainedRunsFor(partial, dataset, demoRuns())), /stave is not a finished stave run$/);
});
