import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileInterventions, describeIntervention, EXPERIMENT_NAMES, experiment, finalTokenKnockoutExperiment, knockout, peAblationExperiment, restrictQueryToFrame,
  reverseExperiment, reverseFrames, spatiotemporalExperiment,
} from '../../src/probe/index.js';
import { threeFrameContext } from './fixtures.js';

test('Fig. 2 removes rotary embedding from one layer per condition', () => {
  const e = peAblationExperiment(3);
  assert.deepEqual(e.conditions.map((c) => [c.layer, c.interventions]), [
    [0, [{ kind: 'ablatePE', layers: [0] }]],
    [1, [{ kind: 'ablatePE', layers: [1] }]],
    [2, [{ kind: 'ablatePE', layers: [2] }]],
  ]);
  assert.ok(e.conditions.every((c) => c.baseline.length === 0 && c.groundTruth === 'original'));
});

test('Fig. 4 compares reverse PE with §4.3 reverse order; Fig. 5 has two series of 24 windows on 28 layers', () => {
  assert.deepEqual(reverseExperiment().conditions.map((c) => [c.label, c.interventions]), [
    ['reverse PE', [{ kind: 'reversePE' }]],
    ['reverse order', [{ kind: 'reverseFrames', positionIds: 'withFrames' }]],
  ]);
  const fig5 = finalTokenKnockoutExperiment(28);
  assert.equal(fig5.conditions.length, 48);
  assert.deepEqual(fig5.conditions[23], {
    label: 'blocked query', layer: 23, layers: [23, 24, 25, 26, 27], baseline: [], groundTruth: 'original',
    interventions: [{ kind: 'knockout', layers: [23, 24, 25, 26, 27], targets: 'lastToken', sources: 'query' }],
  });
});

test('Fig. 9 measures each assembly mask against the query-sees-last-frame baseline', () => {
  const e = spatiotemporalExperiment(4, 3, { radius: 2 });
  assert.equal(e.conditions.length, 3 * 4);
  const c = e.conditions.find((x) => x.label === 'corresponding area in previous frame' && x.layer === 2)!;
  assert.deepEqual(c.baseline, [{ kind: 'restrictQueryToFrame', frame: 2, layers: 'all' }]);
  assert.deepEqual(c.interventions, [...c.baseline, { kind: 'correspondingAreaInPreviousFrame', radius: 2, layers: [2] }]);
});

test('every experiment compiles against a real prompt layout', () => {
  const ctx = threeFrameContext(4);
  for (const name of EXPERIMENT_NAMES) {
    const e = experiment(name, { numLayers: 4, numFrames: 3 });
    assert.ok(e.conditions.length > 0, name);
    for (const c of e.conditions) {
      compileInterventions(c.interventions, ctx);
      compileInterventions(c.baseline, ctx);
    }
    if (name === 'reversed-attribution') {
      assert.deepEqual(e.formats, ['yes_no']);
      assert.ok(e.conditions.every((c) => c.groundTruth === 'reversed' && c.baseline.length === 1));
      assert.deepEqual(new Set(e.conditions.map((c) => c.label)).size, 6);
    }
  }
});

test('interventions have short names for legends', () => {
  assert.equal(describeIntervention(knockout({ layers: [3, 4], targets: ['query', 'suffix'], sources: { frame: 0 } })), 'knock out query+suffix → {frame:0} in layers 3,4');
  assert.equal(describeIntervention(reverseFrames({ positionIds: 'inPlace' })), 'reverse order (ids in place)');
  assert.equal(describeIntervention(restrictQueryToFrame({ frame: 3 })), 'query sees only frame 3 in all layers');
});
