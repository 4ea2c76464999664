import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunEvent, RunEventOf } from '../../../src/core/run';
import { gateApplies, isPlanningFailure, isPlanReviewCancelledError, runGoal, type PlanGate, type PlanReviewAnswer, type PlanReviewRequest } from '../../../src/core/session';
import { RunEventSchema } from '../../../src/protocol/runEventSchema';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { agentHandler } from '../cli-run/fakeAgent';
import { modelFor } from '../models/helpers';
import { tempDirs } from '../run/tmp';

const FIRST = { tasks: [{ id: 'game', title: 'Game', objective: 'the whole game', files: ['game.txt'] }] };
const SECOND = {
  tasks: [
    { id: 'board', title: 'Board', objective: 'the board', files: ['board.txt'] },
    { id: 'ui', title: 'UI', objective: 'the user interface', files: ['ui.txt'] },
  ],
};
const FEEDBACK = 'split the user interface into its own task';

/** The text of every message of an OpenAI chat body. */
function messagesOf(req: RecordedRequest): string[] {
  const messages = (req.body as { messages?: Array<{ content?: unknown }> } | undefined)?.messages ?? [];
  return messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')));
}

const isPlanner = (req: RecordedRequest): boolean => req.tools.includes('submit_workflow');

/** The planner answers FIRST until it is given feedback, then SECOND; agents write their files and finish. */
function handler() {
  const agents = agentHandler();
  return (req: RecordedRequest): FakeReply => {
    if (!isPlanner(req)) return agents(req);
    const plan = messagesOf(req).some((m) => m.includes('Feedback on the previous plan:')) ? SECOND : FIRST;
    return { kind: 'message', toolCalls: [{ name: 'submit_workflow', arguments: plan }] };
  };
}

/** A gate that answers from a script and records what it was shown, and how many agent requests had arrived by then. */
function scriptedGate(server: FakeModelServer, answers: PlanReviewAnswer[], when: PlanGate['when'] = 'always'): PlanGate & { shown: Array<PlanReviewRequest & { agentRequests: number }> } {
  const shown: Array<PlanReviewRequest & { agentRequests: number }> = [];
  return {
    when,
    shown,
    review: async (request) => {
      shown.push({ ...request, agentRequests: server.requests.filter((r) => !isPlanner(r)).length });
      const answer = answers.shift();
      assert.ok(answer, `the gate was asked more often than scripted (round ${request.round})`);
      return answer;
    },
  };
}

