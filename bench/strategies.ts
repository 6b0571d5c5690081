/**
 * `npm run bench:strategies`: what the pathway-guided strategies save on a full Qwen2-VL-2B layout
 * (32 vision blocks, 28 decoder layers, 8 frames of 224×224 → 256 video tokens, a 40-token
 * question), counted from the traced prefill graphs — FLOPs of the decoder and of the whole prefill,
 * and the KV-cache bytes each strategy keeps. Tracing needs no weights, so this runs in seconds.
 * (Measured latency and accuracy on a trained model: `tempolab bench-strategies`.)
 */
import { countFlops } from '../src/engine/flops.js';
import { cachedTokens, type PromptLayout } from '../src/infer/layout.js';
import { traceStrategicPrefill } from '../src/infer/prefillGraph.js';
import { PAPER_STRATEGIES, parseStrategies } from '../src/infer/strategies.js';
import { headDim, presetConfig } from '../src/models/config.js';
import { videoLMInputs } from '../src/models/graph.js';

const special = { endOfText: 151643, imEnd: 151645, visionStart: 151652, visionEnd: 151653, videoPad: 151656, imagePad: 151655 };
const base = presetConfig('qwen2-vl-2b-shaped', 151936, special);
const cfg = { ...base, num_hidden_layers: 28, vision_config: { ...base.vision_config, depth: 32 } };
const grid = { t: 4, h: 16, w: 16 };
const layout: PromptLayout = { seq: 20 + 256 + 40, videoStart: 20, frames: 4, tokensPerFrame: 64 };

const specs = ['none', PAPER_STRATEGIES.sparseQuery, PAPER_STRATEGIES.noInterFrame, PAPER_STRATEGIES.exit, `${PAPER_STRATEGIES.sparseQuery},${PAPER_STRATEGIES.noInterFrame},${PAPER_STRATEGIES.exit}`];
const rows = specs.map((spec) => {
  const strategies = parseStrategies(spec, cfg.num_hidden_layers);
  const graph = traceStrategicPrefill(cfg, grid, layout, strategies);
  const total = countFlops(graph).total;
  const kvBytes = Array.from({ length: cfg.num_hidden_layers }, (_, l) => cachedTokens(layout, strategies, l).length).reduce((s, n) => s + n, 0) * 2 * cfg.num_key_value_heads * headDim(cfg) * 4;
  return { spec, total, kvBytes };
});
// The vision encoder and lm_head are the same for every strategy: subtract them to see the decoder.
const vision = (() => {
  const inputs = videoLMInputs(cfg, { batch: 1, seq: layout.seq, grid });
  return countFlops(inputs.graph, { video: inputs.videoEmbeds }).total;
})();
const lmHead = 2 * cfg.hidden_size * cfg.vocab_size;
const b = rows[0]!;
console.log('| strategy | decoder GFLOPs | prefill GFLOPs (with vision, lm_head) | KV cache MiB |');
console.log('| --- | --- | --- | --- |');
for (const r of rows) {
  const decoder = r.total - vision - lmHead;
  console.log(`| ${r.spec === 'none' ? 'baseline' : r.spec} | ${(decoder / 1e9).toFixed(1)} (${(decoder / (b.total - vision - lmHead)).toFixed(2)}×) | ${(r.total / 1e9).toFixed(1)} (${(r.total / b.total).toFixed(2)}×) | ${(r.kvBytes / 2 ** 20).toFixed(1)} (${(r.kvBytes / b.kvBytes).toFixed(2)}×) |`);
}
