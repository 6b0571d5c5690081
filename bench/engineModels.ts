/** The two benchmark models in tempolab: an MLP and a pre-norm transformer encoder, each with a loss. */
import * as E from '../src/engine/index.js';
import type { Tensor } from '../src/engine/index.js';

export interface MlpShape { batch: number; inFeatures: number; hidden: number; classes: number }
export interface TransformerShape { batch: number; seq: number; width: number; heads: number; layers: number; vocab: number }

export function mlpGraph(s: MlpShape): E.Graph {
  return E.trace((g, scope) => {
    const h = E.gelu(E.linear(scope.sub('fc1'), g.input('x', [s.batch, s.inFeatures]), s.hidden));
    return { loss: E.crossEntropy(E.linear(scope.sub('fc2'), h, s.classes), g.input('labels', [s.batch], 'int64')) };
  });
}

function encoderLayer(scope: E.Scope, x: Tensor, s: TransformerShape): Tensor {
  const hd = s.width / s.heads;
  const heads = (t: Tensor) => E.transpose(E.reshape(t, [s.batch, s.seq, s.heads, hd]), [0, 2, 1, 3]);
  const h = E.layerNormLayer(scope.sub('ln1'), x);
  const [q, k, v] = E.split(E.linear(scope.sub('qkv'), h, 3 * s.width), -1, [s.width, s.width, s.width]).map(heads) as [Tensor, Tensor, Tensor];
  const attended = E.reshape(E.transpose(E.attention(q, k, v), [0, 2, 1, 3]), [s.batch, s.seq, s.width]);
  const x1 = E.add(x, E.linear(scope.sub('proj'), attended, s.width));
  const hidden = E.gelu(E.linear(scope.sub('fc1'), E.layerNormLayer(scope.sub('ln2'), x1), 4 * s.width));
  return E.add(x1, E.linear(scope.sub('fc2'), hidden, s.width));
}

/** Token embedding → layers × (pre-norm attention + MLP) → LayerNorm → per-token classifier. */
export function transformerGraph(s: TransformerShape): E.Graph {
  return E.trace((g, scope) => {
    let x = E.embedding(scope.sub('embed'), g.input('ids', [s.batch, s.seq], 'int64'), s.vocab, s.width);
    for (let i = 0; i < s.layers; i++) x = encoderLayer(scope.sub('layers').sub(i), x, s);
    const logits = E.linear(scope.sub('head'), E.layerNormLayer(scope.sub('ln_f'), x), s.vocab);
    return { loss: E.crossEntropy(logits, g.input('labels', [s.batch, s.seq], 'int64')) };
  });
}
