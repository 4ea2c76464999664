import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Model } from '../../../src/core/models/types';
import { CoordinationPolicy, DEFAULT_POLICY, EDIT_FORMAT_OPTIONS, editFormatFeatures, seededRng, systemRng, taskFeatures, type PolicySettings } from '../../../src/core/policy';
import type { Plan, Task } from '../../../src/core/plan';
import { startRun, type EngineOptions, type RunEvent, type RunEventOf, type RunRecord, type VerifyHook } from '../../../src/core/run';
import { chainLinks, failureKindOf, recordReview, riskOf, runGoal, RunPolicy, withProtocol } from '../../../src/core/session';
import { FakeModelServer, type RecordedRequest } from '../../fixtures/fake-servers';
import { modelFor } from '../models/helpers';
import { validPlan } from '../plan/helpers';
import { FakeModel, writeOwnedFiles } from './fakeModel';
import { tempDirs } from './tmp';

const named = (name: string, inner: Model): Model => ({ provider: inner.provider, name, call: (r) => inner.call(r) });

function policy(settings: PolicySettings = {}): CoordinationPolicy {
  return new CoordinationPolicy(DEFAULT_POLICY, undefined, { rng: seededRng(7), explorationShare: 0, ...settings });
}

const task = (id: string, files: string[], deps: string[] = []): Task => ({ id, title: id, objective: `write ${id}`, role: 'developer', deps, files, acceptance: [] });

/** What the composition wires for a run's policy: whether an inspector runs after the tools, and the tools alone. */
interface Wiring {
  inspector?: boolean;
  toolsOnly?: VerifyHook;
  updater?: boolean;
}

/**
 * Engine options with `rp`'s decision points and outcomes, as src/core/session composes them: the check point only
 * where an inspector runs, and a skipped inspector leaves the tools alone (`toolsOnly`).
 */
function withPolicy(rp: RunPolicy, opts: Omit<EngineOptions, 'model'>, wiring: Wiring = {}): EngineOptions {
  const { check: _check, ...noCheck } = rp.decide;
  const full = opts.verify;
  const toolsOnly = wiring.toolsOnly;
  return {
    ...opts,
    // Never called: the policy chooses the model of every attempt.
    model: new FakeModel(),
    ...(full ? { verify: (t, view, ctx) => (ctx.inspector === false && toolsOnly ? toolsOnly(t, view, ctx) : full(t, view, ctx)) } : {}),
    decide: wiring.inspector && toolsOnly ? rp.decide : noCheck,
    outcome: rp.outcome,
  } satisfies EngineOptions;
}