describe('plan gate: the user reviews the chosen plan before any agent starts (runGoal)', function () {
  this.timeout(30_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  beforeEach(async () => {
    server = await FakeModelServer.start({ handler: handler() });
  });
  afterEach(async () => {
    await server.close();
    tmp.cleanup();
  });

  function workspace(): string {
    const ws = path.join(tmp.make('af-gate-'), 'ws');
    mkdirSync(ws);
    return ws;
  }

  async function run(gate: PlanGate | undefined, signal = new AbortController().signal) {
    const dir = workspace();
    const events: RunEvent[] = [];
    const { model } = modelFor(server, 'openai-compatible', false);
    const stateDir = tmp.make('af-gate-state-');
    const outcome = await runGoal({
      start: { goal: 'a small game', dir }, config: { inspector: false, planner: { exploreTurns: 0 } }, models: { agent: model, planner: model },
      candidates: 1, stateDir, signal, onEvent: (e) => events.push(e), apply: 'auto',
      ...(gate ? { planGate: gate } : {}),
    });
    return { outcome, events, dir, stateDir };
  }

  const ofType = <T extends RunEvent['type']>(events: RunEvent[], type: T): Array<RunEventOf<T>> => events.filter((e): e is RunEventOf<T> => e.type === type);

  it('applies never, always, or above N tasks only', () => {
    assert.equal(gateApplies('never', 50), false);
    assert.equal(gateApplies('always', 1), true);
    assert.equal(gateApplies({ aboveTasks: 3 }, 3), false);
    assert.equal(gateApplies({ aboveTasks: 3 }, 4), true);
  });

  it('re-plan with feedback: the planner\'s next request holds the feedback and the previous plan; the new plan is shown, then runs', async () => {
    const gate = scriptedGate(server, [{ kind: 'replan', feedback: FEEDBACK }, { kind: 'run' }]);
    const { outcome, events, dir, stateDir } = await run(gate);

    assert.equal(outcome.exitCode, 0, JSON.stringify(outcome.record?.status));
    // The run's record keeps the review (its event log), and an old reader's schema still parses it.
    const logged = readFileSync(path.join(stateDir, 'runs', outcome.runId, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    const reviews = logged.filter((e) => e.type.startsWith('plan.review'));
    assert.deepEqual(reviews.map((e) => e.type), ['plan.review.waiting', 'plan.review.decided', 'plan.review.waiting', 'plan.review.decided']);
    for (const e of reviews) assert.ok(RunEventSchema.safeParse(e).success, JSON.stringify(e));
    assert.deepEqual(gate.shown.map((s) => [s.round, s.plan.tasks.map((t) => t.id)]), [[1, ['game']], [2, ['board', 'ui']]]);
    // No agent had started when the gate was shown, either time.
    assert.deepEqual(gate.shown.map((s) => s.agentRequests), [0, 0]);
    const planners = server.requests.filter(isPlanner);
    assert.equal(planners.length, 2);
    assert.ok(!messagesOf(planners[0]).some((m) => m.includes('Feedback on the previous plan')), 'the first plan had no feedback');
    const feedback = messagesOf(planners[1]).find((m) => m.startsWith('Feedback on the previous plan:'));
    assert.ok(feedback, 'the re-plan request carries a feedback message');
    assert.ok(feedback.includes(FEEDBACK), feedback);
    assert.ok(feedback.includes('"game"'), 'with the previous plan');
    // The events say what happened, in order, before the plan ran.
    const gateEvents = events.filter((e) => e.type.startsWith('plan.review') || e.type === 'plan.ready').map((e) => (e.type === 'plan.review.decided' ? `${e.type}:${e.action}` : e.type));
    assert.deepEqual(gateEvents, ['plan.review.waiting', 'plan.review.decided:replan', 'plan.review.waiting', 'plan.review.decided:run', 'plan.ready']);
    assert.equal(ofType(events, 'plan.review.decided')[0]?.feedback, FEEDBACK);
    assert.deepEqual(outcome.record?.plan.tasks.map((t) => t.id), ['board', 'ui']);
    assert.ok(existsSync(path.join(dir, 'ui.txt')) && !existsSync(path.join(dir, 'game.txt')));
  });

  it('M1, M7, M10 through Edit: an edited plan that is malformed, escapes the workspace, owns a protected path or names an unknown dependency is refused with every problem and shown again; a valid one runs as edited', async () => {
    const invalid = JSON.stringify({ tasks: [
      { id: 'a', title: 'A', objective: 'x', files: ['../outside.txt'] },
      { id: 'b', title: 'B', objective: 'y', files: [], deps: ['nope'] },
      { id: 'c', title: 'C', objective: 'z', files: ['.VSCode/settings.json'] },
    ] });
    const valid = JSON.stringify({ tasks: [{ id: 'edited', title: 'Edited', objective: 'as the user wrote it', files: ['edited.txt'] }] });
    const gate = scriptedGate(server, [{ kind: 'run', edited: invalid }, { kind: 'run', edited: '{ "tasks": [ ' }, { kind: 'run', edited: valid }]);
    const { outcome, events, dir } = await run(gate);

    assert.equal(outcome.exitCode, 0);
    assert.equal(gate.shown.length, 3);
    assert.equal(gate.shown[0]?.problems, undefined);
    const refused = gate.shown[1]?.problems ?? [];
    assert.ok(refused.some((p) => p.includes('outside.txt')) && refused.some((p) => p.includes('nope')) && refused.some((p) => p.includes('.VSCode/settings.json')), refused.join('\n'));
    assert.ok((gate.shown[2]?.problems ?? []).length > 0, 'malformed JSON is refused too');
    assert.deepEqual(ofType(events, 'plan.review.decided').map((e) => e.action), ['edit-refused', 'edit-refused', 'run-edited']);
    // Only one plan was drawn: an edit does not re-plan.
    assert.equal(server.requests.filter(isPlanner).length, 1);
    assert.deepEqual(outcome.record?.plan.tasks.map((t) => t.id), ['edited']);
    assert.equal(outcome.record?.plan.goal, 'a small game', 'the edited plan keeps the run\'s goal');
    assert.ok(existsSync(path.join(dir, 'edited.txt')) && !existsSync(path.join(dir, 'outside.txt')) && !existsSync(path.join(path.dirname(dir), 'outside.txt')));
    assert.equal(existsSync(path.join(dir, '.vscode')) || existsSync(path.join(dir, '.VSCode')), false);
  });

  it('cancel: the run ends cancelled (exit 130) before any agent starts, and says so', async () => {
    const gate = scriptedGate(server, [{ kind: 'cancel' }]);
    const { outcome, events, dir } = await run(gate);

    assert.ok(isPlanningFailure(outcome));
    assert.equal(outcome.exitCode, 130);
    assert.equal(outcome.status, 'cancelled');
    assert.ok(isPlanReviewCancelledError(outcome.error));
    assert.equal(server.requests.filter((r) => !isPlanner(r)).length, 0, 'no agent request');
    assert.equal(existsSync(path.join(dir, 'game.txt')), false);
    const finished = ofType(events, 'run.finished');
    assert.deepEqual(finished.map((e) => [e.status, e.exitCode]), [['cancelled', 130]]);
    assert.ok(!events.some((e) => e.type === 'plan.ready'));
  });

  it('cancelling the run while the gate waits ends it cancelled, even if the question is never answered', async () => {
    const ac = new AbortController();
    let asked!: () => void;
    const waiting = new Promise<void>((resolve) => (asked = resolve));
    const gate: PlanGate = {
      when: 'always',
      review: () => {
        asked();
        return new Promise<PlanReviewAnswer>(() => {});
      },
    };
    const pending = run(gate, ac.signal);
    await waiting;
    ac.abort();
    const { outcome } = await pending;
    assert.equal(outcome.exitCode, 130);
    assert.equal(outcome.status, 'cancelled');
    assert.equal(server.requests.filter((r) => !isPlanner(r)).length, 0);
  });

  it('above N: a plan of N tasks or fewer runs without asking', async () => {
    const gate = scriptedGate(server, [], { aboveTasks: 1 });
    const { outcome } = await run(gate);
    assert.equal(outcome.exitCode, 0);
    assert.equal(gate.shown.length, 0);
  });
});
