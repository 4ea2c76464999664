import { strict as assert } from 'node:assert';
import type { Model } from '../../../src/core/models/types';
import type { Plan, Task } from '../../../src/core/plan';
import { CoordinationPolicy, DEFAULT_POLICY, PLAN_K_OPTIONS, seededRng, type PolicySettings } from '../../../src/core/policy';
import type { DecisionOption, RunEvent } from '../../../src/core/run/events';
import { rulesDecision } from '../../../src/core/run/projectRules';
import { RunPolicy } from '../../../src/core/session';
import { distinctErrors } from '../../../src/core/words';
import { decisionSummary, decisionTitle, describeDecision, type DecisionFacts } from '../../../src/protocol/decisionWords';
import { applyEvent } from '../../../src/protocol/reducer';
import { emptyViewState } from '../../../src/protocol/viewState';

/** Names a user should never have to read in a plain line: option figures, policy internals, feature cells. */
const INTERNAL = [
  'pSuccess', 'P(success)', 'realRuns', 'priorRuns', 'expectedScore', 'sampledScore', 'costUsd', 'latencyMs', 'interval',
  'inherited:', 'prior:', 'kind=', 'size=', 'exploit', 'explore', 'certified-skip', 'canary', 'planK', 'editFormat',
  'search-replace', 'replan-task', 'replan-subtree', 'P_avg', 'C_dep', ' → ', 'cleanStreak', 'escalated', 'candidate-',
];

function assertPlain(summary: string, context: string): void {
  for (const word of INTERNAL) assert.ok(!summary.includes(word), `"${word}" in the plain line of ${context}: ${summary}`);
  assert.doesNotMatch(summary, /-?\d+\.\d{2,}/, `a raw figure in the plain line of ${context}: ${summary}`);
  assert.match(summary, /^[A-Z]/, `a sentence: ${summary}`);
}

function policy(settings: PolicySettings = {}): CoordinationPolicy {
  return new CoordinationPolicy(DEFAULT_POLICY, undefined, { rng: seededRng(7), explorationShare: 0, ...settings });
}

const model = (name: string): Model => ({ provider: 'openai', name, call: () => Promise.reject(new Error('never called')) });
const task = (id: string, files: string[]): Task => ({ id, title: id, objective: `write ${id}`, role: 'developer', deps: [], files, acceptance: [] });
const plan = (...tasks: Task[]): Plan => ({ tasks });

/** Real decision events from the learned policy and the engine's parts, in the shapes the views receive. */
function representativeDecisions(): DecisionFacts[] {
  const out: DecisionFacts[] = [];
  // K with no past runs (the shipped estimates), pinned, and after runs that taught the policy.
  const fresh = policy();
  out.push(fresh.decide('planK', { type: 'feature', scope: '2-5' }, [...PLAN_K_OPTIONS]).event);
  out.push(fresh.decide('planK', { type: 'feature', scope: '2-5' }, [...PLAN_K_OPTIONS], { pinned: '2' }).event);
  const taught = policy();
  for (let i = 0; i < 12; i++) {
    const d = taught.decide('planK', { type: 'bugfix', scope: '1' }, ['1'], {});
    taught.record(d.id, { success: true, source: 'verification' });
  }
  out.push(taught.decide('planK', { type: 'bugfix', scope: '1' }, [...PLAN_K_OPTIONS]).event);
  // An exploration, allowed by a generous share.
  const curious = policy({ explorationShare: 1, rng: seededRng(3) });
  for (let i = 0; i < 40; i++) {
    const d = curious.decide('planK', { type: 'chore', scope: '1' }, [...PLAN_K_OPTIONS]);
    if (d.mode === 'explore') {
      out.push(d.event);
      break;
    }
  }
  // Model, protocol, edit format and check of an attempt, through the run's policy (one and two models; an escalation).
  const rp = new RunPolicy({ policy: policy(), agentModels: [model('small-model'), model('big-model')] });
  const risky = task('deps', ['package.json']);
  const p = plan(task('a', ['a.py']), risky);
  const attempt = rp.decide.modelForAttempt(task('a', ['a.py']), { attempt: 1, plan: p });
  out.push(...attempt.decisions);
  for (const existing of [['a.py'], []]) {
    const format = rp.decide.editFormat(task('a', ['a.py']), { attempt: 1, plan: p, model: 'small-model', existing }).decision;
    if (format) out.push(format);
  }
  const checked = rp.decide.check(task('a', ['a.py']), { attempt: 1, plan: p });
  if (checked.decision) out.push(checked.decision);
  const riskyCheck = rp.decide.check(risky, { attempt: 1, plan: p });
  if (riskyCheck.decision) out.push(riskyCheck.decision);
  const single = new RunPolicy({ policy: policy(), agentModels: [model('only-model')] });
  out.push(...single.decide.modelForAttempt(task('a', ['a.py']), { attempt: 1, plan: p }).decisions);
  return out;
}

