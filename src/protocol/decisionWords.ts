/**
 * A decision in plain words: one sentence a user reads first ("Chose 3 candidate plans: past runs here
 * succeeded most often with 3"), and the details behind it (the reason with its figures, as the policy or
 * the engine wrote it). The graph, the sidebar, the VS Code log and the CLI's human output all word
 * decisions here, so each is worded once. The machine formats (`--json`, run.json, the event itself) keep
 * the figures unchanged; the summary is derived from the event's structured fields (point, choice, mode,
 * the options' figures), never from the reason's text, and never names an internal key.
 */
import { distinctErrors, plural, series } from '../core/words';
import type { DecisionMode, DecisionOption } from '../core/run/events';

/** The fields of a decision event the words depend on (an event, a journal record or a view of one). */
export interface DecisionFacts {
  point: string;
  choice: string;
  mode: DecisionMode;
  options: readonly DecisionOption[];
  reason: string;
  taskId?: string;
}

/** A decision for reading: the plain sentence, and the reason with its figures for whoever opens the details. */
export interface DecisionWords {
  summary: string;
  details: string;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function chosenOf(d: DecisionFacts): DecisionOption | undefined {
  return d.options.find((o) => o.id === d.choice);
}

/**
 * Why a learned choice was made, in words: pinned, the only option, an exploration, or what past runs
 * here (or, with none yet, the built-in starting estimates) say. `what` names the choice for the sentence
 * "past runs here succeeded most often <what>".
 */
function learnedWhy(d: DecisionFacts, what: string): string {
  switch (d.mode) {
    case 'pinned':
      return 'you set this choice (a setting, a command-line flag or a pin)';
    case 'forced':
      return 'it was the only option';
    case 'explore':
      return 'trying it to learn whether it works better here (now and then the policy tries a less proven option)';
    default:
      break;
  }
  const runs = d.options.map((o) => num(o.realRuns) ?? 0);
  if (runs.every((r) => r < 1)) return 'the built-in estimates favour it (no past runs like this here yet)';
  const chosen = chosenOf(d);
  const p = num(chosen?.pSuccess);
  const best = Math.max(...d.options.map((o) => num(o.pSuccess) ?? 0));
  if (p !== undefined && p >= best - 1e-9) return `past runs here succeeded most often ${what}`;
  return 'it balances success, cost and time best in past runs here';
}

function planK(d: DecisionFacts): string {
  const k = Number(d.choice);
  const head = k === 1 ? 'Drew a single plan' : `Chose ${d.choice} candidate plans`;
  return `${head}: ${learnedWhy(d, `with ${d.choice}`)}`;
}

function planCandidates(d: DecisionFacts): string {
  const drawn = d.options.length;
  const valid = d.options.filter((o) => o.valid !== false);
  const dropped = drawn - valid.length;
  const chosen = chosenOf(d);
  const n = d.choice.replace(/^candidate-/, '');
  const tasks = num(chosen?.tasks);
  const depth = num(chosen?.depth);
  const shape = tasks !== undefined && depth !== undefined ? ` (${plural(tasks, 'task')} in ${plural(depth, 'step')})` : '';
  const droppedNote = dropped > 0 ? `; ${plural(dropped, 'plan')} had errors and ${dropped === 1 ? 'was' : 'were'} dropped` : '';
  if (drawn <= 1) return `Used the plan drawn${shape}`;
  if (valid.length <= 1) return `Used plan ${n} of ${drawn}${shape}: the only one without errors${droppedNote}`;
  const par = (o: DecisionOption): number => num(o.parallelism) ?? 0;
  const bestPar = Math.max(...valid.map(par));
  const chosenPar = chosen ? par(chosen) : 0;
  const tiedOnPar = valid.filter((o) => par(o) >= bestPar - 1e-9).length > 1;
  const why = !tiedOnPar && chosenPar >= bestPar - 1e-9
    ? 'it lets the most tasks run side by side'
    : 'it lets as many tasks run side by side as any other, with the fewest dependencies between them';
  return `Chose plan ${n} of ${drawn}${shape}: ${why}${droppedNote}`;
}

function tierWords(tier: string): string {
  if (tier === 'cheap') return 'the cheaper model';
  if (tier === 'strong') return 'the stronger model';
  return 'the model';
}

function model(d: DecisionFacts): string {
  const chosen = chosenOf(d);
  const name = text(chosen?.model);
  const which = name ? `${name}` : tierWords(d.choice);
  if (chosen?.escalated === true) return `Chose ${which} for this attempt: the previous attempt failed, so it moves to the stronger model`;
  if (d.mode === 'forced' && d.options.length === 1) return `Chose ${which} for this attempt: it is the only model set for agents`;
  return `Chose ${which} for this attempt: ${learnedWhy(d, 'with this model')}`;
}

const PROTOCOL_WORDS: Record<string, string> = {
  'direct-edit': 'to make the changes directly',
  'plan-then-edit': 'to plan its changes before making them',
  'test-first': 'to write tests first, then the code',
};

function protocol(d: DecisionFacts): string {
  const how = PROTOCOL_WORDS[d.choice] ?? `to work in the "${d.choice}" way`;
  return `Asked the agent ${how}: ${learnedWhy(d, 'this way')}`;
}

function editFormat(d: DecisionFacts): string {
  const how = d.choice === 'whole'
    ? 'The agent writes whole files'
    : 'The agent edits files by replacing the parts that change';
  return `${how}: ${learnedWhy(d, 'this way')}`;
}

function check(d: DecisionFacts): string {
  const run = d.options.find((o) => o.id === 'run');
  const skip = d.options.find((o) => o.id === 'skip');
  const risk = text(run?.risk);
  const streak = num(skip?.cleanStreak);
  switch (d.mode) {
    case 'certified-skip':
      return `Skipped the inspector's review: tasks like this passed it ${streak !== undefined ? `${plural(Math.round(streak), 'time')} in a row` : 'consistently'} here, and the tools still check the work`;
    case 'canary':
      return 'The inspector reviews this task as a spot check: tasks like this have earned a skip, but a share of them is still reviewed';
    case 'pinned':
      return 'The inspector reviews this task: you asked for this check always to run';
    default:
      if (d.choice === 'skip') return "Skipped the inspector's review";
      if (risk) return `The inspector reviews this task: it changes a risky file (${risk}), and risky tasks are always reviewed`;
      return 'The inspector reviews this task: a review is skipped only after tasks like this have passed it many times here';
  }
}

function merge(d: DecisionFacts): string {
  const task = d.taskId ? `task ${d.taskId}` : 'the task';
  if (d.choice === 'merge') return `Merged ${task} into the task before it: ${learnedWhy(d, 'with such tasks merged')}`;
  return `Kept ${task} apart from the task before it: ${d.mode === 'explore' || d.mode === 'pinned' || d.mode === 'forced' ? learnedWhy(d, '') : 'tasks are merged only once past runs here favour it'}`;
}

const RECOVERY_WORDS: Record<string, string> = {
  retry: 'Trying the task again, with what the checks found fed back to the agent',
  escalate: 'Trying the task again on the stronger model',
  'replan-task': 'Asking the updater to re-plan this task',
  'replan-subtree': 'Asking the updater to re-plan this task and the tasks that depend on it',
  replan: 'Asking the updater to re-plan the failed part of the graph',
  fail: 'Gave up on this task',
};

/** Recovery: the learned policy's choice (retry, escalate, re-plan) or the engine's rule when its budgets decide. */
function recovery(d: DecisionFacts): string {
  const head = RECOVERY_WORDS[d.choice] ?? `Recovery: ${d.choice}`;
  const learned = d.options.some((o) => o.pSuccess !== undefined);
  if (learned) return `${head}: ${learnedWhy(d, 'this way')}`;
  const retry = d.options.find((o) => o.id === 'retry');
  const replan = d.options.find((o) => o.id === 'replan');
  const retriesLeft = num(retry?.retriesLeft);
  const usedUp = retry !== undefined && (retry.available === false || retriesLeft === 0);
  const blocked = text(replan?.why);
  if (d.choice === 'retry' && retriesLeft !== undefined) return `${head}: ${plural(retriesLeft, 'retry', 'retries')} allowed`;
  if (d.choice === 'replan' && retry !== undefined) return `${head}: ${usedUp ? 'the retries are used up' : 'no retry was chosen'}`;
  if (d.choice === 'fail') {
    const why = [usedUp ? 'the retries are used up' : retry !== undefined ? 'no retry was chosen' : '', blocked ?? ''].filter(Boolean);
    if (why.length) return `${head}: ${why.join(' and ')}`;
  }
  return head;
}

function update(d: DecisionFacts): string {
  const chosen = chosenOf(d);
  if (!chosen) {
    const errors = d.options.map((o) => text(o.error));
    return d.options.length ? `Found no usable plan update (${distinctErrors(errors)})` : 'Found no usable plan update';
  }
  const changed = list(chosen.changed);
  const added = list(chosen.added);
  const removed = list(chosen.removed);
  const why = text(chosen.reason);
  if (changed.length + added.length + removed.length === 0) return `The plan stands: the task runs again as planned${why ? ` (${why})` : ''}`;
  const parts = [
    changed.length ? `changed ${series(changed)}` : '',
    added.length ? `added ${series(added)}` : '',
    removed.length ? `removed ${series(removed)}` : '',
  ].filter(Boolean);
  return `Updated the plan (${parts.join('; ')})${why ? `: ${why}` : ''}`;
}

function rules(d: DecisionFacts): string {
  if (d.choice === 'off') return 'Project rules are not used: they are turned off in the settings';
  const files = d.options.map((o) => o.id);
  if (files.length === 0) return 'No project rule files found (AGENTS.md, CLAUDE.md, .github/copilot-instructions.md and the like)';
  const shown = files.length > 4 ? [...files.slice(0, 3), `${files.length - 3} more`] : files;
  return `The agents follow the project's rules in ${series(shown)}`;
}

/** A failing whole-run test command put down to tasks: by the files its output names, else the tasks changed since it passed. */
function checkAttribution(d: DecisionFacts): string {
  const tasks = d.options.map((o) => o.id);
  const named = d.options.filter((o) => o.by === 'output');
  const which = tasks.length === 1 ? `task ${tasks[0]}` : `tasks ${series(tasks)}`;
  if (named.length > 0) {
    const files = [...new Set(named.flatMap((o) => list(o.files)))];
    const shown = files.length > 3 ? [...files.slice(0, 2), `${files.length - 2} more`] : files;
    return `The test command failed on ${series(shown)}: put down to ${which}, which recovers as from a failed check`;
  }
  return `The test command failed without naming a task's file: put down to ${which}, changed since it last passed`;
}

const POINT_NAMES: Record<string, string> = {
  planK: 'Candidate plans',
  'plan.candidates': 'Plan chosen',
  model: 'Model',
  protocol: 'Way of working',
  editFormat: 'How files are edited',
  verify: "Inspector's review",
  merge: 'Merging tasks',
  recovery: 'After a failure',
  update: 'Plan update',
  'context.rules': 'Project rules',
  'check.attribution': 'Test command failure',
};

/** A short heading for the decision point ("Model", "After a failure"), for lists and details toggles. */
export function decisionTitle(point: string): string {
  return POINT_NAMES[point] ?? point;
}

/** The plain sentence of a decision (see the module comment). */
export function decisionSummary(d: DecisionFacts): string {
  switch (d.point) {
    case 'planK':
      return planK(d);
    case 'plan.candidates':
      return planCandidates(d);
    case 'model':
      return model(d);
    case 'protocol':
      return protocol(d);
    case 'editFormat':
      return editFormat(d);
    case 'verify':
      return check(d);
    case 'merge':
      return merge(d);
    case 'recovery':
      return recovery(d);
    case 'update':
      return update(d);
    case 'context.rules':
      return rules(d);
    case 'check.attribution':
      return checkAttribution(d);
    default:
      // A point added later: its choice, worded neutrally; the details carry the rest.
      return `${decisionTitle(d.point)}: ${d.choice}`;
  }
}

/** The decision in words: the summary, and the reason with its figures as the details. */
export function describeDecision(d: DecisionFacts): DecisionWords {
  return { summary: decisionSummary(d), details: d.reason };
}
