// Build a tiny VideoLM, run one clip through it, and add STA (its output is unchanged at first).
import { addTemporalAttention, benchmarkVocabulary, buildWordLevelTokenizer, createVideoLM, encodeVideoQuestion, presetConfig, videoToPixelValues } from 'tempolab';

const tokenizer = buildWordLevelTokenizer(benchmarkVocabulary());
const m = createVideoLM(presetConfig('tiny', tokenizer.vocabSize, tokenizer.special), /* seed */ 0, tokenizer);  // or: await loadVideoLM(dir)
const frames = new Uint8Array(8 * 32 * 32 * 3).fill(128);           // 8 RGB frames of 32×32 (decodeVideo gives these)
const pv = videoToPixelValues(frames, 8, 32, 32, m.config.vision_config);
const p = encodeVideoQuestion(tokenizer, { question: 'is the circle moving left ?', videoTokens: m.mergedTokens(pv.grid), temporalGroups: pv.grid.t });
const out = await m.forward({ inputIds: p.inputIds, pixelValuesVideos: pv.data, videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w] });
console.log(out.logits.length, 'logits;', out.videoEmbeds.length, 'video embedding values');  // [seq·vocab], [tokens·hidden]
const withSta = addTemporalAttention(m);                             // STA's proj starts at zero: same outputs
const again = await withSta.forward({ inputIds: p.inputIds, pixelValuesVideos: pv.data, videoGridThw: [pv.grid.t, pv.grid.h, pv.grid.w] });
console.log('STA leaves the logits unchanged:', again.logits.every((v, i) => v === out.logits[i]));
