import { strict as assert } from 'node:assert';
import { PlanSchema } from '../../src/core/plan/schema';

describe('plan schema', () => {
  it('fills defaults and de-duplicates deps', () => {
    const plan = PlanSchema.parse({ tasks: [{ id: 'a', title: 'A', objective: 'o', files: [], deps: ['b', 'b'], extra: 1 }] });
    assert.deepEqual(plan.tasks[0], { id: 'a', title: 'A', objective: 'o', role: 'developer', deps: ['b'], files: [], acceptance: [] });
  });
});
