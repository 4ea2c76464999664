import assert from 'node:assert/strict';
import { isBudgetExceededError } from '../../../src/core/models/errors';
import { BUILTIN_PRICES, costOf, priceOf } from '../../../src/core/models/prices';
import { UsageMeter, meteredModel, type UsageRecord } from '../../../src/core/models/usage';
import { FakeModelServer, reply } from '../../fixtures/fake-servers';
import { modelFor, thrown } from './helpers';

describe('usage meter, prices and budget', () => {
  it('prices known models, dated snapshots too, and leaves unknown ones unpriced', () => {
    assert.deepEqual(priceOf('gpt-4o-mini', BUILTIN_PRICES), { input: 0.15, output: 0.6 });
    assert.deepEqual(priceOf('claude-sonnet-4-5-20250929', BUILTIN_PRICES), BUILTIN_PRICES['claude-sonnet-4-5']);
    assert.equal(priceOf('qwen2.5-coder:7b', BUILTIN_PRICES), undefined);
    assert.equal(costOf({ input: 3, output: 15 }, 1_000_000, 100_000), 4.5);
  });

  it('aggregates per task, role and model; overrides prices; counts unknown models by tokens only', () => {
    const seen: UsageRecord[] = [];
    const meter = new UsageMeter({ prices: { 'local-model': { input: 1, output: 2 }, 'gpt-4o': { input: 0, output: 0 } }, onRecord: (r) => seen.push(r) });
    meter.record({ role: 'planner' }, 'gpt-4o-mini', { inputTokens: 1000, outputTokens: 500 });
    meter.record({ role: 'agent', taskId: 'a' }, 'local-model', { inputTokens: 2_000_000, outputTokens: 0 });
    meter.record({ role: 'agent', taskId: 'a' }, 'mystery', { inputTokens: 10, outputTokens: 5 });
    meter.record({ role: 'inspector', taskId: 'b' }, 'gpt-4o', { inputTokens: 7, outputTokens: 3 });
    const t = meter.totals();
    assert.equal(t.calls, 4);
    assert.equal(t.inputTokens, 2_001_017);
    assert.equal(t.unpricedCalls, 1);
    assert.ok(Math.abs(t.cost - (0.00015 + 0.0003 + 2)) < 1e-12);
    assert.equal(meter.byTask().get('a')!.calls, 2);
    assert.equal(meter.byTask().has('planner'), false);
    assert.equal(meter.byRole().get('agent')!.unpricedCalls, 1);
    assert.equal(meter.byModel().get('gpt-4o')!.cost, 0);
    assert.equal(seen.length, 4);
    assert.equal(seen[2]!.cost, undefined);
  });

  it('stops new calls once the token or cost budget is spent, saying why', async () => {
    const server = await FakeModelServer.start();
    try {
      server.enqueue(reply.text('one', { usage: { input: 60, output: 50 } }), reply.text('two'));
      const meter = new UsageMeter({ budget: { tokens: 100 } });
      const { model } = modelFor(server, 'openai', true);
      const metered = meteredModel(model, meter, { role: 'agent', taskId: 't' });
      await metered.call({ messages: [{ role: 'user', content: 'hi' }] });
      const e = await thrown(() => metered.call({ messages: [{ role: 'user', content: 'again' }] }));
      assert.ok(isBudgetExceededError(e));
      assert.equal(e.limit, 'tokens');
      assert.match(e.message, /110 tokens used of 100/);
      assert.equal(server.requests.length, 1, 'no request after the budget ran out');

      const costly = new UsageMeter({ budget: { cost: 0.001 } });
      costly.record({ role: 'planner' }, 'gpt-4o', { inputTokens: 1000, outputTokens: 0 });
      const e2 = await thrown(async () => costly.assertBudget());
      assert.ok(isBudgetExceededError(e2) && e2.limit === 'cost');
    } finally {
      await server.close();
    }
  });
});
