import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeDirAtomic } from '../../engine/atomicWrite.js';
import { TempolabError } from '../../engine/errors.js';
import { guardOutputDir } from '../../engine/outputDir.js';
import { mergeAdapters } from '../../models/adapters.js';
import { loadVideoLM, saveVideoLM } from '../../models/checkpoint.js';
import { resolveModelDir } from '../../train/recipes.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a run\'s model as a plain Hugging Face directory (config.json + model.safetensors + tokenizer)')
    .requiredOption('--from <run>', 'training run or model directory')
    .requiredOption('--out <dir>', 'output directory')
    .option('--merge-lora', 'fold LoRA adapters into the base weights (W + alpha/r · B·A), leaving a plain Qwen2-VL checkpoint')
    .action(async (f: { from: string; out: string; mergeLora?: boolean }) => {
      if (existsSync(`${f.out}/config.json`)) throw new TempolabError(`${f.out} already holds a model; choose another --out`);
      const policy = { what: 'an empty directory', offerOverwrite: false };
      await guardOutputDir(f.out, policy);
      const model = await loadVideoLM(resolveModelDir(f.from));
      if (model.config.tempolab_lora && !f.mergeLora) process.stderr.write('note: the model keeps its LoRA adapters (lora_A/lora_B tensors); pass --merge-lora for a plain checkpoint\n');
      const out = f.mergeLora ? mergeAdapters(model) : model;
      await writeDirAtomic(f.out, (tmp) => saveVideoLM(out, tmp), policy);
      console.log(`wrote ${f.out} (${out.params.size} tensors${f.mergeLora && model.config.tempolab_lora ? ', LoRA merged' : ''})`);
    });
}
