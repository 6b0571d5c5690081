import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import * as path from 'node:path';
import { TempolabError } from '../../src/engine/errors.js';
import { benchmarkVocabulary, datasetIdentity, heldOutIdentity, openDataset, splitWords, synthesizeDataset, type Question } from '../../src/data/index.js';
import { framesOf, foreground, tempDir } from './helpers.js';

const root = tempDir();
const plainDir = path.join(root, 'plain');
const mixedDir = path.join(root, 'mixed');
// Clean pixels (plain backgrounds, no distractors) for the measurements; the defaults for the rest.
await synthesizeDataset(plainDir, { train: 400, val: 0, test: 0, seed: 7, background: 'plain', distractors: 0 });
await synthesizeDataset(mixedDir, { train: 2000, val: 200, test: 400, seed: 11 });
const plain = openDataset(plainDir);
const mixed = openDataset(mixedDir);
const T = plain.manifest.frames;
const W = plain.manifest.width;

const captioned = (ds: typeof plain, phenomenon: string) =>
  ds.questions('train').filter((q) => q.format === 'captioning' && q.dimension !== 'perception' && q.phenomenon === phenomenon);
const strictlyIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
const strictlyDecreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x < xs[i - 1]!);
const track = (videoId: string) => framesOf(plain.frames(videoId), T).map((f) => foreground(f, W));

test('left-to-right clips move right and their reversed partners move left, measured by centroid', () => {
  const qs = captioned(plain, 'direction.horizontal');
  assert.ok(qs.length >= 10);
  for (const q of qs) {
    const xs = track(q.videoId).map((m) => m.x);
    if (q.answer.endsWith('from left to right')) assert.ok(strictlyIncreasing(xs), `${q.videoId}: ${xs}`);
    else assert.ok(strictlyDecreasing(xs), `${q.videoId}: ${xs}`);
  }
});

test('top-to-bottom clips move down, measured by centroid', () => {
  for (const q of captioned(plain, 'direction.vertical')) {
    const ys = track(q.videoId).map((m) => m.y);
    assert.ok(q.answer.endsWith('from top to bottom') ? strictlyIncreasing(ys) : strictlyDecreasing(ys), `${q.videoId}: ${ys}`);
  }
});

test('"gets bigger" and "toward the camera" clips grow in pixel area; their partners shrink', () => {
  const qs = [...captioned(plain, 'attribute_change.size'), ...captioned(plain, 'direction.depth')];
  assert.ok(qs.length >= 10);
  for (const q of qs) {
    const areas = track(q.videoId).map((m) => m.area);
    const grows = q.answer.endsWith('bigger') || q.answer.endsWith('toward the camera');
    assert.ok(grows ? strictlyIncreasing(areas) : strictlyDecreasing(areas), `${q.videoId}: ${areas}`);
  }
});

test('"fast" clips travel farther than their "slowly" partners; "stays still" clips do not change', () => {
  for (const q of captioned(plain, 'speed.single').filter((q) => q.answer.endsWith('fast'))) {
    const travel = (id: string) => {
      const xs = track(id).map((m) => m.x);
      return Math.abs(xs[T - 1]! - xs[0]!);
    };
    assert.ok(travel(q.videoId) > 2 * travel(plain.video(q.videoId).partnerId!));
  }
  for (const q of captioned(plain, 'action.moving')) {
    const frames = framesOf(plain.frames(q.videoId), T);
    const still = frames.every((f) => Buffer.from(f).equals(Buffer.from(frames[0]!)));
    assert.equal(still, q.answer.endsWith('stays still'), q.videoId);
  }
});

test('reversal partners have identical frame multisets and opposite answers', () => {
  const questions = new Map(mixed.allQuestions().map((q) => [q.id, q]));
  let pairs = 0;
  for (const v of mixed.videos('train')) {
    if (v.partnerKind !== 'reversed' || v.id > v.partnerId!) continue;
    const multiset = (id: string) => framesOf(mixed.frames(id), T).map((f) => Buffer.from(f).toString('base64')).sort();
    assert.deepEqual(multiset(v.id), multiset(v.partnerId!));
    assert.notDeepEqual(mixed.frames(v.id), mixed.frames(v.partnerId!), 'a clip is not its own reversal');
    for (const format of ['yes_no', 'multi_choice', 'caption_matching', 'captioning']) {
      const q = questions.get(`${v.id}-${format}`)!;
      const p = questions.get(q.partnerId!)!;
      assert.equal(p.videoId, v.partnerId);
      assert.equal(p.question, q.question, 'partners are asked the same question');
      assert.notEqual(p.answer, q.answer);
    }
    pairs++;
  }
  assert.ok(pairs > 100);
  // Re-rendered partners (speed, action) differ in frames but share the question, not the answer.
  for (const q of mixed.questions('train').filter((q) => q.dimension !== 'perception')) {
    const p = questions.get(q.partnerId!)!;
    assert.equal(p.partnerId, q.id);
    assert.equal(p.question, q.question);
    assert.notEqual(p.answer, q.answer);
  }
});

