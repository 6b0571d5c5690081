/**
 * `npm run bench:models`: prefill time and decode tokens/s, measured in one run, for
 *  - the `small` preset on an 8×32×32 clip;
 *  - a Qwen2-VL-2B-shaped model (real widths, head counts and vocabulary; random weights) on 8
 *    frames of 224×224, with 1 or 2 vision blocks and decoder layers, so the per-block and
 *    per-layer costs are differences of measured times and a full 2B model (32 vision blocks,
 *    28 decoder layers) can be extrapolated;
 *  - likewise a Qwen2.5-VL-3B-shaped model (qwen2_5-vl-3b-shaped): a windowed and a full-attention
 *    vision block, 1 or 2 decoder layers, extrapolated to 28 windowed + 4 full blocks and 36 layers.
 */
import { Random } from '../src/engine/random.js';
import { medianMs } from '../src/engine/matmulBenchmark.js';
import { createVideoLM } from '../src/models/checkpoint.js';
import { presetConfig, type VideoLMConfig } from '../src/models/config.js';
import { decode, prefillBatch } from '../src/models/generate.js';
import { videoToPixelValues } from '../src/models/processor.js';
import type { ForwardRequest, VideoLM } from '../src/models/videoLM.js';

const quick = process.argv.includes('--quick');
const repeats = quick ? 2 : 5;
const special = { endOfText: 151643, imEnd: 151645, visionStart: 151652, visionEnd: 151653, videoPad: 151656, imagePad: 151655 };

function clip(frames: number, size: number, seed: number): Uint8Array {
  const rng = new Random(seed);
  return Uint8Array.from({ length: frames * size * size * 3 }, () => rng.int(256));
}

function prompt(model: VideoLM, frames: number, size: number, textTokens: number, firstTextId: number): ForwardRequest {
  const c = model.config;
  const pv = videoToPixelValues(clip(frames, size, 1), frames, size, size, c.vision_config);
  const video = model.mergedTokens(pv.grid);
  const text = (n: number) => Array.from({ length: n }, (_, i) => firstTextId + i);
  return {
    inputIds: [...text(textTokens / 2), c.vision_start_token_id, ...new Array<number>(video).fill(c.video_token_id), c.vision_end_token_id, ...text(textTokens / 2)],
    pixelValuesVideos: pv.data,
    videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w],
  };
}

async function measure(model: VideoLM, request: ForwardRequest, decodeTokens: number): Promise<{ prefillMs: number; decodeTokensPerSecond: number; seq: number }> {
  const prefillMs = await medianMs(() => prefillBatch(model, [request]), repeats, 1);
  const prefilled = (await prefillBatch(model, [request]))[0]!;
  await decode(model, prefilled, { maxNewTokens: 2, stopTokens: [] });
  const t0 = performance.now();
  await decode(model, prefilled, { maxNewTokens: decodeTokens, stopTokens: [] });
  return { prefillMs, decodeTokensPerSecond: decodeTokens / ((performance.now() - t0) / 1000), seq: request.inputIds.length };
}

function shaped(vision: number, decoder: number): VideoLMConfig {
  const c = presetConfig('qwen2-vl-2b-shaped', 151936, special);
  return { ...c, num_hidden_layers: decoder, vision_config: { ...c.vision_config, depth: vision } };
}

const rows: string[][] = [];
const f1 = (x: number) => x.toFixed(1);

{
  const model = createVideoLM(presetConfig('small', 120, { endOfText: 0, imEnd: 2, visionStart: 3, visionEnd: 4, videoPad: 5, imagePad: 6 }), 0);
  const r = await measure(model, prompt(model, 8, 32, 60, 10), 16);
  rows.push(['small, 8×32×32, ' + r.seq + ' tokens', f1(r.prefillMs), f1(r.decodeTokensPerSecond), '']);
}

