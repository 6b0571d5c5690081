import { test } from 'node:test';
import { grad } from '../../src/engine/autodiff.js';
import { addTemporalAttention } from '../../src/models/addTemporalAttention.js';
import { assertGradientsMatchFiniteDifferences, evalTensor } from '../engine/helpers.js';
import { perturb, request, tinyModel } from './helpers.js';

test('the VideoLM loss gradient reaches the vision encoder and matches finite differences (tiny, with STA)', () => {
  const model = addTemporalAttention(tinyModel(21));
  perturb(model, 22, (n) => n.includes('temp_attn'));
  const req = request(model);
  const labels = (req.inputIds as number[]).map((_, s, ids) => (s >= ids.length - 4 && s < ids.length - 1 ? ids[s + 1]! : -100));
  const { shape, inputs } = model.feeds([{ ...req, labels }], true);
  const graph = model.graph(shape);
  const loss = graph.outputs.get('loss')!;
  const names = ['visual.patch_embed.proj.weight', 'visual.blocks.0.attn.qkv.weight', 'visual.blocks.1.temp_attn.qkv.weight', 'visual.merger.mlp.2.weight', 'model.layers.0.self_attn.q_proj.weight'];
  const grads = grad(loss, names.map((n) => graph.inputs.get(n)!.tensor));
  const feeds: Record<string, Float64Array | number[]> = {};
  for (const [k, v] of Object.entries(inputs)) feeds[k] = Array.from(v as ArrayLike<number | bigint>, Number);
  for (const [k, p] of model.params) feeds[k] = Float64Array.from(p.data);
  assertGradientsMatchFiniteDifferences(graph, feeds, loss, names, (name) => evalTensor(graph, feeds, grads[names.indexOf(name)]!).data);
});
