// The benchmark's word-level tokenizer, saved in Hugging Face's format and loaded back.
import { benchmarkVocabulary, buildWordLevelTokenizer, loadTokenizer, videoChatPrompt } from 'tempolab';

const words = buildWordLevelTokenizer(benchmarkVocabulary());
console.log(words.decode(words.encode('A. left to right')));  // 'A. left to right'
await words.save('runs/tokenizer');                            // tokenizer.json + tokenizer_config.json
const loaded = await loadTokenizer('runs/tokenizer');          // any HF model directory, e.g. a Qwen2-VL download
const p = videoChatPrompt(loaded, { question: 'which way does the circle move ?', videoTokens: 4 * 4 });
console.log(p.ids.slice(...p.video).length, 'video placeholders, replaced by the video features');
