// Probe one clip: P_C of an intervention, both next-token distributions, and the model's internals.
import {
  benchmarkVocabulary, buildWordLevelTokenizer, compileInterventions, createVideoLM, experiment, inspectClip, interFrame,
  knockout, openDataset, PreparedClip, presetConfig, probeClip, restrictQueryToFrame, reverseFrames, synthesizeDataset,
} from 'tempolab';

await synthesizeDataset('data/probe', { train: 2, val: 2, test: 4, seed: 0 });
const ds = openDataset('data/probe');
const q = ds.questions('test')[0]!;
const video = { frames: ds.frames(q.videoId), count: ds.manifest.frames, height: ds.manifest.height, width: ds.manifest.width };
const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
const model = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), 0, tokenizer);  // or: await loadVideoLM(dir)

// P_C = P̃(first answer token) − P(same), with the interventions as plain data.
const r = await probeClip(model, { video, question: q.question, answer: q.answer }, [interFrame({ layers: [0, 1] })]);
console.log(r.pc, r.baseline.probability, r.intervened.probability, r.intervened.distribution.length);
// P measured on an already-modified input (Fig. 8 style): reversed clip, query restricted to frame 0.
await probeClip(model, { video, question: q.question, answer: q.answer }, [reverseFrames(), restrictQueryToFrame({ frame: 0 })], { baseline: [reverseFrames()] });

// One run, internals kept: hidden states [L+1, B, S, hidden], attention probabilities [L, B, heads, S, S].
const run = await inspectClip(model, { video, question: q.question }, { interventions: [knockout({ layers: [1], targets: 'lastToken', sources: 'frames' })] });
console.log(run.layer('attentions', 1).dims, run.spans.frames);

// The graph inputs an intervention list compiles to, for this prompt.
const ctx = new PreparedClip(model, { video, question: q.question }).context;
const inputs = compileInterventions([knockout({ layers: [1], targets: 'lastToken', sources: 'query' }), reverseFrames()], ctx);
console.log(inputs.decoderMask.length, inputs.decoderRope, inputs.frameOrder);   // [L·S·S] 0 / −∞, [L] rotary switches, raw frame order
console.log(experiment('stagewise', { numLayers: 28, numFrames: 4 }, { k: 5 }).conditions.length, 'conditions in Fig. 6 for a 28-layer model');
