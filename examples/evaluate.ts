// Answer a split with a model, score by rule, and write results.json plus an HTML/Markdown report.
import {
  answerQuestions, benchmarkVocabulary, buildWordLevelTokenizer, comparisonBlocks, createVideoLM, evaluate, findings, findingsBlocks,
  lineChart, openDataset, presetConfig, scorePredictions, stratifiedSample, svgBlock, synthesizeDataset, writeEvaluationJson, writeReport,
} from 'tempolab';

await synthesizeDataset('data/eval', { train: 2, val: 2, test: 4, seed: 0 });
const ds = openDataset('data/eval');
const questions = stratifiedSample(ds.questions('test'), 8);          // 8 questions spread over formats × dimensions
const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
const models = { control: createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 1, tokenizer),
  stave: createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 2, tokenizer) };   // or: await loadVideoLM(dir)

const answers = Object.fromEntries(await Promise.all(Object.entries(models).map(async ([name, model]) =>
  [name, scorePredictions(questions, await answerQuestions(model, ds, questions))] as const)));
const results = Object.entries(answers).map(([name, a]) => evaluate(a, { model: name, split: 'test' }));
await writeEvaluationJson('runs/eval/results.json', results[1]!);    // stable keys: every format and dimension, always
console.log(results[1]!.all.byDimension.direction);                  // { mean, low, high, n }; n = 0 gives null figures

const found = findings({ results, answers, questions });             // accuracy vs chance, STAVE − control (paired)
console.log(found.sentences.join('\n'));
const svg = lineChart({ title: 'training loss', xLabel: 'step', yLabel: 'loss',
  series: [{ name: 'base', points: [{ x: 0, y: 2.3 }, { x: 100, y: 0.9, low: 0.8, high: 1.0 }] }] });
await writeReport({ title: 'my run', blocks: [...findingsBlocks(found), ...comparisonBlocks(results, { challenger: 'stave', baseline: 'control' }), svgBlock(svg, 'Training loss')] },
  { html: 'runs/eval/report.html', markdown: 'runs/eval/report.md' });
