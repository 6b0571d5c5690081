/**
 * README's code as doc tests: every TypeScript block in README.md is one of examples/*.ts, word for
 * word, and every example runs to completion. tsc compiles them (they import from 'tempolab', the
 * package's own name, as a user would), so an API the README shows but the package does not export
 * fails the build.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const examples = readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.ts')).sort();

test('every README TypeScript block is an example file, word for word, and every example is in the README', () => {
  const shown = blocks.map((b) => {
    const first = /^\/\/ examples\/([\w-]+\.ts)\n/.exec(b);
    assert.ok(first, `a README block does not start with '// examples/NAME.ts':\n${b.slice(0, 200)}`);
    assert.equal(b.slice(first[0].length), readFileSync(path.join(root, 'examples', first[1]!), 'utf8'), `README's copy of examples/${first[1]} differs from the file`);
    return first[1]!;
  });
  assert.deepEqual([...shown].sort(), examples);
});

test('every example runs and exits 0', { timeout: 120_000 }, async () => {
  const run = promisify(execFile);
  for (const file of examples) {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'tempolab-example-'));
    try {
      await run(process.execPath, [path.join(root, 'dist', 'examples', file.replace(/\.ts$/, '.js'))], { cwd, timeout: 60_000 });
    } catch (error) {
      assert.fail(`examples/${file} failed: ${(error as { stderr?: string }).stderr ?? error}`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }
});