test('the majority-answer baseline is at chance for every format and dimension', () => {
  const chance: Record<string, number> = { yes_no: 1 / 2, multi_choice: 1 / 3, caption_matching: 1 / 2 };
  const train = mixed.questions('train');
  for (const format of Object.keys(chance)) {
    const ofFormat = train.filter((q) => q.format === format);
    assert.equal(ofFormat.filter((q) => q.dimension !== 'perception').length, 2000);
    assert.equal(ofFormat.filter((q) => q.dimension === 'perception').length, 2000, 'one perception question per clip and format');
    const groups = [ofFormat, ...['direction', 'speed', 'order', 'attribute_change', 'action', 'perception'].map((d) => ofFormat.filter((q) => q.dimension === d))];
    for (const group of groups) {
      const counts = new Map<string, number>();
      for (const q of group) {
        const first = q.answer.split(/[\s.]/)[0]!;
        counts.set(first, (counts.get(first) ?? 0) + 1);
      }
      const majority = Math.max(...counts.values()) / group.length;
      assert.ok(Math.abs(majority - chance[format]!) <= 0.02, `${format} ${group[0]!.dimension}: majority ${majority}`);
    }
  }
});

test('held-out compositions occur in test and never in train or val', () => {
  const held = new Set(mixed.manifest.heldOut.map((h) => `${h.shape}|${h.colour}|${h.motion}`));
  assert.ok(held.size > 0);
  // Read the coloured objects from the caption text, not from the generator's bookkeeping.
  const shownIn = (q: Question) => {
    const shapes = 'circle|square|triangle|diamond|cross';
    const found = [...q.answer.matchAll(new RegExp(`(\\w+) (${shapes})`, 'g'))].map((m) => `${m[2]}|${m[1]}`);
    const change = q.answer.match(new RegExp(`the (${shapes}) changes from (\\w+) to (\\w+)`));
    if (change) found.push(`${change[1]}|${change[2]}`, `${change[1]}|${change[3]}`);
    return found.map((f) => `${f}|${q.composition!.motion}`);
  };
  let checked = 0;
  for (const split of ['train', 'val'] as const) {
    for (const q of mixed.questions(split)) {
      assert.equal(q.heldOut, false);
      if (q.format !== 'captioning') continue;
      for (const c of shownIn(q)) {
        assert.ok(!held.has(c), `${q.id} shows held-out ${c}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 1000);
  const test = mixed.questions('test');
  const share = test.filter((q) => q.heldOut).length / test.length;
  assert.ok(share > 0.3 && share < 0.7, `held-out share of test ${share}`);
  for (const q of test.filter((q) => q.heldOut && q.format === 'captioning' && q.dimension !== 'perception' && q.phenomenon !== 'order.change')) {
    assert.ok(shownIn(q).some((c) => held.has(c)), q.id);
  }
});

test('--val-held-out-share puts held-out compositions into validation and leaves train and test byte for byte as they were', async () => {
  const dir = path.join(root, 'val-held-out');
  await synthesizeDataset(dir, { train: 2000, val: 200, test: 400, seed: 11, valHeldOutShare: 0.5 });
  const withHeldOut = openDataset(dir);
  for (const file of ['train/questions.jsonl', 'train/frames-000.bin', 'test/questions.jsonl', 'test/frames-000.bin']) {
    assert.ok(readFileSync(path.join(mixedDir, file)).equals(readFileSync(path.join(dir, file))), file);
  }
  const val = withHeldOut.questions('val');
  const share = val.filter((q) => q.heldOut).length / val.length;
  assert.ok(share > 0.3 && share < 0.7, `held-out share of val ${share}`);
  const held = new Set(withHeldOut.manifest.heldOut.map((h) => `${h.shape}|${h.colour}|${h.motion}`));
  for (const q of val.filter((q) => q.heldOut)) assert.ok(held.has(`${q.composition!.shape}|${q.composition!.colour}|${q.composition!.motion}`), q.id);
  // Recorded where set, absent where not: a default dataset keeps the identity it always had.
  assert.equal(withHeldOut.manifest.generator.valHeldOutShare, 0.5);
  assert.equal('valHeldOutShare' in mixed.manifest.generator, false);
  await assert.rejects(synthesizeDataset(path.join(root, 'bad-share'), { valHeldOutShare: 0.25 }), /--val-held-out-share must be a share in \[0, 1\] in steps of 0.1/);
  await assert.rejects(synthesizeDataset(path.join(root, 'bad-share'), { valHeldOutShare: 2 }), /--val-held-out-share must be a share/);
});

test('same seed gives byte-identical datasets; another seed gives different frames', async () => {
  const again = path.join(root, 'again');
  const other = path.join(root, 'other');
  await synthesizeDataset(again, { train: 400, val: 0, test: 0, seed: 7, background: 'plain', distractors: 0 });
  await synthesizeDataset(other, { train: 400, val: 0, test: 0, seed: 8, background: 'plain', distractors: 0 });
  for (const file of ['manifest.json', 'train/questions.jsonl', 'train/videos.jsonl', 'train/frames-000.bin']) {
    assert.ok(readFileSync(path.join(plainDir, file)).equals(readFileSync(path.join(again, file))), file);
  }
  assert.ok(!readFileSync(path.join(plainDir, 'train/frames-000.bin')).equals(readFileSync(path.join(other, 'train/frames-000.bin'))));
});

test('every question and answer word is in benchmarkVocabulary(); answers start with yes, no or a letter', () => {
  const vocabulary = new Set(benchmarkVocabulary());
  for (const q of mixed.allQuestions()) {
    for (const w of [...splitWords(q.question), ...splitWords(q.answer)]) assert.ok(vocabulary.has(w), `'${w}' of ${q.id}`);
    if (q.format === 'yes_no') assert.match(q.answer, /^(yes|no)$/);
    if (q.format === 'multi_choice' || q.format === 'caption_matching') {
      const letter = q.answer[0]!;
      assert.match(q.answer, /^[A-C]\. /);
      assert.equal(q.options![letter.charCodeAt(0) - 65], q.answer.slice(3));
      assert.ok(q.question.includes(q.format === 'multi_choice' ? `\n${letter}. ${q.answer.slice(3)}\n` : `\ncaption ${letter}: ${q.answer.slice(3)}\n`));
    }
  }
});

test('the loader returns [T,H,W,3] clips per video and counts that match the manifest', () => {
  const m = mixed.manifest;
  assert.equal(mixed.frames('val-000005').length, m.frames * m.height * m.width * 3);
  assert.equal(mixed.videos('test').length, m.splits.test.videos);
  assert.equal(mixed.questions('test').length, 8 * m.splits.test.videos, 'four temporal and four perception questions per clip');
  assert.throws(() => mixed.frames('nope'), TempolabError);
});

test('settings are validated with one-line errors', async () => {
  const out = path.join(root, 'invalid');
  await assert.rejects(synthesizeDataset(out, { size: 20 }), /--size must be a multiple of 8/);
  await assert.rejects(synthesizeDataset(out, { frames: 7 }), /--frames must be an even integer/);
  await assert.rejects(synthesizeDataset(out, { train: 3 }), /--train must be an even number/);
  assert.equal(existsSync(out), false);
});

test('an interrupted synth leaves no dataset and no temp files behind', async () => {
  const parent = tempDir();
  const out = path.join(parent, 'ds');
  await assert.rejects(
    synthesizeDataset(out, {
      train: 100,
      onProgress: (done) => {
        if (done === 50) throw new Error('interrupted');
      },
    }),
    /interrupted/,
  );
  assert.deepEqual(readdirSync(parent), []);
});

test('a truncated frame shard is reported, not read as garbage', async () => {
  const dir = path.join(root, 'truncated');
  await synthesizeDataset(dir, { train: 10, val: 0, test: 0 });
  truncateSync(path.join(dir, 'train/frames-000.bin'), 1000);
  assert.throws(() => openDataset(dir).frames('train-000000'), /truncated.*regenerate the dataset/);
});

test('more training clips of the same seed: the same validation and test clips, the fewer training clips first; heldOutIdentity says so, and only for that', async () => {
  const dir = tempDir();
  const [few, more, otherTest] = ['few', 'more', 'other-test'].map((name) => path.join(dir, name)) as [string, string, string];
  await synthesizeDataset(few, { train: 6, val: 4, test: 4, frames: 4, size: 16, seed: 11 });
  await synthesizeDataset(more, { train: 14, val: 4, test: 4, frames: 4, size: 16, seed: 11 });
  const a = openDataset(few);
  const b = openDataset(more);
  for (const split of ['val', 'test'] as const) {
    assert.deepEqual(b.questions(split), a.questions(split), split);
    for (const v of a.videos(split)) assert.deepEqual(b.frames(v.id), a.frames(v.id), v.id);
  }
  const firstOfMore = b.videos('train').slice(0, a.videos('train').length);
  assert.deepEqual(firstOfMore.map((v) => v.id), a.videos('train').map((v) => v.id));
  for (const v of a.videos('train')) assert.deepEqual(b.frames(v.id), a.frames(v.id), v.id);
  const ids = new Set(a.videos('train').map((v) => v.id));
  assert.deepEqual(b.questions('train').filter((q) => ids.has(q.videoId)), a.questions('train'));

  const identity = (d: typeof a) => JSON.stringify(heldOutIdentity(datasetIdentity(d.manifest)));
  assert.notDeepEqual(datasetIdentity(a.manifest), datasetIdentity(b.manifest));
  assert.equal(identity(a), identity(b));
  await synthesizeDataset(otherTest, { train: 6, val: 4, test: 6, frames: 4, size: 16, seed: 11 });
  assert.notEqual(identity(openDataset(otherTest)), identity(a));
  const imported = { origin: 'import', splits: { train: { videos: 1 } } };
  assert.deepEqual(heldOutIdentity(imported), imported);
});
