import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeDirAtomic } from '../../engine/atomicWrite.js';
import { TempolabError } from '../../engine/errors.js';
import { guardOutputDir } from '../../engine/outputDir.js';
import { loadVideoLM } from '../../models/checkpoint.js';
import { exportForHub, type ExportSummary } from '../../models/hubExport.js';
import type { OnnxExportSummary } from '../../models/onnxExport.js';
import { mergeAdapters } from '../../models/adapters.js';
import { exportOnnx } from '../../models/onnxExport.js';
import { int } from '../options.js';
import { resolveModelDir } from '../../train/recipes.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a run\'s model as a Hugging Face model directory (config.json, model.safetensors, tokenizer, preprocessor_config.json, chat_template.json), labelled with the class that loads it')
    .requiredOption('--from <run>', 'training run or model directory')
    .requiredOption('--out <dir>', 'output directory')
    .option('--merge-lora', 'fold LoRA adapters into the base weights (W + alpha/r · B·A); without STA the result is a plain Qwen2-VL checkpoint, with STA a STAVEQ2 one')
    .option('--onnx', 'also write standalone ONNX files (vision_encoder.onnx, prefill.onnx, decode_step.onnx, onnx.json) for onnxruntime-web and other runtimes')
    .option('--frames <n>', 'with --onnx: raw frames per clip', '8')
    .option('--size <px>', 'with --onnx: square frame size in pixels', '32')
    .option('--seq <n>', 'with --onnx: prompt length the prefill takes (prompts are right-padded to it)', '128')
    .option('--max-new-tokens <n>', 'with --onnx: tokens the decode step\'s cache holds after the prompt', '32')
    .action(async (f: { from: string; out: string; mergeLora?: boolean; onnx?: boolean; frames: string; size: string; seq: string; maxNewTokens: string }) => {
      if (existsSync(`${f.out}/config.json`)) throw new TempolabError(`${f.out} already holds a model; choose another --out`);
      const policy = { what: 'an empty directory', offerOverwrite: false };
      await guardOutputDir(f.out, policy);
      const model = await loadVideoLM(resolveModelDir(f.from));
      let summary: ExportSummary | undefined;
      let onnx: OnnxExportSummary | undefined;
      // Everything goes into a temp sibling first, so an interrupted export leaves no half model.
      await writeDirAtomic(f.out, async (tmp) => {
        summary = await exportForHub(model, tmp, { mergeLora: f.mergeLora });
        if (f.onnx) {
          onnx = await exportOnnx(f.mergeLora ? mergeAdapters(model) : model, tmp, {
            frames: int('--frames', f.frames, 1), size: int('--size', f.size, 1), seq: int('--seq', f.seq, 1), maxNewTokens: int('--max-new-tokens', f.maxNewTokens, 1),
          });
        }
      }, policy);
      const what = { 'qwen2-vl': 'a plain Qwen2-VL checkpoint', staveq2: 'a STAVEQ2 checkpoint', 'tempolab-lora': 'a checkpoint with unmerged LoRA adapters' }[summary!.kind];
      console.log(`wrote ${f.out}: ${what} (architectures ${summary!.architectures.join(', ')}; ${summary!.files.join(', ')})`);
      for (const note of summary!.notes) console.log(`note: ${note}`);
      if (onnx) console.log(`wrote ${onnx.files.join(', ')} (clip grid ${onnx.grid.join('×')}, ${onnx.videoTokens} video tokens, prompts up to ${onnx.seq} tokens, cache ${onnx.capacity})`);
    });
}