/** Events shaped as the engine, the planner, the updater and the rules reader emit them (figures included). */
function handmade(): DecisionFacts[] {
  const learned = (id: string, p: number, runs: number): DecisionOption => ({ id, pSuccess: p, realRuns: runs, priorRuns: 4, source: 'inherited:model|kind=create,size=S', costUsd: 0.01, latencyMs: 2000, expectedScore: -0.885, interval: [0.4, 0.9] });
  return [
    { point: 'plan.candidates', choice: 'candidate-2', mode: 'rule', reason: 'chose candidate 2 of 3: highest parallelism P_avg 2.000 (6 tasks in 3 levels); candidate 1 had lower P_avg (1.500)', options: [
      { id: 'candidate-1', valid: true, tasks: 6, edges: 5, depth: 4, parallelism: 1.5, dependencyComplexity: 0.5, repaired: false },
      { id: 'candidate-2', valid: true, tasks: 6, edges: 4, depth: 3, parallelism: 2, dependencyComplexity: 0.4, repaired: false },
      { id: 'candidate-3', valid: false, errors: ['task "a" depends on itself'] },
    ] },
    { point: 'plan.candidates', choice: 'candidate-1', mode: 'rule', reason: 'chose candidate 1 of 1: the only valid candidate', options: [{ id: 'candidate-1', valid: true, tasks: 2, edges: 1, depth: 2, parallelism: 1 }] },
    { point: 'verify', taskId: 'a', choice: 'skip', mode: 'certified-skip', reason: 'Skipped under a certificate: 30 runs, 0 failures, streak 30, bound 0.031.', options: [{ ...learned('run', 0.97, 30) }, { ...learned('skip', 0.97, 30), cleanStreak: 30 }] },
    { point: 'verify', taskId: 'a', choice: 'run', mode: 'canary', reason: 'Checked as a canary: certified to skip (...), but 10% of certified tasks are still checked.', options: [learned('run', 0.97, 30), learned('skip', 0.97, 30)] },
    { point: 'verify', taskId: 'a', choice: 'run', mode: 'pinned', reason: 'Checked: the user asked for this check always to run here.', options: [learned('run', 0.5, 0), learned('skip', 0.5, 0)] },
    { point: 'merge', taskId: 'b', choice: 'keep', mode: 'exploit', reason: "'keep' has the best expected score -0.885 (P(success) 0.80, 3 runs here + 4 prior).", options: [learned('keep', 0.8, 3), learned('merge', 0.6, 1)] },
    { point: 'merge', taskId: 'b', choice: 'merge', mode: 'pinned', reason: "Pinned by the user: 'merge'. Merged 'b' into 'a'.", options: [learned('keep', 0.8, 3), learned('merge', 0.6, 1)] },
    { point: 'recovery', taskId: 'a', choice: 'escalate', mode: 'exploit', reason: "'escalate' has the best expected score -0.885 (P(success) 0.70, 5 runs here + 4 prior).", options: [learned('retry', 0.5, 5), learned('escalate', 0.7, 5), learned('replan-task', 0.6, 2)] },
    { point: 'recovery', taskId: 'a', choice: 'replan-subtree', mode: 'exploit', reason: "'replan-subtree' has the best expected score.", options: [learned('retry', 0.5, 0), learned('replan-subtree', 0.6, 0)] },
    { point: 'recovery', taskId: 'a', choice: 'retry', mode: 'rule', reason: 'retry 1 of 1 with the findings fed back', options: [{ id: 'retry', available: true, retriesLeft: 1 }, { id: 'replan', available: true }, { id: 'fail', available: true }] },
    { point: 'recovery', taskId: 'a', choice: 'replan', mode: 'forced', reason: 'retries are used up: local re-plan (update 1 of 2 for the task, 1 of 6 for the run)', options: [{ id: 'retry', available: false, retriesLeft: 0 }, { id: 'replan', available: true }, { id: 'fail', available: true }] },
    { point: 'recovery', taskId: 'a', choice: 'fail', mode: 'forced', reason: "1 retry did not fix it and the task's update budget is used up (2 per task)", options: [{ id: 'retry', available: false, retriesLeft: 0 }, { id: 'replan', available: false, why: "the task's update budget is used up (2 per task)" }, { id: 'fail', available: true }] },
    { point: 'update', taskId: 'a', choice: 'candidate-2', mode: 'rule', reason: '2 of 3 candidates valid; by the plan selection rule among them: candidate 2: highest parallelism P_avg 1.500', options: [
      { id: 'candidate-1', valid: false, error: 'outside the neighbourhood' },
      { id: 'candidate-2', valid: true, reason: 'split the parser from the printer', changed: ['a'], added: ['a-print'], removed: [], reset: 2, parallelism: 1.5, edges: 2 },
    ] },
    { point: 'update', taskId: 'a', choice: 'candidate-1', mode: 'rule', reason: '1 of 1 candidates valid; it changes nothing', options: [{ id: 'candidate-1', valid: true, reason: 'the failure was a flaky tool', changed: [], added: [], removed: [] }] },
    { point: 'update', taskId: 'a', choice: 'none', mode: 'rule', reason: 'none of the 3 candidate updates were valid', options: [1, 2, 3].map((n) => ({ id: `candidate-${n}`, valid: false, error: 'Connection error: connect ECONNREFUSED 127.0.0.1:9' })) },
    rulesDecision({ enabled: true, files: [{ path: 'AGENTS.md', scope: { kind: 'always' }, text: 'be kind' }], notes: [] }),
    rulesDecision({ enabled: false, files: [], notes: [] }),
    { point: 'check.attribution', choice: 'board', mode: 'rule', reason: 'the failing test output names gobang/board.py (task board)', options: [{ id: 'board', by: 'output', files: ['gobang/board.py'] }] },
    { point: 'check.attribution', choice: 'a,b', mode: 'rule', reason: "the failing test output names no task's file: put down to the tasks changed since the test command last passed (a, b)", options: [{ id: 'a', by: 'changed' }, { id: 'b', by: 'changed' }] },
  ];
}

