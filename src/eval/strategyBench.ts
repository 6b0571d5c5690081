/**
 * `tempolab bench-strategies`: baseline and each pathway-guided strategy measured side by side —
 * accuracy by format (with intervals), prefill FLOPs counted from the graph, prefill latency
 * and decode time (medians of rounds interleaved across strategies, so machine noise hits all
 * alike), decode tokens/s and KV-cache bytes.
 */
import type { Dataset } from '../data/dataset.js';
import type { Question } from '../data/types.js';
import { kvCacheBytes, prefillFlops, strategicPrefill } from '../infer/prefill.js';
import { describeStrategies, type Strategies } from '../infer/strategies.js';
import { decode } from '../models/generate.js';
import { encodeVideoQuestion } from '../models/prompt.js';
import { clipPixelValues } from '../models/processor.js';
import type { VideoLM } from '../models/videoLM.js';
import { answerQuestions } from './answer.js';
import { evaluate } from './metrics.js';
import type { EvaluationResult } from './result.js';
import { scorePredictions } from './score.js';
import type { Table } from './tables.js';

export interface StrategyVariant {
  name: string;
  strategies: Strategies;
}

export interface StrategyMeasurement {
  name: string;
  description: string;
  evaluation: EvaluationResult;
  prefillFlops: number;
  prefillMs: number;
  decodeTokensPerSecond: number;
  kvCacheBytes: number;
}

export interface StrategyBenchOptions {
  repeats?: number;
  decodeTokens?: number;
  onProgress?: (what: string) => void;
}

export async function benchStrategies(model: VideoLM, dataset: Dataset, questions: readonly Question[], variants: readonly StrategyVariant[], options: StrategyBenchOptions = {}): Promise<StrategyMeasurement[]> {
  const sample = questions[0]!;
  const pv = clipPixelValues(dataset, sample.videoId, model.config.vision_config);
  const prompt = encodeVideoQuestion(model.tokenizer!, { question: sample.question, videoTokens: model.mergedTokens(pv.grid), temporalGroups: pv.grid.t });
  const request = { inputIds: prompt.inputIds, pixelValuesVideos: pv.data, videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w] as const, secondPerGridT: pv.secondPerGridT };

  const repeats = options.repeats ?? 15;
  const decodeTokens = options.decodeTokens ?? 16;
  const prefillTimes = variants.map(() => [] as number[]);
  const decodeTimes = variants.map(() => [] as number[]);
  const prefilled = [];
  for (const v of variants) {
    // Compile and warm up both graphs before any timing.
    const p = await strategicPrefill(model, request, prompt.spans, v.strategies);
    await decode(model, p, { maxNewTokens: decodeTokens, stopTokens: [] });
    prefilled.push(p);
  }
  for (let r = 0; r < repeats; r++) {
    for (const [i, v] of variants.entries()) {
      const t0 = performance.now();
      await strategicPrefill(model, request, prompt.spans, v.strategies);
      const t1 = performance.now();
      await decode(model, prefilled[i]!, { maxNewTokens: decodeTokens, stopTokens: [] });
      prefillTimes[i]!.push(t1 - t0);
      decodeTimes[i]!.push(performance.now() - t1);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  const out: StrategyMeasurement[] = [];
  for (const [i, v] of variants.entries()) {
    options.onProgress?.(`${v.name}: accuracy on ${questions.length} questions`);
    const predictions = await answerQuestions(model, dataset, questions, { strategies: v.strategies });
    out.push({
      name: v.name,
      description: describeStrategies(v.strategies),
      evaluation: evaluate(scorePredictions(questions, predictions), { model: v.name, split: sample.split }),
      prefillFlops: await prefillFlops(model, request, prompt.spans, v.strategies),
      prefillMs: median(prefillTimes[i]!),
      // The first decoded token comes from the prefill logits: decodeTokens − 1 cached steps run.
      decodeTokensPerSecond: decodeTokens / (median(decodeTimes[i]!) / 1000),
      kvCacheBytes: kvCacheBytes(model, prefilled[i]!),
    });
  }
  return out;
}

const pct = (x: number | null) => (x === null ? '—' : (100 * x).toFixed(1));

/** The side-by-side table; ratios are against the first variant (the baseline). */
export function strategyTable(rows: readonly StrategyMeasurement[]): Table {
  const base = rows[0]!;
  const ratio = (x: number, b: number) => `${(x / b).toFixed(2)}×`;
  return {
    caption: 'Pathway-guided strategies, measured in one run (ratios against the baseline)',
    header: ['strategy', 'accuracy % (95% CI)', 'yes_no', 'multi_choice', 'caption_matching', 'captioning', 'prefill MFLOPs', 'prefill ms', 'decode tok/s', 'KV cache KiB'],
    rows: rows.map((r) => {
      const a = r.evaluation.all;
      return [
        `${r.name} (${r.description})`,
        `${pct(a.overall.mean)} (${pct(a.overall.low)}–${pct(a.overall.high)})`,
        ...(['yes_no', 'multi_choice', 'caption_matching', 'captioning'] as const).map((f) => pct(a.byFormat[f].mean)),
        `${(r.prefillFlops / 1e6).toFixed(1)} (${ratio(r.prefillFlops, base.prefillFlops)})`,
        `${r.prefillMs.toFixed(2)} (${ratio(r.prefillMs, base.prefillMs)})`,
        r.decodeTokensPerSecond.toFixed(0),
        `${(r.kvCacheBytes / 1024).toFixed(1)} (${ratio(r.kvCacheBytes, base.kvCacheBytes)})`,
      ];
    }),
  };
}
