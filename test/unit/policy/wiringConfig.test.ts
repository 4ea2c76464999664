import { strict as assert } from 'node:assert';
import { agentModelNames, RunConfigSchema } from '../../../src/cli/modelOptions';
import { pinFor, updatePins, type Pin } from '../../../src/core/policy';
import { modelNames, modelTiers, PolicyConfigSchema, policySettingsOf } from '../../../src/core/session';

describe('policy wiring: configuration, model tiers and pins', () => {
  it('reads the config file\'s policy settings; unset knobs keep the defaults; bad values are refused', () => {
    assert.deepEqual(policySettingsOf(undefined), {});
    assert.deepEqual(policySettingsOf(PolicyConfigSchema.parse({ preset: 'quality', weights: { cost: 0.5 }, exploration: 0, defectCost: 3 })), { preset: 'quality', weights: { cost: 0.5 }, explorationShare: 0, defectCostUsd: 3 });
    assert.equal(PolicyConfigSchema.safeParse({ exploration: 2 }).success, false);
    assert.equal(PolicyConfigSchema.safeParse({ preset: 'cheap' }).success, false);
  });

  it('models per role: one name or a list, cheapest first; --model wins; tiers the prior knows', () => {
    const config = RunConfigSchema.parse({ models: { agent: ['small', ' big ', 'small'], planner: ['p1', 'p2'] } });
    assert.deepEqual(agentModelNames({}, config), ['small', 'big']);
    assert.deepEqual(agentModelNames({ model: 'only' }, config), ['only']);
    assert.deepEqual(agentModelNames({}, RunConfigSchema.parse({}), 'recorded'), ['recorded']);
    assert.deepEqual(modelNames('one'), ['one']);
    assert.deepEqual([1, 2, 3, 5].map(modelTiers), [['standard'], ['cheap', 'strong'], ['cheap', 'standard', 'strong'], ['cheap', 'standard-1', 'standard-2', 'standard-3', 'strong']]);
  });

  it('the most specific matching pin wins, only when its option is offered; pins replace and unpin by context', () => {
    const pins: Pin[] = [
      { point: 'model', when: {}, option: 'cheap' },
      { point: 'model', when: { kind: 'refactor' }, option: 'strong' },
    ];
    assert.equal(pinFor(pins, 'model', { kind: 'docs' }, ['cheap', 'strong']), 'cheap');
    assert.equal(pinFor(pins, 'model', { kind: 'refactor', size: 'L' }, ['cheap', 'strong']), 'strong');
    assert.equal(pinFor(pins, 'model', { kind: 'refactor' }, ['cheap']), 'cheap');
    assert.equal(pinFor(pins, 'protocol', {}, ['direct-edit']), undefined);
    const replaced = updatePins(pins, { point: 'model', when: { kind: 'refactor' }, option: 'cheap' });
    assert.deepEqual(replaced.map((p) => p.option), ['cheap', 'cheap']);
    assert.deepEqual(updatePins(replaced, { point: 'model', when: {}, option: 'x' }, true), [{ point: 'model', when: { kind: 'refactor' }, option: 'cheap' }]);
  });
});
