/**
 * A training run that kills itself with SIGKILL (as `kill -9` would) at one phase of one checkpoint
 * save: `node faultChild.js <data> <run> <phase> <globalStep>`. Used by checkpointFaults.test.ts.
 */
import { train } from '../../src/train/recipes.js';
import { faultRun } from './faultSettings.js';

const [data, out, phase, step] = process.argv.slice(2);
// `npm test` also loads every compiled file under dist/test; without its arguments this one is idle.
if (data && out && phase && step) {
  await train(faultRun(data, out), {
    onCheckpointPhase: (p, globalStep) => {
      if (p === phase && globalStep === Number(step)) process.kill(process.pid, 'SIGKILL');
    },
  });
}
