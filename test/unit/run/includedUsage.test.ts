import { strict as assert } from 'node:assert';
import type { Model } from '../../../src/core/models/types';
import type { Plan } from '../../../src/core/plan';
import type { RunEvent, RunEventOf } from '../../../src/core/run';
import { isPlanningFailure, runGoal } from '../../../src/core/session';
import { summaryTable } from '../../../src/cli/runOutput';
import { recordToEvents } from '../../../src/vscode/run/recordEvents';
import { applyEvents } from '../../../src/protocol/reducer';
import { emptyViewState } from '../../../src/protocol/viewState';
import { formatUsageCost } from '../../../src/protocol/cost';
import { FakeModel } from './fakeModel';
import { tempDirs } from './tmp';

/** `inner` as a provider paid by the user's plan (as vscode-lm is): its name would be priced by the table otherwise. */
const included = (inner: Model, name: string): Model => ({ provider: inner.provider, name, pricing: 'included', call: (r) => inner.call(r) });

describe('usage of a provider included in the user\'s plan (vscode-lm): "included in your plan", not "$0"', function () {
  this.timeout(20_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('flags every usage event, counts the calls in run.json (cost stays 0), and every view and the CLI summary say "included in your plan"', async () => {
    const plan: Plan = { tasks: [{ id: 'a', title: 'a', objective: 'write a', role: 'developer', deps: [], files: ['a.txt'], acceptance: [] }] };
    // Named like a priced model: an included provider is never priced by name.
    const planner = included({ provider: 'openai-compatible', name: 'p', call: async () => ({ text: '', toolCalls: [{ id: 'p', name: 'submit_workflow', arguments: plan, rawArguments: JSON.stringify(plan) }], usage: { inputTokens: 10, outputTokens: 2 }, stopReason: 'tool_calls', model: 'gpt-4o' }) }, 'gpt-4o');
    const events: RunEvent[] = [];
    const out = await runGoal({
      start: { goal: 'write a', dir: tmp.make('af-incl-ws-') }, config: {}, models: { agent: included(new FakeModel(), 'gpt-4o'), planner }, candidates: 1,
      stateDir: tmp.make('af-incl-'), signal: new AbortController().signal, onEvent: (e) => events.push(e),
    });
    assert.ok(!isPlanningFailure(out));
    assert.equal(out.exitCode, 0);
    const usage = events.filter((e): e is RunEventOf<'usage'> => e.type === 'usage');
    assert.ok(usage.length >= 2, 'the planner\'s and the agent\'s calls');
    assert.ok(usage.every((e) => e.included === true && e.cost === 0), JSON.stringify(usage));
    // run.json keeps its numbers (cost 0) and counts the included calls.
    assert.equal(out.record.usage.cost, 0);
    assert.equal(out.record.usage.includedCalls, usage.length);
    assert.equal(out.record.tasks.a?.usage.includedCalls, usage.filter((e) => e.taskId === 'a').length);
    assert.equal(out.record.usage.unpricedCalls, undefined);
    // The live views, and a run reloaded from its journal.
    const live = applyEvents(emptyViewState(), events);
    assert.equal(formatUsageCost(live.usage), 'included in your plan');
    assert.equal(formatUsageCost(live.tasks.a!.usage), 'included in your plan');
    const reloaded = applyEvents(emptyViewState(), recordToEvents(out.record, new Map()));
    assert.equal(formatUsageCost(reloaded.tasks.a!.usage), 'included in your plan');
    // The CLI's summary table and totals line.
    const table = summaryTable(out.record);
    assert.match(table, /^a\s+passed\s+.*included in your plan/m);
    assert.match(table, /^tokens \d+ \(in \d+, out \d+\), cost included in your plan$/m);
    assert.doesNotMatch(table, /\$0(\.0+)?\b/);
  });
});
