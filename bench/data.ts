import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SYNTH, PairGenerator, heldOutCompositions, openDataset, synthesizeDataset } from '../src/data/index.js';

/**
 * Generation speed of the synthetic benchmark: 10 000 training clips (each with its four
 * questions) at the default settings, rendered in memory and written as a dataset, and the time
 * to read every clip back.
 */
const CLIPS = 10_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'tempolab-bench-data-'));

try {
  const rows: [string, number][] = [];

  let start = performance.now();
  const generator = new PairGenerator(DEFAULT_SYNTH, 'train', heldOutCompositions(DEFAULT_SYNTH.seed));
  for (let n = 0; n < CLIPS; n += 2) generator.next();
  rows.push(['render in memory', performance.now() - start]);

  start = performance.now();
  await synthesizeDataset(path.join(dir, 'ds'), { train: CLIPS, val: 0, test: 0 });
  rows.push(['synth to disk (data synth)', performance.now() - start]);

  start = performance.now();
  const ds = openDataset(path.join(dir, 'ds'));
  let checksum = 0;
  for (const v of ds.videos('train')) checksum += ds.frames(v.id)[0]!;
  rows.push(['load every clip (openDataset)', performance.now() - start]);

  const { frames, size } = DEFAULT_SYNTH;
  console.log(`${CLIPS} training clips, ${frames}x${size}x${size}x3, 4 questions each (checksum ${checksum})`);
  console.log(`${'stage'.padEnd(32)} ${'seconds'.padStart(8)} ${'clips/s'.padStart(10)}`);
  for (const [stage, ms] of rows) {
    console.log(`${stage.padEnd(32)} ${(ms / 1000).toFixed(2).padStart(8)} ${((CLIPS * 1000) / ms).toFixed(0).padStart(10)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
