import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stageSteps } from '../../src/eval/demo.js';

test("the report's pipeline line names every instruct phase in training order, with the phases' formats", () => {
  assert.equal(stageSteps({ steps: 300, lr: 2e-3, batchSize: 8 }), '300 steps');
  assert.equal(stageSteps({ steps: 18000, lr: 2e-3, batchSize: 8, tubelets: 0.5 }), '18000 steps (50 % of frames as two-frame tubelets)');
  assert.equal(stageSteps({ steps: 3000, lr: 3e-3, batchSize: 32, described: true }), "3000 steps (closed questions also after their clip's description)");
  assert.equal(stageSteps({ steps: 4000, scheduleSteps: 6000, lr: 3e-3, batchSize: 32, described: true }), "4000 steps of a 6000-step schedule (closed questions also after their clip's description)");
  assert.equal(stageSteps({ steps: 1000, lr: 2e-3, batchSize: 32, perceptionSteps: 2000, perceptionFormats: ['yes_no', 'caption_matching'] }), '2000 perception in yes_no, caption_matching + 1000 steps');
  assert.equal(
    stageSteps({ steps: 500, lr: 2e-3, batchSize: 32, perceptionSteps: 4000, curriculum: [{ dimensions: ['perception', 'attribute_change'], steps: 1000 }, { dimensions: ['order'], steps: 1500 }] }),
    '4000 perception + 1000 perception+attribute_change + 1500 order + 500 steps',
  );
  assert.equal(stageSteps({ steps: 500, lr: 2e-3, batchSize: 32, curriculum: [{ dimensions: ['order'], steps: 10 }] }), '10 order + 500 steps');
  assert.equal(
    stageSteps({ steps: 1000, lr: 2e-3, batchSize: 32, perceptionSteps: 4000, perceptionFormats: ['yes_no', 'caption_matching'], curriculum: [{ dimensions: ['perception'], steps: 1500, formats: ['multi_choice', 'captioning'] }] }),
    '4000 perception in yes_no, caption_matching + 1500 perception in multi_choice, captioning + 1000 steps',
  );
  assert.equal(
    stageSteps({ steps: 0, lr: 2e-3, batchSize: 32, perceptionSteps: 100, perceptionFormats: ['yes_no'], curriculum: [{ dimensions: ['order'], steps: 10 }] }),
    '100 perception in yes_no + 10 order in yes_no',
  );
  assert.equal(
    stageSteps({ steps: 0, lr: 2e-3, batchSize: 32, curriculum: [{ dimensions: ['order'], steps: 10, trainable: 'decoder' }, { dimensions: ['order'], steps: 20, formats: ['yes_no'], lr: 5e-4, trainable: 'all' }] }),
    '10 order, merger and decoder only + 20 order in yes_no at lr 0.0005, the ViT trained too',
  );
});
