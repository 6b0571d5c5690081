import type { Command } from 'commander';
import { TempolabError } from '../../engine/errors.js';
import { runtimeInfo } from '../../engine/runtime.js';
import { measureMatmulGflops } from '../../engine/matmulBenchmark.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the installation: Node and onnxruntime versions, threads, execution providers, measured matmul GFLOP/s')
    .option('--size <n>', 'matrix size for the matmul measurement', '512')
    .action(async (opts: { size: string }) => {
      const size = Number(opts.size);
      if (!Number.isInteger(size) || size < 16 || size > 8192) {
        throw new TempolabError(`--size must be an integer in [16, 8192], got '${opts.size}'`);
      }
      const info = runtimeInfo();
      const rows: [string, string][] = [
        ['node', process.version],
        ['onnxruntime-node', info.onnxruntimeVersion],
        ['platform', `${process.platform}-${process.arch}`],
        ['threads (intraOp)', String(info.threads)],
        ['execution providers', info.executionProviders.join(', ')],
      ];
      for (const [k, v] of rows) console.log(`${k.padEnd(22)} ${v}`);
      const gflops = await measureMatmulGflops(size);
      console.log(`${'matmul GFLOP/s'.padEnd(22)} ${gflops.toFixed(1)} (${size}x${size} float32, tempolab engine)`);
    });
}
