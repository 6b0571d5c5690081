/**
 * The same two models and the same optimizer (AdamW, decoupled decay on matrices only, global-norm
 * clipping at 1.0) written in TensorFlow.js, the in-ecosystem alternative, on its WASM backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { MlpShape, TransformerShape } from './engineModels.js';

type Variables = { name: string; v: tf.Variable; decay: boolean }[];

function param(vars: Variables, name: string, shape: number[], kind: 'normal' | 'zeros' | 'ones'): tf.Variable {
  const init = kind === 'normal' ? tf.randomNormal(shape, 0, 0.02) : kind === 'ones' ? tf.ones(shape) : tf.zeros(shape);
  const v = tf.variable(init, true, name);
  vars.push({ name, v, decay: shape.length >= 2 });
  return v;
}

const gelu = (x: tf.Tensor) => x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));

function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const centered = x.sub(x.mean(-1, true));
  return centered.mul(centered.square().mean(-1, true).add(1e-6).rsqrt()).mul(w).add(b);
}

function crossEntropy(logits: tf.Tensor, labels: tf.Tensor, classes: number): tf.Scalar {
  const logp = tf.logSoftmax(logits.reshape([-1, classes]));
  return tf.oneHot(labels.reshape([-1]) as tf.Tensor1D, classes).mul(logp).sum().neg().div(labels.size) as tf.Scalar;
}

/** One AdamW step with global-norm clipping, matching src/engine/optimizer.ts. */
function makeStep(vars: Variables, lossFn: () => tf.Scalar) {
  const m = vars.map((p) => tf.variable(tf.zerosLike(p.v), false));
  const v = vars.map((p) => tf.variable(tf.zerosLike(p.v), false));
  let t = 0;
  const [beta1, beta2, eps, wd, maxNorm] = [0.9, 0.999, 1e-8, 0.01, 1.0];
  return (lr: number): number => {
    t += 1;
    const { value, grads } = tf.variableGrads(lossFn, vars.map((p) => p.v));
    tf.tidy(() => {
      const gs = vars.map((p) => grads[p.v.name]!);
      const norm = tf.sqrt(tf.addN(gs.map((g) => g.square().sum())));
      const scale = tf.where(norm.greater(maxNorm), tf.scalar(maxNorm).div(norm.add(1e-6)), tf.scalar(1));
      vars.forEach((p, i) => {
        const g = gs[i]!.mul(scale);
        const mi = m[i]!.mul(beta1).add(g.mul(1 - beta1));
        const vi = v[i]!.mul(beta2).add(g.square().mul(1 - beta2));
        const update = mi.div(1 - beta1 ** t).div(vi.div(1 - beta2 ** t).sqrt().add(eps));
        const decayed = p.decay ? p.v.mul(1 - lr * wd) : p.v;
        p.v.assign(decayed.sub(update.mul(lr)));
        m[i]!.assign(mi);
        v[i]!.assign(vi);
      });
    });
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
}

export function tfjsMlpStep(s: MlpShape, x: Float32Array, labels: Int32Array): (lr: number) => number {
  const vars: Variables = [];
  const w1 = param(vars, 'fc1.w', [s.inFeatures, s.hidden], 'normal');
  const b1 = param(vars, 'fc1.b', [s.hidden], 'zeros');
  const w2 = param(vars, 'fc2.w', [s.hidden, s.classes], 'normal');
  const b2 = param(vars, 'fc2.b', [s.classes], 'zeros');
  const xs = tf.tensor2d(x, [s.batch, s.inFeatures]);
  const ys = tf.tensor1d(labels, 'int32');
  return makeStep(vars, () => crossEntropy(gelu(xs.matMul(w1).add(b1)).matMul(w2).add(b2), ys, s.classes));
}

export function tfjsTransformerStep(s: TransformerShape, ids: Int32Array, labels: Int32Array): (lr: number) => number {
  const vars: Variables = [];
  const hd = s.width / s.heads;
  const embed = param(vars, 'embed', [s.vocab, s.width], 'normal');
  const layers = Array.from({ length: s.layers }, (_, i) => ({
    ln1w: param(vars, `l${i}.ln1.w`, [s.width], 'ones'), ln1b: param(vars, `l${i}.ln1.b`, [s.width], 'zeros'),
    qkvw: param(vars, `l${i}.qkv.w`, [s.width, 3 * s.width], 'normal'), qkvb: param(vars, `l${i}.qkv.b`, [3 * s.width], 'zeros'),
    projw: param(vars, `l${i}.proj.w`, [s.width, s.width], 'normal'), projb: param(vars, `l${i}.proj.b`, [s.width], 'zeros'),
    ln2w: param(vars, `l${i}.ln2.w`, [s.width], 'ones'), ln2b: param(vars, `l${i}.ln2.b`, [s.width], 'zeros'),
    fc1w: param(vars, `l${i}.fc1.w`, [s.width, 4 * s.width], 'normal'), fc1b: param(vars, `l${i}.fc1.b`, [4 * s.width], 'zeros'),
    fc2w: param(vars, `l${i}.fc2.w`, [4 * s.width, s.width], 'normal'), fc2b: param(vars, `l${i}.fc2.b`, [s.width], 'zeros'),
  }));
  const lnfw = param(vars, 'lnf.w', [s.width], 'ones');
  const lnfb = param(vars, 'lnf.b', [s.width], 'zeros');
  const headw = param(vars, 'head.w', [s.width, s.vocab], 'normal');
  const headb = param(vars, 'head.b', [s.vocab], 'zeros');
  const idT = tf.tensor2d(ids, [s.batch, s.seq], 'int32');
  const labelT = tf.tensor2d(labels, [s.batch, s.seq], 'int32');
  const heads = (t: tf.Tensor) => t.reshape([s.batch, s.seq, s.heads, hd]).transpose([0, 2, 1, 3]);
  const lossFn = () => {
    // The WASM backend has no kernel for gather's gradient (UnsortedSegmentSum), so the lookup is a
    // one-hot matmul: ~3% of this model's FLOPs, which the GFLOP/s column does not credit to tfjs.
    let x: tf.Tensor = tf.oneHot(idT.reshape([-1]) as tf.Tensor1D, s.vocab).matMul(embed).reshape([s.batch, s.seq, s.width]);
    for (const l of layers) {
      const h = layerNorm(x, l.ln1w, l.ln1b).reshape([-1, s.width]).matMul(l.qkvw).add(l.qkvb).reshape([s.batch, s.seq, 3 * s.width]);
      const [q, k, v] = tf.split(h, 3, -1).map(heads) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const probs = tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(hd)));
      const attended = tf.matMul(probs, v).transpose([0, 2, 1, 3]).reshape([-1, s.width]);
      x = x.add(attended.matMul(l.projw).add(l.projb).reshape([s.batch, s.seq, s.width]));
      const m = gelu(layerNorm(x, l.ln2w, l.ln2b).reshape([-1, s.width]).matMul(l.fc1w).add(l.fc1b)).matMul(l.fc2w).add(l.fc2b);
      x = x.add(m.reshape([s.batch, s.seq, s.width]));
    }
    const logits = layerNorm(x, lnfw, lnfb).reshape([-1, s.width]).matMul(headw).add(headb);
    return crossEntropy(logits, labelT, s.vocab);
  };
  return makeStep(vars, lossFn);
}