describe('RunPolicy: the learned policy wired into a run', function () {
  this.timeout(20_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  /** Runs `plan` with `rp` in a fresh workspace holding `files`. */
  async function run(rp: RunPolicy, plan: Plan, verify: VerifyHook, wiring: Wiring = {}, files: Record<string, string> = {}): Promise<{ events: RunEvent[]; exitCode: number; record: RunRecord }> {
    const events: RunEvent[] = [];
    const base = tmp.make('af-rp-');
    const opts = withPolicy(rp, { stateDir: `${base}/state`, verify, onEvent: (e) => events.push(e) }, wiring);
    const dir = tmp.make('af-rp-ws-');
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
    const out = await startRun({ ...opts, dir, plan: validPlan(plan) });
    return { events, exitCode: out.exitCode, record: out.record };
  }
  const decisions = (events: RunEvent[], point?: string): Array<RunEventOf<'decision'>> =>
    events.filter((e): e is RunEventOf<'decision'> => e.type === 'decision' && (point === undefined || e.point === point));

  it('journals the decisions made before the run (K) right after run.started, each with its id and reason', async () => {
    const p = policy();
    const rp = new RunPolicy({ policy: p, agentModels: [new FakeModel()] });
    const plan: Plan = { tasks: [task('a', ['a.txt'])] };
    // The planner answers every candidate with the same plan.
    const planner: Model = { provider: 'openai-compatible', name: 'planner', call: async () => ({ text: '', toolCalls: [{ id: 'p', name: 'submit_workflow', arguments: plan, rawArguments: JSON.stringify(plan) }], usage: { inputTokens: 1, outputTokens: 1 }, stopReason: 'tool_calls', model: 'planner' }) };
    const events: RunEvent[] = [];
    let k: number | undefined;
    const out = await runGoal({
      start: { goal: 'add a feature', dir: tmp.make('af-rp-ws-') }, config: {}, models: { agent: new FakeModel(), planner }, policy: rp, candidates: 4,
      stateDir: tmp.make('af-rp-'), signal: new AbortController().signal, onEvent: (e) => events.push(e), onPlanning: (info) => (k = info.candidates),
    });
    assert.equal(k, 4);
    const exitCode = out.exitCode;
    assert.equal(exitCode, 0);
    assert.equal(events[0]?.type, 'run.started');
    const planK = decisions(events, 'planK')[0];
    assert.equal(events[1], planK);
    assert.equal(planK?.mode, 'pinned');
    assert.equal(planK?.choice, '4');
    assert.ok(planK?.decisionId);
    // The run's outcome closed the K decision: it is no longer open in the policy.
    assert.equal(p.current.open[planK?.decisionId as string]?.closed ?? true, true);
  });

  it('a failed attempt escalates to the strongest model when the policy says so; outcomes reach the right options', async () => {
    // Pinning recovery to escalate (a user's pin) makes the path deterministic.
    const p = policy();
    const cheap = named('cheap-model', new FakeModel(writeOwnedFiles(() => 'bad\n')));
    const strong = named('strong-model', new FakeModel(writeOwnedFiles(() => 'good\n')));
    const rp = new RunPolicy({ policy: p, agentModels: [cheap, strong], pins: [{ point: 'recovery', when: {}, option: 'escalate' }, { point: 'model', when: { fails: '0' }, option: 'cheap-model' }] });
    const verify: VerifyHook = async (_t, view) => ((await view.readFile('a.txt')) === 'good\n' ? { outcome: 'passed', findings: [] } : { outcome: 'failed', findings: [{ message: 'bad content', tool: 'pytest' }] });
    const { events, exitCode } = await run(rp, { tasks: [task('a', ['a.txt'])] }, verify);
    assert.equal(exitCode, 0);
    const models = decisions(events, 'model');
    assert.deepEqual(models.map((d) => [d.choice, d.mode]), [['cheap', 'pinned'], ['strong', 'forced']]);
    assert.match(models[1]?.reason ?? '', /^Escalated after a failed attempt: .* Model: strong-model\.$/);
    const recovery = decisions(events, 'recovery').find((d) => d.decisionId);
    assert.equal(recovery?.choice, 'escalate');
    assert.deepEqual(recovery?.options.map((o) => o.id), ['retry', 'escalate']);
    // Both attempts' outcomes were recorded: the cheap binding failed, the strong one passed.
    const audit = (id: string | undefined) => p.auditOf(id as string)?.outcomes.map((o) => o.success);
    assert.deepEqual(audit(models[0]?.decisionId), [false]);
    assert.deepEqual(audit(models[1]?.decisionId), [true]);
    assert.deepEqual(audit(recovery?.decisionId), [true]);
  });

  it('offers a retry only while the engine\'s retry budget allows one (the engine keeps the one count)', async () => {
    const p = policy();
    const rp = new RunPolicy({ policy: p, agentModels: [new FakeModel(), new FakeModel()] });
    const events: RunEvent[] = [];
    const failing: VerifyHook = async () => ({ outcome: 'failed', findings: [{ message: 'still wrong', tool: 'pytest' }] });
    const opts = withPolicy(rp, {
      stateDir: tmp.make('af-rp-'), verify: failing, onEvent: (e) => events.push(e), recovery: { maxRetries: 0 },
      updater: async () => ({ error: 'no better plan', decision: { options: [], choice: 'none', mode: 'rule', reason: 'no valid candidate' }, usage: [] }),
    }, { updater: true });
    const out = await startRun({ ...opts, dir: tmp.make('af-rp-ws-'), plan: validPlan({ tasks: [task('a', ['a.txt'])] }) });
    assert.equal(out.exitCode, 1);
    const recovery = decisions(events, 'recovery').find((d) => d.decisionId);
    assert.ok(recovery, 'the policy chose the recovery');
    assert.deepEqual(recovery.options.map((o) => o.id), ['replan-task', 'replan-subtree'], 'no retry or escalation with recovery.maxRetries 0');
  });

  it('skips the inspector only under a certificate earned in this context, and counts the tools\' pass as verified', async () => {
    // A cheap defect lowers the certificate's bar (check cost / defect cost) so 30 clean runs can earn it.
    const p = policy({ certificate: { canaryShare: 0 }, defectCostUsd: 0.1 });
    const t = task('docs', ['README.md']);
    // 30 clean inspector passes in this exact context earn the certificate.
    const features = { ...taskFeatures(t, { plan: { tasks: [t] }, priorFailures: 0 }), check: 'inspector' };
    for (let i = 0; i < 30; i++) p.record(p.decideCheck(features).id, { success: true, source: 'inspector' });
    const rp = new RunPolicy({ policy: p, agentModels: [new FakeModel()] });
    let full = 0;
    let tools = 0;
    const { events, exitCode } = await run(rp, { tasks: [t] }, async () => (full++, { outcome: 'passed', findings: [] }), { inspector: true, toolsOnly: async () => (tools++, { outcome: 'passed', findings: [] }) });
    assert.equal(exitCode, 0);
    assert.deepEqual([full, tools], [0, 1]);
    const check = decisions(events, 'verify')[0];
    assert.equal(check?.choice, 'skip');
    assert.equal(check?.mode, 'certified-skip');
    assert.match(check?.reason ?? '', /^Skipped under a certificate/);
    // A risk-flagged task in the same run is always checked.
    const risky = task('deps', ['package.json']);
    const rp2 = new RunPolicy({ policy: p, agentModels: [new FakeModel()] });
    const second = await run(rp2, { tasks: [risky] }, async () => (full++, { outcome: 'passed', findings: [] }), { inspector: true, toolsOnly: async () => (tools++, { outcome: 'passed', findings: [] }) });
    assert.equal(decisions(second.events, 'verify')[0]?.choice, 'run');
    assert.match(decisions(second.events, 'verify')[0]?.reason ?? '', /risk-flagged \(build or dependency file: package\.json\)/);
  });

  it('a failing whole-run check counts as an escaped defect for every skipped check', async () => {
    const p = policy({ certificate: { canaryShare: 0 }, defectCostUsd: 0.1 });
    const t = task('docs', ['README.md']);
    const features = { ...taskFeatures(t, { plan: { tasks: [t] }, priorFailures: 0 }), check: 'inspector' };
    for (let i = 0; i < 30; i++) p.record(p.decideCheck(features).id, { success: true, source: 'inspector' });
    assert.equal(p.decideCheck(features).choice, 'skip');
    const rp = new RunPolicy({ policy: p, agentModels: [new FakeModel()] });
    const events: RunEvent[] = [];
    const opts = withPolicy(rp, { stateDir: tmp.make('af-rp-'), verify: async () => ({ outcome: 'passed', findings: [] }), runCheck: async () => ({ outcome: 'failed', findings: [{ message: 'a test failed' }] }), onEvent: (e) => events.push(e) }, { inspector: true, toolsOnly: async () => ({ outcome: 'passed', findings: [] }) });
    await startRun({ ...opts, dir: tmp.make('af-rp-ws-'), plan: validPlan({ tasks: [t] }) });
    const skipped = decisions(events, 'verify')[0];
    assert.equal(skipped?.choice, 'skip');
    assert.equal(p.auditOf(skipped?.decisionId as string)?.outcomes[0]?.success, false);
    // The certificate is revoked: the next check in this context runs.
    assert.equal(p.decideCheck(features).choice, 'run');
  });

  it("the user's reject after the run reaches the decisions of the task's last attempt (journaled ids)", async () => {
    const p = policy();
    const rp = new RunPolicy({ policy: p, agentModels: [new FakeModel()] });
    const opts = withPolicy(rp, { stateDir: tmp.make('af-rp-'), verify: async () => ({ outcome: 'passed', findings: [] }) }, {});
    const out = await startRun({ ...opts, dir: tmp.make('af-rp-ws-'), plan: validPlan({ tasks: [task('a', ['a.txt'])] }) });
    const ids = out.record.decisions.filter((d) => d.taskId === 'a' && (d.point === 'model' || d.point === 'protocol' || d.point === 'editFormat')).map((d) => d.decisionId as string);
    assert.equal(ids.length, 3);
    assert.equal(recordReview(p, out.record, 'a', false), 3);
    for (const id of ids) assert.deepEqual(p.auditOf(id)?.outcomes.map((o) => [o.success, o.source]), [[true, 'verification'], [false, 'user']]);
  });

  it('merges a chain link only when pinned or learned; never risky tasks; the merged plan is valid', () => {
    const plan: Plan = { tasks: [task('a', ['a.py']), task('b', ['b.py'], ['a']), task('c', ['c.py'], ['b']), task('ci', ['package.json'], ['c'])] };
    assert.deepEqual(chainLinks(plan), [['a', 'b'], ['b', 'c'], ['c', 'ci']]);
    const kept = new RunPolicy({ policy: policy(), agentModels: [new FakeModel()] }).mergePlan(validPlan(plan)).plan;
    assert.deepEqual(kept.tasks.map((t) => t.id), ['a', 'b', 'c', 'ci'], 'the prior keeps tasks apart');
    const rp = new RunPolicy({ policy: policy(), agentModels: [new FakeModel()], pins: [{ point: 'merge', when: {}, option: 'merge' }] });
    const merged = rp.mergePlan(validPlan(plan)).plan;
    assert.deepEqual(merged.tasks.map((t) => [t.id, t.deps, t.files]), [['a', [], ['a.py', 'b.py', 'c.py']], ['ci', ['a'], ['package.json']]]);
  });

  it('a protocol adds its instruction to the system prompt and never changes the first user message', async () => {
    const inner = new FakeModel();
    const seen: string[][] = [];
    const spy: Model = { provider: 'openai-compatible', name: 'spy', call: async (r) => (seen.push(r.messages.map((m) => ('content' in m ? String(m.content) : ''))), inner.call(r)) };
    await withProtocol(spy, 'plan-then-edit').call({ messages: [{ role: 'system', content: 'SYS' }, { role: 'user', content: 'Task a: A\n...' }] }).catch(() => undefined);
    assert.match(seen[0]?.[0] ?? '', /^SYS\n\nProtocol: plan, then edit\./);
    assert.equal(seen[0]?.[1], 'Task a: A\n...');
    assert.equal(withProtocol(spy, 'direct-edit'), spy);
  });

  it('the edit format is a decision of every attempt: emitted with its reason, journaled with its id, closed by the attempt\'s outcome', async () => {
    const p = policy();
    const rp = new RunPolicy({ policy: p, agentModels: [new FakeModel()] });
    const { events, exitCode, record } = await run(rp, { tasks: [task('a', ['a.py'])] }, async () => ({ outcome: 'passed', findings: [] }), {}, { 'a.py': 'print(1)\n' });
    assert.equal(exitCode, 0);
    const [format] = decisions(events, 'editFormat');
    assert.ok(format?.decisionId);
    assert.equal(format.taskId, 'a');
    assert.equal(format.choice, 'search-replace');
    assert.deepEqual(format.options.map((o) => o.id), ['whole', 'search-replace']);
    assert.match(format.reason, /'search-replace' has the best expected score/);
    // Shown before the agent started, after the model and protocol decisions of the same attempt.
    const order = events.filter((e) => e.type === 'agent.started' || (e.type === 'decision' && e.taskId === 'a')).map((e) => (e.type === 'decision' ? e.point : e.type));
    assert.deepEqual(order, ['model', 'protocol', 'editFormat', 'agent.started']);
    assert.deepEqual(record.decisions.filter((d) => d.point === 'editFormat').map((d) => [d.taskId, d.choice, d.decisionId]), [['a', 'search-replace', format.decisionId]]);
    assert.deepEqual(p.auditOf(format.decisionId)?.outcomes.map((o) => [o.success, o.source]), [[true, 'verification']]);
    // The user's review reaches it like the attempt's other decisions.
    assert.equal(recordReview(p, record, 'a', false), 3);
  });

  it('the prior prefers search-replace for an existing file, for any model, and by more than for a new file', () => {
    const t = task('a', ['src/app.py']);
    for (const model of ['gpt-4o-mini', 'claude-sonnet-4-5', 'qwen2.5-coder:7b']) {
      const edit = policy().decide('editFormat', editFormatFeatures(t, model, 1), [...EDIT_FORMAT_OPTIONS], { taskId: 'a' });
      assert.equal(edit.choice, 'search-replace', model);
      assert.equal(edit.audit.greedy, 'search-replace', model);
      assert.deepEqual(edit.audit.features, { model, existing: 'all', lang: 'py', size: 'S' });
      const p = (d: typeof edit, id: string): number => d.audit.options.find((o) => o.id === id)?.pSuccess ?? NaN;
      const create = policy().decide('editFormat', editFormatFeatures(t, model, 0), [...EDIT_FORMAT_OPTIONS], { taskId: 'a' });
      assert.equal(create.audit.greedy, 'search-replace');
      assert.ok(p(edit, 'search-replace') - p(edit, 'whole') > p(create, 'search-replace') - p(create, 'whole'));
    }
    // A task that only creates files never explores the format, whatever the draw.
    const rng = systemRng();
    for (let i = 0; i < 50; i++) {
      const d = new CoordinationPolicy(DEFAULT_POLICY, undefined, { rng, explorationShare: 1 }).decide('editFormat', editFormatFeatures(t, 'm', 0), [...EDIT_FORMAT_OPTIONS], { noExploration: 'new files only' });
      assert.equal(d.choice, 'search-replace');
    }
  });

  it('a pinned `whole` changes what the agent is offered: no edit_file among the tools the server sees, a prompt that says to write whole files, edit_file refused as unknown', async () => {
    const server = await FakeModelServer.start({
      handler: (req) => {
        const turn = (req.body as { messages: Array<{ role: string }> }).messages.filter((m) => m.role === 'assistant').length + 1;
        if (turn === 1) return { kind: 'message', toolCalls: [{ name: 'edit_file', arguments: { path: 'a.py', edits: [{ old_string: 'print(1)', new_string: 'print(2)' }] } }] };
        if (turn === 2) return { kind: 'message', toolCalls: [{ name: 'write_file', arguments: { path: 'a.py', content: 'print(2)\n' } }] };
        return { kind: 'message', toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }] };
      },
    });
    try {
      const systemOf = (r: RecordedRequest | undefined): string => String((r?.body as { messages: Array<{ content: unknown }> } | undefined)?.messages[0]?.content ?? '');
      const toolResult = (r: RecordedRequest | undefined): string => String((r?.body as { messages: Array<{ role: string; content: unknown }> } | undefined)?.messages.find((m) => m.role === 'tool')?.content ?? '');
      const { model } = modelFor(server, 'openai-compatible', false);
      const pinned = new RunPolicy({ policy: policy(), agentModels: [model], pins: [{ point: 'editFormat', when: {}, option: 'whole' }] });
      const whole = await run(pinned, { tasks: [task('a', ['a.py'])] }, async () => ({ outcome: 'passed', findings: [] }), {}, { 'a.py': 'print(1)\n' });
      assert.equal(whole.exitCode, 0);
      assert.deepEqual(decisions(whole.events, 'editFormat').map((d) => [d.choice, d.mode]), [['whole', 'pinned']]);
      const [first, second] = server.requests;
      assert.ok(!first?.tools.includes('edit_file') && first?.tools.includes('write_file'), first?.tools.join());
      assert.match(systemOf(first), /writing it whole with write_file/);
      assert.doesNotMatch(systemOf(first), /edit_file/);
      assert.match(toolResult(second), /^error: unknown tool "edit_file"; the tools are /);

      server.resetStats();
      const learned = new RunPolicy({ policy: policy(), agentModels: [model] });
      const edit = await run(learned, { tasks: [task('a', ['a.py'])] }, async () => ({ outcome: 'passed', findings: [] }), {}, { 'a.py': 'print(1)\n' });
      assert.equal(edit.exitCode, 0);
      assert.deepEqual(decisions(edit.events, 'editFormat').map((d) => d.choice), ['search-replace']);
      assert.ok(server.requests[0]?.tools.includes('edit_file'));
      assert.match(systemOf(server.requests[0]), /Change an existing file with edit_file/);
      assert.doesNotMatch(toolResult(server.requests[1]), /unknown tool/);
    } finally {
      await server.close();
    }
  });

  it('classifies failures and risks', () => {
    assert.equal(failureKindOf('verification failed', [{ message: 'x', tool: 'inspector' }]), 'inspector');
    assert.equal(failureKindOf('verification failed', [{ message: 'SyntaxError: invalid syntax', tool: 'python3' }]), 'compile');
    assert.equal(failureKindOf('verification failed', [{ message: 'assert 1 == 2', tool: 'pytest' }]), 'test');
    assert.equal(failureKindOf('the check timed out', []), 'timeout');
    assert.equal(riskOf(task('x', ['src/app.py'])), undefined);
    assert.match(riskOf(task('x', ['src/auth/login.py'])) ?? '', /security-sensitive/);
    assert.match(riskOf(task('x', ['scripts/deploy.sh'])) ?? '', /shell script/);
  });
});
