import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { synthesizeDataset } from '../../src/data/synth.js';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { createVideoLM, saveVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig, validateConfig } from '../../src/models/config.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';
import { EXPERIMENT_NAMES } from '../../src/probe/experiments.js';

const cliPath = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('tempolab probe all runs every experiment on a Qwen2.5-VL-shaped model with STA (STAVEQ2.5)', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tempolab-probe25-'));
  await synthesizeDataset(path.join(root, 'data'), { train: 2, val: 2, test: 6, frames: 4, size: 16, seed: 3 });
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const tiny = presetConfig('tiny', tokenizer.vocabSize, tokenizer.special);
  const { mlp_ratio: _ratio, ...vision } = tiny.vision_config;
  const config = validateConfig({
    ...tiny,
    model_type: 'qwen2_5_vl',
    vision_config: { ...vision, model_type: 'qwen2_5_vl', hidden_act: 'silu', intermediate_size: 48, window_size: 8, fullatt_block_indexes: [1], tokens_per_second: 2 },
  });
  await saveVideoLM(addTemporalAttention(createVideoLM(config, 5, tokenizer), { seed: 6 }), path.join(root, 'model'));
  const run = spawnSync(process.execPath, [cliPath, 'probe', 'all', '--model', path.join(root, 'model'), '--data', path.join(root, 'data'), '--limit', '1', '--out', root], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const results = JSON.parse(await fs.readFile(path.join(root, 'probe-results.json'), 'utf8')) as { runs: { experiment: { name: string }; models: { rows: { baseline: number; intervened: number }[] }[] }[] };
  assert.deepEqual(results.runs.map((r) => r.experiment.name), [...EXPERIMENT_NAMES]);
  for (const r of results.runs) {
    assert.ok(r.models[0]!.rows.length > 0, `${r.experiment.name} has rows`);
    for (const row of r.models[0]!.rows) assert.ok(row.baseline > 0 && row.baseline <= 1 && row.intervened > 0 && row.intervened <= 1, r.experiment.name);
  }
  await fs.rm(root, { recursive: true });
});