describe('protocol: decisions in plain words', () => {
  it('words every decision point without internal key names or raw figures (real policy events and engine shapes)', () => {
    const all = [...representativeDecisions(), ...handmade()];
    const points = new Set(all.map((d) => d.point));
    for (const p of ['planK', 'plan.candidates', 'model', 'protocol', 'editFormat', 'verify', 'merge', 'recovery', 'update', 'context.rules', 'check.attribution']) {
      assert.ok(points.has(p), `the representative set covers ${p}`);
    }
    assert.ok(all.some((d) => d.mode === 'explore'), 'an exploration is among them');
    for (const d of all) {
      const words = describeDecision(d);
      assertPlain(words.summary, `${d.point}/${d.choice}/${d.mode}`);
      assert.equal(words.details, d.reason, 'the details keep the reason with its figures');
      assert.notEqual(decisionTitle(d.point), d.point === 'context.rules' ? 'context.rules' : '', 'a heading in words');
    }
  });

  it('says why K was chosen: the shipped estimates, a pin, or past runs here', () => {
    const [fresh, pinned, taught] = representativeDecisions();
    assert.equal(fresh.point, 'planK');
    assert.match(decisionSummary(fresh), /^Chose 3 candidate plans: the built-in estimates favour it \(no past runs like this here yet\)$/);
    assert.match(decisionSummary(pinned), /^Chose 2 candidate plans: you set this choice \(a setting, a command-line flag or a pin\)$/);
    assert.equal(taught.choice, '1');
    assert.match(decisionSummary(taught), /^Drew a single plan: past runs here succeeded most often with 1$/);
    const example: DecisionFacts = { point: 'planK', choice: '3', mode: 'exploit', reason: 'r', options: [{ id: '2', pSuccess: 0.5, realRuns: 4 }, { id: '3', pSuccess: 0.8, realRuns: 6 }] };
    assert.equal(decisionSummary(example), 'Chose 3 candidate plans: past runs here succeeded most often with 3');
    const balanced: DecisionFacts = { ...example, options: [{ id: '2', pSuccess: 0.9, realRuns: 4 }, { id: '3', pSuccess: 0.8, realRuns: 6 }] };
    assert.match(decisionSummary(balanced), /balances success, cost and time best/);
  });

  it('names the model and why; an escalation and a single model say so; a risky task keeps its review', () => {
    const all = representativeDecisions();
    const models = all.filter((d) => d.point === 'model');
    assert.match(decisionSummary(models[0]), /^Chose small-model for this attempt: /);
    assert.match(decisionSummary(models.at(-1) as DecisionFacts), /^Chose only-model for this attempt: it is the only model set for agents$/);
    const checks = all.filter((d) => d.point === 'verify');
    assert.match(decisionSummary(checks[0]), /^The inspector reviews this task: a review is skipped only after/);
    assert.match(decisionSummary(checks[1]), /it changes a risky file \(build or dependency file: package\.json\)/);
    const formats = all.filter((d) => d.point === 'editFormat');
    assert.ok(formats.every((d) => /^The agent (edits files by replacing the parts that change|writes whole files): /.test(decisionSummary(d))));
    const escalated: DecisionFacts = { point: 'model', taskId: 'a', choice: 'strong', mode: 'forced', reason: "Escalated after a failed attempt: 'strong' is the only option", options: [{ id: 'strong', pSuccess: 0.7, model: 'big-model', escalated: true }] };
    assert.equal(decisionSummary(escalated), 'Chose big-model for this attempt: the previous attempt failed, so it moves to the stronger model');
  });

  it('words the certified skip, the canary, recoveries, updates and project rules', () => {
    const by = (point: string, choice: string, mode?: string): string =>
      decisionSummary(handmade().find((d) => d.point === point && d.choice === choice && (mode === undefined || d.mode === mode)) as DecisionFacts);
    assert.match(by('verify', 'skip'), /^Skipped the inspector's review: tasks like this passed it 30 times in a row here/);
    assert.match(by('verify', 'run', 'canary'), /spot check/);
    assert.match(by('plan.candidates', 'candidate-2'), /^Chose plan 2 of 3 \(6 tasks in 3 steps\): it lets the most tasks run side by side; 1 plan had errors and was dropped$/);
    assert.match(by('plan.candidates', 'candidate-1'), /^Used the plan drawn \(2 tasks in 2 steps\)$/);
    assert.match(by('merge', 'keep'), /^Kept task b apart from the task before it/);
    assert.match(by('recovery', 'escalate'), /^Trying the task again on the stronger model: past runs here succeeded most often this way$/);
    assert.match(by('recovery', 'retry'), /^Trying the task again, with what the checks found fed back to the agent: 1 retry allowed$/);
    assert.match(by('recovery', 'replan'), /^Asking the updater to re-plan the failed part of the graph: the retries are used up$/);
    assert.match(by('recovery', 'fail'), /^Gave up on this task: the retries are used up and the task's update budget is used up \(2 per task\)$/);
    assert.match(by('update', 'candidate-2'), /^Updated the plan \(changed a; added a-print\): split the parser from the printer$/);
    assert.match(by('update', 'candidate-1'), /^The plan stands: the task runs again as planned/);
    // Three candidates that failed alike are one error, said once.
    const none = by('update', 'none');
    assert.equal(none, 'Found no usable plan update (all 3 candidates: Connection error: connect ECONNREFUSED 127.0.0.1:9)');
    assert.equal(by('context.rules', 'AGENTS.md'), "The agents follow the project's rules in AGENTS.md");
    assert.match(by('context.rules', 'off'), /turned off in the settings/);
    assert.equal(by('check.attribution', 'board'), 'The test command failed on gobang/board.py: put down to task board, which recovers as from a failed check');
    assert.equal(by('check.attribution', 'a,b'), "The test command failed without naming a task's file: put down to tasks a and b, changed since it last passed");
  });

  it('an unknown point reads as its title and choice, never throws', () => {
    assert.equal(decisionSummary({ point: 'future.point', choice: 'x', mode: 'rule', reason: '', options: [] }), 'future.point: x');
  });

  it('the run log line of a decision is its plain sentence (the figures stay in the decision itself)', () => {
    const e: RunEvent = { type: 'decision', runId: 'r', ts: 5, taskId: 'a', point: 'planK', choice: '3', mode: 'exploit', reason: "'3' has the best expected score -0.885", options: [{ id: '3', pSuccess: 0.8, realRuns: 6, expectedScore: -0.885 }, { id: '2', pSuccess: 0.5, realRuns: 2 }] };
    const s = applyEvent(applyEvent(emptyViewState(), { type: 'run.started', runId: 'r', ts: 1, dir: '/w' }), e);
    const line = s.logs.at(-1);
    assert.equal(line?.message, 'Chose 3 candidate plans: past runs here succeeded most often with 3');
    assert.equal(s.decisions.at(-1)?.reason, e.reason);
    assert.deepEqual(s.decisions.at(-1)?.options, e.options);
  });

  it('distinct candidate errors: each text once, with the candidates that met it', () => {
    assert.equal(distinctErrors(['x', 'x', 'x']), 'all 3 candidates: x');
    assert.equal(distinctErrors(['x', 'x']), 'both candidates: x');
    assert.equal(distinctErrors(['x', 'y', 'x']), 'candidates 1 and 3: x; candidate 2: y');
    assert.equal(distinctErrors([undefined]), 'candidate 1: invalid');
  });
});
