// Trace a model, train it a few steps (each step is one onnxruntime call), save it as safetensors.
import { compileTrainStep, crossEntropy, gelu, initParameters, linear, Random, saveParameters, trace } from 'tempolab';

const model = trace((g, scope) => {
  const hidden = gelu(linear(scope.sub('fc1'), g.input('x', [32, 4]), 64));
  const logits = linear(scope.sub('fc2'), hidden, 2);
  return { loss: crossEntropy(logits, g.input('labels', [32], 'int64')) };
});
const params = initParameters(model, /* seed */ 0);
const step = await compileTrainStep(model, { weightDecay: 0.01, maxGradNorm: 1.0 });
const state = step.initState();
const rng = new Random(1);
for (let i = 0; i < 100; i++) {
  const x = Float32Array.from({ length: 32 * 4 }, () => rng.normal());
  const labels = BigInt64Array.from({ length: 32 }, (_, n) => (x[n * 4]! * x[n * 4 + 1]! > 0 ? 1n : 0n));
  const { loss } = await step.run(params, state, { x, labels }, 1e-2);
  if (i % 25 === 24) console.log(`step ${i + 1} loss ${loss.toFixed(3)}`);
}
await saveParameters('mlp.safetensors', params);
