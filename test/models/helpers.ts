import { interpret } from '../../src/engine/interpreter.js';
import { Random } from '../../src/engine/random.js';
import type { VideoLMConfig } from '../../src/models/config.js';
import { presetConfig, validateConfig } from '../../src/models/config.js';
import { createVideoLM } from '../../src/models/checkpoint.js';
import { videoToPixelValues } from '../../src/models/processor.js';
import type { ForwardRequest, OutputName, VideoLM } from '../../src/models/videoLM.js';

export const SPECIAL = { endOfText: 0, imEnd: 1, visionStart: 2, visionEnd: 3, videoPad: 4, imagePad: 5 };
export const VOCAB = 16;

export function tinyConfig(): VideoLMConfig {
  return presetConfig('tiny', VOCAB, SPECIAL);
}

/** A tiny model with weights scaled up from the 0.02 initialiser so every path carries signal. */
export function tinyModel(seed = 1, config = tinyConfig()): VideoLM {
  const model = createVideoLM(config, seed);
  perturb(model, seed);
  return model;
}

export function perturb(model: VideoLM, seed: number, filter: (name: string) => boolean = () => true): void {
  const rng = new Random(seed + 99);
  for (const [name, p] of model.params) {
    if (!filter(name)) continue;
    const isNorm = p.shape.length === 1;
    for (let i = 0; i < p.data.length; i++) p.data[i] = isNorm ? p.data[i]! + 0.3 * rng.normal() : p.data[i]! * 8 + 0.05 * rng.normal();
  }
}

export const FRAMES = 4;
export const SIZE = 16;

export function randomVideo(seed: number, frames = FRAMES, size = SIZE): Uint8Array {
  const rng = new Random(seed);
  return Uint8Array.from({ length: frames * size * size * 3 }, () => rng.int(256));
}

/** [text text <vs> video… <ve> text text text] for a 4-frame 16×16 clip (8 merged tokens). */
export function request(model: VideoLM, video = randomVideo(3)): ForwardRequest {
  const pv = videoToPixelValues(video, FRAMES, SIZE, SIZE, model.config.vision_config);
  const merged = model.mergedTokens(pv.grid);
  const ids = [6, 7, SPECIAL.visionStart, ...new Array<number>(merged).fill(SPECIAL.videoPad), SPECIAL.visionEnd, 8, 9, 10];
  return { inputIds: ids, pixelValuesVideos: pv.data, videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w] };
}

/** The same request evaluated by the float64 interpreter. */
export function interpretRequest(model: VideoLM, req: ForwardRequest, outputs: OutputName[]) {
  const { shape, inputs } = model.feeds([req]);
  const graph = model.graph(shape);
  const feeds: Record<string, ArrayLike<number> | BigInt64Array> = {};
  for (const [k, v] of Object.entries(inputs)) feeds[k] = v as ArrayLike<number>;
  for (const [k, p] of model.params) feeds[k] = p.data;
  return interpret(graph, feeds, Object.fromEntries(outputs.map((o) => [o, graph.outputs.get(o)!])));
}

/**
 * A tiny Qwen2.5-VL: RMSNorm + SwiGLU vision tower, window_size 8 px = one 2×2 merge unit per
 * window (patch 4, merge 2), block 1 full attention, tokens_per_second 2.
 */
export function tinyQwen25Config(fullatt: number[] = [1], windowSize = 8): VideoLMConfig {
  const c = tinyConfig();
  const { mlp_ratio: _ratio, ...vision } = c.vision_config;
  return validateConfig({
    ...c,
    model_type: 'qwen2_5_vl',
    architectures: ['Qwen2_5_VLForConditionalGeneration'],
    vision_config: { ...vision, model_type: 'qwen2_5_vl', hidden_act: 'silu', intermediate_size: 48, window_size: windowSize, fullatt_block_indexes: fullatt, tokens_per_second: 2 },
  });
}
