// Build a tiny base VideoLM in its four stages, then STAVE from it, a few steps each (the demo does this at scale).
import { loadVideoLM, resolveModelDir, synthesizeDataset, train } from 'tempolab';

await synthesizeDataset('data/train', { train: 16, val: 2, test: 4, seed: 0 });
const common = { data: 'data/train', seed: 0, batchSize: 4, checkpointEvery: 100, weightDecay: 0.01, maxGradNorm: 1 };
const stage = { steps: 4, lr: 3e-3, batchSize: 4 };
await train({ kind: 'base', ...common, out: 'runs/base', preset: 'tiny', instructTrainable: 'decoder', stages: { vision: stage, language: stage, align: stage, instruct: stage } },
  { onStep: (p) => console.log(`base step ${p.globalStep}/${p.totalSteps} loss ${p.loss.toFixed(3)}`) });
const stave = await train({ kind: 'stave', ...common, out: 'runs/stave', from: 'runs/base',
  stage1Steps: 2, stage2Steps: 2, stage1Lr: 2e-3, stage2Lr: 1e-3, loraRank: 4, loraAlpha: 8 });
console.log(stave.interrupted ? 'interrupted' : 'done', (await loadVideoLM(resolveModelDir('runs/stave'))).config.vision_config.temporal_attention);
