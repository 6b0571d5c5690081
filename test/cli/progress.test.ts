import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { progressBar } from '../../src/cli/progress.js';

test('the plain progress line of a resumed run estimates its ETA from the steps done since it resumed', (t) => {
  assert.ok(!process.stderr.isTTY, 'the plain line is what a non-terminal stderr gets');
  t.mock.timers.enable({ apis: ['Date'], now: 0 });
  const lines: string[] = [];
  t.mock.method(process.stderr, 'write', (chunk: string) => { lines.push(chunk); return true; });
  const bar = progressBar('instruct', 13000);
  bar.update(11500);
  t.mock.timers.tick(10_000);
  // 100 steps in 10 s since resuming: 1400 steps left take 140 s (counting from step 0 would say 12 s).
  bar.update(11600);
  mock.restoreAll();
  assert.match(lines.at(-1)!, /^instruct 11600\/13000 ETA 140s\n$/);
});
