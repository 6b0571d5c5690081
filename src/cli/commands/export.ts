import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { TempolabError } from '../../engine/errors.js';
import { loadVideoLM } from '../../models/checkpoint.js';
import { exportForHub } from '../../models/hubExport.js';
import { resolveModelDir } from '../../train/recipes.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a run\'s model as a Hugging Face model directory (config.json, model.safetensors, tokenizer, preprocessor_config.json, chat_template.json), labelled with the class that loads it')
    .requiredOption('--from <run>', 'training run or model directory')
    .requiredOption('--out <dir>', 'output directory')
    .option('--merge-lora', 'fold LoRA adapters into the base weights (W + alpha/r · B·A); without STA the result is a plain Qwen2-VL checkpoint, with STA a STAVEQ2 one')
    .action(async (f: { from: string; out: string; mergeLora?: boolean }) => {
      if (existsSync(`${f.out}/config.json`)) throw new TempolabError(`${f.out} already holds a model; choose another --out`);
      const model = await loadVideoLM(resolveModelDir(f.from));
      const summary = await exportForHub(model, f.out, { mergeLora: f.mergeLora });
      const what = { 'qwen2-vl': 'a plain Qwen2-VL checkpoint', staveq2: 'a STAVEQ2 checkpoint', 'tempolab-lora': 'a checkpoint with unmerged LoRA adapters' }[summary.kind];
      console.log(`wrote ${f.out}: ${what} (architectures ${summary.architectures.join(', ')}; ${summary.files.join(', ')})`);
      for (const note of summary.notes) console.log(`note: ${note}`);
    });
}
