// Make a small synthetic benchmark, open it, and read questions and clips.
import { benchmarkVocabulary, isCorrect, openDataset, synthesizeDataset } from 'tempolab';

await synthesizeDataset('data/synth', { train: 8, val: 2, test: 8, seed: 0 });
const ds = openDataset('data/synth');            // { manifest, videos(split), questions(split), allQuestions(), video(id), frames(id) }
for (const q of ds.questions('train').slice(0, 3)) {
  const clip = ds.frames(q.videoId);             // Uint8Array, frames × height × width × 3
  console.log(q.format, q.dimension, JSON.stringify(q.answer), `${clip.length} bytes`);
  // also: q.question (the full prompt), q.partnerId (the opposing clip's question), q.heldOut, q.slots (captioning)
}
const q = ds.questions('test')[0]!;
console.log(isCorrect(q, q.answer));             // true: the first word decides; captions are scored on their slots
console.log(benchmarkVocabulary().length, 'words in the templates');
