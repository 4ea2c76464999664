/**
 * The one reducer both webviews and the host share: `applyEvent(state, event)` returns the next state and
 * never mutates its input (views compare references to decide what to redraw).
 */
import type { Plan } from '../core/plan/schema';
import type { RunEvent, RunEventOf, TaskStatus } from '../core/run/events';
import { addCallUsage } from '../core/run/usageTotals';
import { analysePlan, type PlanAnalyser } from './planAnalysis';
import { runLogLine, verificationLabel } from './reducerLog';
import { CAPS, emptyTaskDetail, emptyViewState, type RunViewState, type TaskDetail, type ToolCallView, type UsageTotals } from './viewState';

/** Options of {@link applyEvent}. */
export interface ReducerOptions {
  /** Computes metrics and the critical path of a new plan; defaults to {@link analysePlan}. */
  analyse?: PlanAnalyser;
}

/** Totals with one more call (an unpriced call and a call included in the user's plan are counted apart, never as $0). */
function addUsage(a: UsageTotals, call: RunEventOf<'usage'>): UsageTotals {
  const next = { ...a };
  addCallUsage(next, call);
  return next;
}

function capTail<T>(items: readonly T[], item: T, cap: number): T[] {
  const next = [...items, item];
  return next.length > cap ? next.slice(next.length - cap) : next;
}

/** Appends to a task's log, keeping the last {@link CAPS.taskLog} characters. */
function appendLog(log: string, text: string): string {
  const next = log + text;
  return next.length > CAPS.taskLog ? next.slice(next.length - CAPS.taskLog) : next;
}

function withTask(state: RunViewState, taskId: string, update: (t: TaskDetail) => TaskDetail): RunViewState {
  const current = state.tasks[taskId] ?? emptyTaskDetail();
  return { ...state, tasks: { ...state.tasks, [taskId]: update(current) } };
}

/** A tool call as the view keeps it: only the fields the event has (no `undefined` keys in snapshots). */
function toolCallView(e: RunEventOf<'agent.tool'>): ToolCallView {
  const v: ToolCallView = { ts: e.ts, tool: e.tool, ok: e.ok };
  if (e.path !== undefined) v.path = e.path;
  if (e.error !== undefined) v.error = e.error;
  if (e.summary !== undefined) v.summary = e.summary;
  if (e.diff !== undefined) v.diff = e.diff;
  if (e.diffOmitted !== undefined) v.diffOmitted = e.diffOmitted;
  return v;
}

/**
 * Appends a tool call, keeping the last {@link CAPS.toolCalls}; only the latest {@link CAPS.toolDiffs} calls
 * with a diff keep it, so a long task's state stays small (the staged files still open their full diff).
 */
function addToolCall(tools: readonly ToolCallView[], call: ToolCallView): ToolCallView[] {
  const next = capTail(tools, call, CAPS.toolCalls);
  let withDiff = 0;
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i].diff === undefined) continue;
    if (++withDiff > CAPS.toolDiffs) {
      const { diff: _drop, diffOmitted: _n, ...rest } = next[i];
      void _drop;
      void _n;
      next[i] = rest;
    }
  }
  return next;
}

/** Sets a new plan; `reset` names replaced tasks, which start over as pending (their history stays). */
function withPlan(state: RunViewState, plan: Plan, analyse: PlanAnalyser, reset: readonly string[] = []): RunViewState {
  const metrics = analyse(plan);
  const statuses: Record<string, TaskStatus> = {};
  const tasks: Record<string, TaskDetail> = {};
  for (const t of plan.tasks) {
    statuses[t.id] = reset.includes(t.id) ? 'pending' : (state.statuses[t.id] ?? 'pending');
    tasks[t.id] = state.tasks[t.id] ?? emptyTaskDetail();
  }
  return { ...state, plan, statuses, tasks, metrics, criticalPath: metrics.criticalPath, planRevision: state.planRevision + 1 };
}

function onPlanUpdated(state: RunViewState, e: RunEventOf<'plan.updated'>, analyse: PlanAnalyser): RunViewState {
  if (e.plan) return withPlan(state, e.plan, analyse, e.changed);
  // Without the new plan, drop the removed tasks so the view shows no stale nodes.
  if (!state.plan || e.removed.length === 0) return state;
  const plan: Plan = {
    ...state.plan,
    tasks: state.plan.tasks
      .filter((t) => !e.removed.includes(t.id))
      .map((t) => ({ ...t, deps: t.deps.filter((d) => !e.removed.includes(d)) })),
  };
  return withPlan(state, plan, analyse);
}

/** Longest run-log message kept (a plan update may list many ids). */
const LOG_MESSAGE_MAX = 2000;

/**
 * Applies one run event to the view state; unknown tasks are created on the fly rather than dropped.
 * Events worth reading back (lifecycle, attempts, verdicts, decisions, updates, patches, errors) also
 * append a line to `logs` (see {@link runLogLine}).
 */
export function applyEvent(state: RunViewState, event: RunEvent, options: ReducerOptions = {}): RunViewState {
  // Events of another run than the one shown start over only on `run.started`; stray events are ignored.
  if (event.type !== 'run.started' && state.run && state.run.runId !== event.runId) return state;
  const next = reduce(state, event, options);
  const line = runLogLine(event, next);
  if (!line) return next;
  const message = line.message.length > LOG_MESSAGE_MAX ? `${line.message.slice(0, LOG_MESSAGE_MAX - 1)}…` : line.message;
  return { ...next, logs: capTail(next.logs, { ...line, message, ts: event.ts }, CAPS.logs) };
}

