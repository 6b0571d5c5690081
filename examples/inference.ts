// Pathway-guided strategies as objects, then the model exported for Hugging Face and ONNX runtimes.
import {
  answerQuestions, benchmarkVocabulary, buildWordLevelTokenizer, composeStrategies, createVideoLM, exportForHub, exportOnnx,
  openDataset, planStrategies, presetConfig, sparseQuery, stratifiedSample, synthesizeDataset, temporalExit, type Strategy,
} from 'tempolab';

await synthesizeDataset('data/infer', { train: 2, val: 2, test: 4, seed: 0 });
const ds = openDataset('data/infer');
const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 0, tokenizer);   // or: await loadVideoLM(dir)
const layers = model.config.num_hidden_layers;

const paperLike = composeStrategies(sparseQuery({ ratio: [0.35, 0.7] }), temporalExit({ ratio: 0.7 }));
const mine: Strategy = { name: 'exit-after-first', plan: () => ({ exitAt: 1 }) };                 // any object with plan(numLayers)
console.log(paperLike.name, planStrategies(paperLike, layers), planStrategies('exit@0.5', layers), planStrategies(mine, layers));
const answers = await answerQuestions(model, ds, stratifiedSample(ds.questions('test'), 4), { strategies: planStrategies(mine, layers) });
console.log(answers.map((a) => a.prediction));

const hub = await exportForHub(model, 'runs/export');                                               // config says which class loads it
console.log(hub.kind, hub.architectures, hub.files);
const onnx = await exportOnnx(model, 'runs/export', { frames: 8, size: 32, seq: 96, maxNewTokens: 8 });  // vision encoder, prefill, decode step
console.log(onnx.files, onnx.videoTokens);
