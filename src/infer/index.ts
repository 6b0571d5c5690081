/** Pathway-guided efficient inference (Causality Matters §6): strategies that really skip work. */
export { parseStrategies, describeStrategies, PAPER_STRATEGIES, STRATEGY_HELP, type Strategies } from './strategies.js';
export { layoutOf, tokensInLayer, cachedTokens, type PromptLayout } from './layout.js';
export { traceStrategicPrefill } from './prefillGraph.js';
export { strategicPrefill, prefillFlops, kvCacheBytes } from './prefill.js';
export { temporalExit, sparseQuery, noInterFrame, strategyFromSpec, composeStrategies, planStrategies, type Strategy, type LayerPoint, type LayerSpan } from './press.js';