function reduce(state: RunViewState, event: RunEvent, options: ReducerOptions): RunViewState {
  const analyse = options.analyse ?? analysePlan;
  switch (event.type) {
    case 'run.started': {
      const fresh = emptyViewState();
      return {
        ...fresh,
        planRevision: state.planRevision + 1,
        run: { runId: event.runId, goal: event.goal, dir: event.dir, startedAt: event.ts, status: 'running' },
      };
    }
    case 'plan.ready':
      return withPlan(state, event.plan, analyse);
    case 'plan.updated':
      return onPlanUpdated(state, event, analyse);
    case 'task.status': {
      const next = withTask(state, event.taskId, (t) => ({ ...t, statusReason: event.reason }));
      return { ...next, statuses: { ...next.statuses, [event.taskId]: event.status } };
    }
    case 'agent.started':
      return withTask(state, event.taskId, (t) => ({
        ...t,
        agent: { role: event.role, agent: event.agent, model: event.model, attempt: event.attempt },
        // A later attempt's text follows the earlier one's in the same log: mark where it starts.
        log: event.attempt > 1 && t.log ? appendLog(t.log, `${t.log.endsWith('\n') ? '' : '\n'}── attempt ${event.attempt} (${event.model}) ──\n`) : t.log,
      }));
    case 'agent.text':
      return withTask(state, event.taskId, (t) => {
        const log = t.log + event.delta;
        return { ...t, log: appendLog(t.log, event.delta), logTruncated: t.logTruncated || log.length > CAPS.taskLog };
      });
    case 'agent.reset':
      // The streamed text of a call that started over is void: the retry streams its own.
      return withTask(state, event.taskId, (t) => ({ ...t, log: t.log.slice(0, Math.max(0, t.log.length - event.discard)) }));
    case 'agent.tool':
      return withTask(state, event.taskId, (t) => ({ ...t, tools: addToolCall(t.tools, toolCallView(event)) }));
    case 'file.staged':
      return withTask(state, event.taskId, (t) => ({
        ...t,
        files: [...t.files.filter((f) => f.path !== event.path), { path: event.path, change: event.change, bytes: event.bytes }],
      }));
    case 'write.refused':
      return withTask(state, event.taskId, (t) => ({ ...t, refused: [...t.refused, { path: event.path, reason: event.reason }] }));
    case 'usage': {
      const byRole = { ...state.usage.byRole };
      byRole[event.role] = addUsage(byRole[event.role] ?? { inputTokens: 0, outputTokens: 0, cost: 0 }, event);
      let next: RunViewState = { ...state, usage: { ...addUsage(state.usage, event), byRole } };
      if (event.taskId !== undefined) {
        next = withTask(next, event.taskId, (t) => ({ ...t, usage: addUsage(t.usage, event) }));
      }
      return next;
    }
    case 'task.verified':
      return withTask(state, event.taskId, (t) => ({ ...t, verification: { outcome: event.outcome, findings: event.findings } }));
    case 'decision':
      return {
        ...state,
        decisions: capTail(state.decisions, {
          ts: event.ts, taskId: event.taskId, point: event.point, options: event.options, choice: event.choice,
          mode: event.mode, reason: event.reason,
        }, CAPS.decisions),
      };
    case 'patch':
      return withTask(state, event.taskId, (t) => ({ ...t, patch: { state: event.state, files: event.files, reason: event.reason } }));
    case 'verify.mode':
      return state.run ? { ...state, run: { ...state.run, verification: verificationLabel(event) } } : state;
    case 'log':
    case 'run.checked':
      // Shown only as run-log lines, which applyEvent adds.
      return state;
    case 'plan.review.waiting': {
      const next = withPlan(state, event.plan, analyse);
      return {
        ...next,
        review: {
          state: 'waiting', round: event.round,
          ...(event.chosen !== undefined ? { chosen: event.chosen } : {}),
          ...(event.candidates !== undefined ? { candidates: event.candidates } : {}),
          ...(event.problems?.length ? { problems: event.problems } : {}),
        },
      };
    }
    case 'plan.review.decided': {
      const reviewState = event.action === 'replan' ? 'replanning' : event.action === 'edit-refused' ? 'waiting' : 'decided';
      const { problems: _old, ...previous } = state.review ?? { state: 'waiting' as const, round: event.round };
      void _old;
      return {
        ...state,
        review: {
          ...previous, state: reviewState, round: event.round, action: event.action,
          ...(event.feedback !== undefined ? { feedback: event.feedback } : {}),
          ...(event.problems?.length ? { problems: event.problems } : {}),
        },
      };
    }
    case 'run.finished':
      if (!state.run) return state;
      return {
        ...state,
        run: { ...state.run, status: event.status, exitCode: event.exitCode, reason: event.reason, finishedAt: event.ts },
      };
  }
}

/** Folds a sequence of events into a state (used for snapshots of a run replayed from its journal). */
export function applyEvents(state: RunViewState, events: Iterable<RunEvent>, options: ReducerOptions = {}): RunViewState {
  let next = state;
  for (const e of events) next = applyEvent(next, e, options);
  return next;
}
