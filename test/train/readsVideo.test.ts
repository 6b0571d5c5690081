import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchmarkVocabulary } from '../../src/data/vocabulary.js';
import { compileTrainStep } from '../../src/engine/trainStep.js';
import { warmupCosine } from '../../src/engine/schedule.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { presetConfig } from '../../src/models/config.js';
import { prefillBatch } from '../../src/models/generate.js';
import { traceVideoLM } from '../../src/models/graph.js';
import { encodeVideoQuestion, padQuestion } from '../../src/models/prompt.js';
import { videoToPixelValues } from '../../src/models/processor.js';
import { buildWordLevelTokenizer } from '../../src/models/tokenizer/index.js';

/**
 * The whole path — pixels → vision encoder → merger → spliced embeddings → decoder → answer — can
 * learn: on solid-colour clips whose answer is the colour word, training reaches 6/6 within 120
 * steps. (The synthetic benchmark's small objects are much harder; see README, the main job.)
 */
test('a VideoLM learns to read the video: colour of solid-colour clips, 6/6 after 120 steps', async () => {
  const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
  const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 0, tokenizer);
  const colours: Record<string, number[]> = { red: [220, 30, 30], green: [30, 200, 30], blue: [30, 30, 220], yellow: [230, 220, 30], purple: [150, 40, 200], white: [240, 240, 240] };
  const names = Object.keys(colours);
  const [F, H, W] = [4, 16, 16];
  const pixels = Object.fromEntries(names.map((c) => {
    const frames = new Uint8Array(F * H * W * 3);
    for (let i = 0; i < F * H * W; i++) frames.set(colours[c]!, i * 3);
    return [c, videoToPixelValues(frames, F, H, W, model.config.vision_config)];
  }));
  const grid = pixels.red!.grid;
  const question = 'describe the video in one sentence.';
  const encode = (answer?: string) => encodeVideoQuestion(tokenizer, { question, answer, videoTokens: model.mergedTokens(grid), temporalGroups: grid.t });
  const length = encode('red').inputIds.length;
  const batch = 6;
  const step = await compileTrainStep(traceVideoLM(model.config, { batch, seq: length, grid, withLoss: true }));
  const state = step.initState();
  for (let s = 0; s < 120; s++) {
    const requests = names.map((c) => {
      const e = padQuestion(encode(c), length, tokenizer.special.endOfText);
      return { inputIds: e.inputIds, labels: e.labels, pixelValuesVideos: pixels[c]!.data, videoGridThw: [grid.t, grid.h, grid.w] as const };
    });
    await step.run(model.params, state, model.feeds(requests, true).inputs, warmupCosine({ peak: 5e-3, warmupSteps: 10, totalSteps: 120 }, s));
  }
  const prompt = encode();
  const prefilled = await prefillBatch(model, names.map((c) => ({ inputIds: prompt.inputIds, pixelValuesVideos: pixels[c]!.data, videoGridThw: [grid.t, grid.h, grid.w] as const })));
  const answers = prefilled.map((p) => tokenizer.decode([p.logits.indexOf(Math.max(...p.logits))]));
  assert.deepEqual(answers, names);
});
