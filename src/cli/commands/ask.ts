import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { decodeImageSequence, decodeVideo } from '../../data/video.js';
import { TempolabError } from '../../engine/errors.js';
import { loadVideoLM } from '../../models/checkpoint.js';
import { decode, generate } from '../../models/generate.js';
import { strategicPrefill } from '../../infer/prefill.js';
import { parseStrategies, STRATEGY_HELP } from '../../infer/strategies.js';
import { mostLikely } from '../../models/likelihood.js';
import { assertClipFits } from '../../models/memory.js';
import { encodeVideoQuestion } from '../../models/prompt.js';
import { secondPerGrid, videoToPixelValues } from '../../models/processor.js';
import { resolveModelDir } from '../../train/recipes.js';
import { int, positiveNumber } from '../options.js';
import { readQuestion } from '../question.js';

export function registerAsk(program: Command): void {
  program
    .command('ask')
    .description('answer a question about a video file (or a folder of frames) with a model')
    .requiredOption('--model <dir>', 'model directory or training run')
    .requiredOption('--video <file>', 'video file or directory of frame images')
    .option('--frames <n>', 'frames sampled uniformly from the clip', '8')
    .option('--fps <f>', "instead of --frames: Qwen2.5-VL's fps-based sampling (f frames per second, 4 to 768, even); sets second_per_grid_t")
    .option('--size <px>', 'frame size (square; a multiple of patch size × merge size)', '32')
    .option('--max-tokens <n>', 'longest answer in tokens', '32')
    .option('--strategy <spec>', `pathway-guided inference: ${STRATEGY_HELP}`)
    .option('--options <answers...>', 'answer only among these (the one the model finds most likely, by log-likelihood of the full answer); each score is printed to stderr')
    .option('--question-file <file>', 'read the question from a text file (for long questions)')
    .argument('[question]', 'the question, e.g. "does the red circle move from left to right? please answer yes or no:"; - reads it from stdin')
    .action(async (argument: string | undefined, f: { model: string; video: string; frames: string; size: string; maxTokens: string; strategy?: string; questionFile?: string; options?: string[]; fps?: string }) => {
      const frames = int('--frames', f.frames, 2);
      const size = int('--size', f.size, 8);
      const maxNewTokens = int('--max-tokens', f.maxTokens, 1);
      const fps = f.fps === undefined ? undefined : positiveNumber('--fps', f.fps);
      const question = await readQuestion(argument, f.questionFile);
      if (!existsSync(f.video)) throw new TempolabError(`video '${f.video}' not found`);
      if (fps !== undefined && statSync(f.video).isDirectory()) throw new TempolabError('--fps needs a video file (a folder of frames has no frame rate); use --frames');
      const model = await loadVideoLM(resolveModelDir(f.model));
      if (!model.tokenizer) throw new TempolabError(`${f.model} has no tokenizer.json; add one to ask questions`);
      assertClipFits(model.config, { frames, size }, model.tokenizer.encode(question).length + maxNewTokens + 32);
      const clip = statSync(f.video).isDirectory() ? await decodeImageSequence(f.video, frames, size) : await decodeVideo(f.video, frames, size, { fps });
      const count = clip.sourceFrames.length;
      const pv = videoToPixelValues(clip.pixels, count, size, size, model.config.vision_config);
      const secondPerGridT = clip.sampleFps ? model.config.vision_config.temporal_patch_size / clip.sampleFps : secondPerGrid(clip.seconds, count, model.config.vision_config);
      const prompt = encodeVideoQuestion(model.tokenizer, { question, videoTokens: model.mergedTokens(pv.grid), temporalGroups: pv.grid.t });
      const longest = model.config.max_position_embeddings;
      if (longest !== undefined && prompt.inputIds.length + maxNewTokens > longest) {
        throw new TempolabError(`the prompt (${prompt.inputIds.length} tokens with the video) plus --max-tokens ${maxNewTokens} exceeds the model's max_position_embeddings ${longest}; shorten the question or lower --size/--frames`);
      }
      const request = { inputIds: prompt.inputIds, pixelValuesVideos: pv.data, videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w] as const, secondPerGridT };
      if (f.options) {
        if (f.strategy) throw new TempolabError('--options scores every answer with the full model; drop --strategy');
        const ranked = await mostLikely(model, request, question, f.options);
        f.options.forEach((o, i) => process.stderr.write(`log P(${JSON.stringify(o)}) = ${ranked.logLikelihoods[i]!.toFixed(4)}\n`));
        console.log(f.options[ranked.index]);
        return;
      }
      const out = f.strategy
        ? await decode(model, await strategicPrefill(model, request, prompt.spans, parseStrategies(f.strategy, model.config.num_hidden_layers)), { maxNewTokens })
        : await generate(model, request, { maxNewTokens });
      console.log(model.tokenizer.decode(out.tokens, { skipSpecialTokens: true }));
    });
}
