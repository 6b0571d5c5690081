import type { Question } from '../src/data/index.js';
import { compile, type Feed } from '../src/engine/runtime.js';
import type { VideoLM } from '../src/models/videoLM.js';
import type { VideoQuestions } from '../src/train/objectives.js';

const EVAL_BATCH = 16;

/**
 * A scorer of the objective's questions, compiled once: the percent whose first answer token is the
 * argmax (teacher-forced: the token greedy generation emits first), per format and per format and
 * dimension (`"yes_no direction"`), for the model's current parameters. A captioning question is
 * scored on its temporal slot instead (`"captioning direction"`): right when every token of the
 * slot (e.g. "from left to right", the last words of the caption) is the argmax — what the video
 * alone decides. `transform` edits each batch's feeds (e.g. adds time words to scene tokens) before
 * the forward pass; `subset` names a further group a question is also counted in (`"yes_no <subset>"`).
 */
export async function firstTokenScorer(
  model: VideoLM,
  objective: VideoQuestions,
  transform: (feeds: Record<string, Feed>) => Record<string, Feed> = (f) => f,
  subset: (q: Question) => string | undefined = () => undefined,
): Promise<() => Promise<Map<string, number>>> {
  const { data } = objective;
  const questions: Question[] = data.questions;
  const graph = objective.graph(model, EVAL_BATCH);
  const forward = await compile(graph, { logits: graph.outputs.get('logits')! });
  const vocab = model.config.vocab_size;
  const slotLength = questions.map((q) => (q.format === 'captioning' && q.slots?.direction ? model.tokenizer!.encode(q.slots.direction).length : 0));
  return async () => {
    const tally = new Map<string, [number, number]>();
    const count = (key: string, ok: boolean) => {
      const t = tally.get(key) ?? [0, 0];
      tally.set(key, [t[0] + (ok ? 1 : 0), t[1] + 1]);
    };
    for (let start = 0; start < questions.length; start += EVAL_BATCH) {
      // The last batch is filled up with the last question, scored once.
      const indices = Array.from({ length: EVAL_BATCH }, (_, k) => Math.min(start + k, questions.length - 1));
      const feeds = transform(objective.batchOf(model, indices).feeds);
      const logits = (await forward.run(new Map<string, Feed>([...Object.entries(feeds), ...[...model.params].map(([k, p]) => [k, p.data] as [string, Feed])]))).logits!.data as Float32Array;
      indices.forEach((i, b) => {
        if (start + b >= questions.length) return;
        const labels = data.encoded[i]!.labels;
        const argmaxRight = (p: number) => {
          const row = logits.subarray((b * data.length + p) * vocab, (b * data.length + p + 1) * vocab);
          let best = 0;
          for (let v = 1; v < vocab; v++) if (row[v]! > row[best]!) best = v;
          return best === labels[p];
        };
        const q = questions[i]!;
        const supervised = labels.flatMap((l, p) => (l >= 0 ? [p] : []));
        let key: string;
        let right: boolean;
        if (q.format === 'captioning') {
          if (!slotLength[i]) return;
          // The slot's tokens are the caption's last ones, before <|im_end|>.
          key = 'captioning direction';
          right = supervised.slice(-1 - slotLength[i]!, -1).every(argmaxRight);
        } else {
          key = q.format;
          right = argmaxRight(supervised[0]!);
        }
        count(key, right);
        count(`${key} ${q.dimension}`, right);
        const group = subset(q);
        if (group) count(`${key} ${group}`, right);
      });
    }
    return new Map([...tally].map(([k, [ok, n]]) => [k, (100 * ok) / n]));
  };
}
