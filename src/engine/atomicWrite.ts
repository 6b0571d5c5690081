import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** A sibling temp name that cannot collide with another process writing the same target. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.tmp-${path.basename(target)}-${process.pid}-${Date.now().toString(36)}`);
}

/**
 * Writes a file so that readers see either the old content or the complete new one: the bytes go
 * to a temp file in the same directory, are flushed, and the temp file is renamed over the target.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string | Iterable<Uint8Array>): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  const handle = await fs.open(tmp, 'w');
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else for (const chunk of data) await handle.write(chunk);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await fs.rename(tmp, target);
}

/**
 * Builds a whole directory atomically: `build` fills a temp directory beside `target`, which is
 * renamed to `target` only if `build` succeeds. An existing `target` is replaced.
 */
export async function writeDirAtomic(target: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = tempPathFor(path.resolve(target));
  await fs.mkdir(tmp, { recursive: true });
  const cleanup = () => fs.rm(tmp, { recursive: true, force: true });
  const onSignal = () => { void cleanup().finally(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  try {
    await build(tmp);
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(tmp, target);
  } catch (error) {
    await cleanup();
    throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
