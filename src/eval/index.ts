/** Evaluation: scoring by rule, benchmark figures with intervals, comparisons, tables, charts, reports. */
export { scorePredictions, scoreAnswer, chosenOption, type Prediction, type ScoredAnswer } from './score.js';
export { evaluate, estimate, opposingPairs, type EvaluateOptions, type OpposingPair } from './metrics.js';
export {
  evaluationToJson,
  writeEvaluationJson,
  readEvaluationJson,
  type Estimate,
  type Breakdown,
  type AccuracySummary,
  type EvaluationResult,
} from './result.js';
export {
  beatsBeyondIntervals,
  beatsOnDimension,
  compareOnDimensions,
  figureOf,
  type Measure,
  type Subset,
  type CompareOptions,
  type DimensionVerdict,
} from './compare.js';
export { formatEstimate, accuracyTable, pairTable, firstTokenTable, captionSubjectTable, comparisonTable, verdictTable, type Table } from './tables.js';
export { escapeMarkdown, markdownTable } from './markdown.js';
export {
  lineChart,
  barChart,
  panelFigure,
  distinctColours,
  wrapText,
  niceTicks,
  escapeXml,
  MARGIN,
  TITLE_HEIGHT,
  LEGEND_WIDTH,
  PALETTE,
  type ChartPoint,
  type LineSeries,
  type LineChartSpec,
  type BarSeries,
  type BarChartSpec,
  type Panel,
  type PanelFigureSpec,
} from './svg.js';
export {
  renderHtml,
  renderMarkdown,
  writeReport,
  escapeHtml,
  dataUri,
  heading,
  paragraph,
  tableBlock,
  svgBlock,
  imageBlock,
  codeBlock,
  headingSlugs,
  type Report,
  type ReportBlock,
  type FigureFile,
  type WriteReportOptions,
} from './report.js';
export { evaluationBlocks, comparisonBlocks, dimensionChart, evaluationMarkdown, comparisonMarkdown } from './summary.js';
export { answerQuestions, tokenProbability, type AnswerOptions } from './answer.js';
export { probeReportBlocks, probeFigure, isLayerSweep, type ProbeRun } from './probeReport.js';
export { questionMeans, meanOverQuestions, pairedContrast, type StatsOptions } from './probeStats.js';
export {
  findings,
  findingsBlocks,
  chanceLevels,
  type Findings,
  type FindingsInput,
  type AccuracyFinding,
  type DifferenceFinding,
  type ProbeFinding,
  type Verdict,
} from './findings.js';
export { benchStrategies, strategyTable, type StrategyVariant, type StrategyMeasurement, type StrategyBenchOptions } from './strategyBench.js';
export { runDemo, demoFineTune, DEMO_DEFAULT, DEMO_QUICK, type DemoSettings, type DemoHooks, type DemoResult, type DemoPhase } from './demo.js';
export { answerCandidates, SCORINGS, type Scoring } from './candidates.js';
export { embeddingDiagnostics, videoEmbeddings, linearProbeAccuracy, type EmbeddingDiagnostics } from './diagnostics.js';
export { visionHeadAccuracy, type VisionHeadAccuracy } from './visionHeads.js';