console.error('building the Qwen2-VL-2B-shaped models (random weights, real vocabulary: ~1 GB of embeddings)…');
const largest = createVideoLM(shaped(2, 2), 0);
const variant = (vision: number, decoder: number): VideoLM => {
  const cfg = shaped(vision, decoder);
  const keep = (name: string) => {
    const block = /^visual\.blocks\.(\d+)\./.exec(name);
    const layer = /^model\.layers\.(\d+)\./.exec(name);
    return (!block || Number(block[1]) < vision) && (!layer || Number(layer[1]) < decoder);
  };
  return new (largest.constructor as typeof VideoLM)(cfg, new Map([...largest.params].filter(([n]) => keep(n))));
};
const times: Record<string, { prefillMs: number; decodeTokensPerSecond: number; seq: number }> = {};
for (const [v, d] of [[1, 1], [2, 1], [1, 2], [2, 2]] as const) {
  const model = v === 2 && d === 2 ? largest : variant(v, d);
  console.error(`measuring ${v} vision block(s), ${d} decoder layer(s)…`);
  times[`${v},${d}`] = await measure(model, prompt(model, 8, 224, 32, 100), quick ? 4 : 8);
  rows.push([`2B-shaped, ${v} vision + ${d} decoder, 8×224×224, ${times[`${v},${d}`]!.seq} tokens`, f1(times[`${v},${d}`]!.prefillMs), f1(times[`${v},${d}`]!.decodeTokensPerSecond), '']);
}
const perVisionBlock = times['2,1']!.prefillMs - times['1,1']!.prefillMs;
const perDecoderLayer = times['1,2']!.prefillMs - times['1,1']!.prefillMs;
const fixed = times['1,1']!.prefillMs - perVisionBlock - perDecoderLayer;
const full = fixed + 32 * perVisionBlock + 28 * perDecoderLayer;
const decodePerLayerMs = 1000 / times['1,2']!.decodeTokensPerSecond - 1000 / times['1,1']!.decodeTokensPerSecond;
const decodeFull = 1000 / (1000 / times['1,1']!.decodeTokensPerSecond + 27 * decodePerLayerMs);
rows.push(['  per vision block (prefill)', f1(perVisionBlock), '', 'measured difference']);
rows.push(['  per decoder layer (prefill)', f1(perDecoderLayer), '', 'measured difference']);
rows.push(['  embeddings, merger, lm_head (prefill)', f1(fixed), '', 'the rest']);
rows.push(['  full Qwen2-VL-2B (32 + 28), extrapolated', f1(full), f1(decodeFull), 'fixed + 32·block + 28·layer']);

function shaped25(vision: number, decoder: number, fullatt: number[]): VideoLMConfig {
  const c = presetConfig('qwen2_5-vl-3b-shaped', 151936, special);
  return { ...c, num_hidden_layers: decoder, vision_config: { ...c.vision_config, depth: vision, fullatt_block_indexes: fullatt } };
}

console.error('building the Qwen2.5-VL-3B-shaped models (random weights, real vocabulary)…');
const largest25 = createVideoLM(shaped25(2, 2, [1]), 0);
const variant25 = (vision: number, decoder: number, fullatt: number[]): VideoLM => {
  const keep = (name: string) => {
    const block = /^visual\.blocks\.(\d+)\./.exec(name);
    const layer = /^model\.layers\.(\d+)\./.exec(name);
    return (!block || Number(block[1]) < vision) && (!layer || Number(layer[1]) < decoder);
  };
  return new (largest25.constructor as typeof VideoLM)(shaped25(vision, decoder, fullatt), new Map([...largest25.params].filter(([n]) => keep(n))));
};
const t25: Record<string, { prefillMs: number; decodeTokensPerSecond: number; seq: number }> = {};
for (const [key, v, d, fullatt] of [['1w,1', 1, 1, []], ['2w,1', 2, 1, []], ['1w+1f,1', 2, 1, [1]], ['1w,2', 1, 2, []]] as const) {
  console.error(`measuring 3B-shaped ${key}…`);
  const model = variant25(v, d, [...fullatt]);
  t25[key] = await measure(model, prompt(model, 8, 224, 32, 100), quick ? 4 : 8);
  rows.push([`2.5-3B-shaped, vision ${key.split(',')[0]} (w windowed, f full) + ${d} decoder, 8×224×224, ${t25[key]!.seq} tokens`, f1(t25[key]!.prefillMs), f1(t25[key]!.decodeTokensPerSecond), '']);
}
const windowed25 = t25['2w,1']!.prefillMs - t25['1w,1']!.prefillMs;
const fullBlock25 = t25['1w+1f,1']!.prefillMs - t25['1w,1']!.prefillMs;
const layer25 = t25['1w,2']!.prefillMs - t25['1w,1']!.prefillMs;
const fixed25 = t25['1w,1']!.prefillMs - windowed25 - layer25;
const decodeLayer25 = 1000 / t25['1w,2']!.decodeTokensPerSecond - 1000 / t25['1w,1']!.decodeTokensPerSecond;
rows.push(['  per windowed vision block (prefill)', f1(windowed25), '', 'measured difference (windows are masks: no saving)']);
rows.push(['  per full-attention vision block (prefill)', f1(fullBlock25), '', 'measured difference']);
rows.push(['  per decoder layer (prefill)', f1(layer25), '', 'measured difference']);
rows.push(['  full Qwen2.5-VL-3B (28 + 4 + 36), extrapolated', f1(fixed25 + 28 * windowed25 + 4 * fullBlock25 + 36 * layer25), f1(1000 / (1000 / t25['1w,1']!.decodeTokensPerSecond + 35 * decodeLayer25)), 'fixed + 28·w + 4·f + 36·layer']);

const header = ['model', 'prefill ms (median)', 'decode tokens/s', 'note'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
