import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TempolabError } from '../../src/engine/errors.js';
import {
  ablatePE, compileInterventions, correspondingArea, experiment, groundTruthProbabilityChange, interFrame, knockout, restrictQueryToFrame,
  shufflePositions, slidingWindows, summarizePC, type Intervention, type TokenSet,
} from '../../src/probe/index.js';
import { twoFrameContext } from './fixtures.js';

/** Asserts a one-line TempolabError whose message matches `pattern`. */
function throwsOneLine(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TempolabError, `expected a TempolabError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), `message spans lines: ${e.message}`);
    return true;
  });
}

test('layers and frames outside the model or clip name the value and the valid range', () => {
  const ctx = twoFrameContext(2);
  throwsOneLine(() => compileInterventions([ablatePE({ layers: [5] })], ctx), /^ablatePE: layer 5 is out of range: this model has 2 decoder layers, so layers run 0–1$/);
  throwsOneLine(() => compileInterventions([knockout({ layers: [0, 2], targets: 'query', sources: 'frames' })], ctx), /knockout: layer 2 .* 0–1/);
  throwsOneLine(() => compileInterventions([shufflePositions({ modality: 'video', layer: 3 })], ctx), /shufflePositions: layer 3 .* 0–1/);
  throwsOneLine(() => compileInterventions([restrictQueryToFrame({ frame: 2 })], ctx), /^restrictQueryToFrame: frame 2 is out of range: the clip has 2 frames \(temporal groups\), so frames run 0–1$/);
  throwsOneLine(() => compileInterventions([knockout({ layers: [0], targets: 'lastToken', sources: { framesBefore: 4 } })], ctx), /knockout sources: frame 4 .* 0–1/);
  throwsOneLine(() => compileInterventions([knockout({ layers: [0], targets: { tokens: [11] }, sources: 'frames' })], ctx), /token 11 is out of range.*0–10/);
});

test('malformed interventions fail where they are written', () => {
  throwsOneLine(() => knockout({ layers: [0], targets: 'queries' as TokenSet, sources: 'frames' }), /unknown token set "queries": use one of instruction, /);
  throwsOneLine(() => knockout({ layers: [0], targets: { frame: -1 }, sources: 'frames' }), /\{ frame \} needs a non-negative integer/);
  throwsOneLine(() => knockout({ layers: [0], targets: { frames: 1 } as unknown as TokenSet, sources: 'frames' }), /unknown token set \{"frames":1\}/);
  throwsOneLine(() => interFrame({ layers: [] }), /interFrame: layers must be a non-empty list/);
  throwsOneLine(() => ablatePE({ layers: [1.5] }), /ablatePE: layer 1.5 is not a layer index/);
  throwsOneLine(() => correspondingArea({ radius: -1 }), /correspondingArea: radius must be a non-negative integer/);
  throwsOneLine(() => shufflePositions({ modality: 'audio' as 'video' }), /modality must be "video" or "query", got "audio"/);
  throwsOneLine(() => compileInterventions([{ kind: 'dropout' } as unknown as Intervention], twoFrameContext()), /unknown intervention \{"kind":"dropout"\}: its kind must be one of ablatePE, /);
});

test('a mask that leaves a token nothing to attend to is refused rather than producing NaN', () => {
  throwsOneLine(() => compileInterventions([knockout({ layers: [1], targets: 'instruction', sources: 'instruction' })], twoFrameContext()), /token 0 in layer 1 nothing to attend to/);
});

test('a context whose parts disagree is refused', () => {
  const ctx = twoFrameContext();
  throwsOneLine(() => compileInterventions([], { ...ctx, positionIds: ctx.positionIds.slice(0, 2) }), /positionIds must be \[3\]\[11\]/);
  throwsOneLine(() => compileInterventions([], { ...ctx, mergedGrid: { t: 2, h: 2, w: 2 } }), /frame 0 spans 2 tokens but the merged grid is 2×2 = 4/);
  throwsOneLine(() => compileInterventions([], { ...ctx, rawFrames: 3 }), /rawFrames \(3\) must be a positive multiple of the 2 temporal groups/);
  throwsOneLine(() => compileInterventions([], { ...ctx, numLayers: 0 }), /numLayers must be a positive integer/);
});

test('bad windows, probabilities, records and experiment names are refused', () => {
  throwsOneLine(() => slidingWindows(4, 5), /window size 5 is out of range: it must be an integer from 1 to the model's 4 layers/);
  throwsOneLine(() => slidingWindows(4, 0), /window size 0/);
  throwsOneLine(() => groundTruthProbabilityChange(0.5, 1.2), /intervened probability must be a number in \[0, 1\], got 1.2/);
  throwsOneLine(() => groundTruthProbabilityChange(NaN, 0.5), /baseline probability/);
  throwsOneLine(() => summarizePC([{ format: 'yes_no', dimension: 'order', pc: NaN }]), /has no finite pc/);
  throwsOneLine(() => experiment('pe' as 'pe-ablation', { numLayers: 4, numFrames: 2 }), /unknown probe experiment "pe": use one of pe-ablation, /);
});
