/** Measured matmul throughput through the engine (used by `tempolab doctor` and bench/engine.ts). */
import { matmul } from './composite.js';
import { Random } from './random.js';
import { compile } from './runtime.js';
import { trace } from './trace.js';

export function randomFloats(n: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Times `fn` after `warmup` calls; returns the median of `repeats` in milliseconds. */
export async function medianMs(fn: () => Promise<unknown>, repeats: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** GFLOP/s of an n×n by n×n float32 matmul traced, lowered and run by the engine. */
export async function measureMatmulGflops(n: number, repeats = 10): Promise<number> {
  const graph = trace((g) => matmul(g.input('a', [n, n]), g.input('b', [n, n])));
  const compiled = await compile(graph);
  const feeds = { a: randomFloats(n * n, 1), b: randomFloats(n * n, 2) };
  const ms = await medianMs(() => compiled.run(feeds), repeats);
  return (2 * n ** 3) / (ms * 1e6);
}
