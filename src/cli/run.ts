/**
 * `agensflow run`: plan (or load a plan) and run it with parallel agents; `--resume RUN_ID` continues a run.
 * Exit codes: 0 every task verified (and applied with --apply auto); 1 a task failed, is blocked or
 * unverified, or the budget ran out; 2 bad usage or configuration; 130 cancelled (SIGINT).
 */
import { resolve } from 'node:path';
import { isModelConfigError, type Model, type ProviderId } from '../core/models';
import { isPlanningFailure, runGoal, type RunPolicy, type RunStart } from '../core/session';
import { defaultStateDir, isJournalWriteError, isRunCancelledError, processWrites, RunJournal, type RunEvent, type RunOutcome, type RunRecord } from '../core/run';
import { RETRYABLE_STATUSES } from '../core/run/events';
import { boolFlag, intFlag, MAX_TASKS_FLAG, OVERVIEW_TOKENS_FLAG, OVERVIEW_TOKENS_HELP, stringFlag, UsageError, type CommandArgs } from './args';
import { plural } from '../core/words';
import type { CliCommand } from './command';
import type { CliIo } from './io';
import { interruptHandler } from './interrupt';
import { closeCliPolicy, openCliPolicy } from './runPolicy';
import { agentModelNames, buildModel, loadConfig, MODEL_FLAGS, MODEL_FLAGS_HELP, modelSettings, overviewTokensOf, type ModelSettings } from './modelOptions';
import { loadPlanFile, printErrors } from './planFile';
import { checkDir, describeCandidates, overviewLine } from './plan';
import { LiveView, summaryTable } from './runOutput';

/** The state folder: `--state`, else `$XDG_STATE_HOME/agensflow`, else `~/.local/state/agensflow`. */
export function stateDirOf(args: CommandArgs, io: CliIo): string {
  const flag = stringFlag(args.values, 'state');
  return flag ? resolve(io.cwd, flag) : defaultStateDir({ ...io.env });
}

export const STATE_FLAG = { state: { type: 'string' } } as const;

/**
 * The exit code of a command that reads and writes a run's journal (`apply`, `undo`) for a journal failure,
 * said on stderr: 2 for a run that cannot be read (unknown or damaged), 1 when the workspace changed but the
 * journal could not record it (a later command will). Undefined for any other error (the caller rethrows).
 */
export function journalFailureExit(command: string, e: unknown, io: CliIo): number | undefined {
  if (e instanceof Error && e.name === 'JournalError') {
    io.stderr(`agensflow ${command}: ${e.message}\n`);
    return 2;
  }
  if (isJournalWriteError(e)) {
    io.stderr(`agensflow ${command}: ${e.message}\n`);
    return 1;
  }
  return undefined;
}

/** True when stderr is a terminal we may redraw (not a captured test io, not CI). */
function isLiveTerminal(io: CliIo): boolean {
  return !('out' in io) && process.stderr.isTTY === true && io.env.TERM !== 'dumb' && !io.env.CI;
}

function applyMode(args: CommandArgs): 'review' | 'auto' | undefined {
  const v = stringFlag(args.values, 'apply');
  if (v === undefined) return undefined;
  if (v !== 'review' && v !== 'auto') throw new UsageError(`--apply takes review or auto, got "${v}"`);
  return v;
}

export function makeRunCommand(): CliCommand {
  return {
    summary: 'Plan a task (or load a plan) and run it with parallel agents',
    usage: [
      'Usage: agensflow run "TASK" --dir DIR [options]',
      '       agensflow run --plan PLAN.json --dir DIR [options]',
      '       agensflow run --resume RUN_ID [--retry TASK]... [options]',
      '',
      'Runs one agent per ready task (at most --max-agents at once); every write is staged and becomes a',
      'patch per task. Patches are left for review (see `agensflow apply`) unless --apply auto.',
      'Exit 0 all tasks verified, 1 some task failed/blocked/unverified or the budget ran out, 2 bad usage, 130 cancelled.',
      '',
      'Options:',
      '  --dir DIR          the workspace (default: the current folder)',
      '  --plan FILE        run this plan instead of planning',
      '  --resume RUN_ID    continue an interrupted or cancelled run',
      '  --retry TASK       with --resume: run failed, blocked or cancelled TASK again (repeat, or a,b)',
      ...MODEL_FLAGS_HELP,
      '  --max-agents N     task agents running at once (default 4)',
      '  --candidates K     plan candidates to draw (default: the policy chooses)',
      '  --apply MODE       review (default) or auto (apply each verified task\'s patch)',
      '  --state DIR        journal and policy folder (default $XDG_STATE_HOME/agensflow)',
      '  --max-tasks N      the largest plan allowed (default 64)',
      '  --max-turns N      model calls per agent (default 20)',
      OVERVIEW_TOKENS_HELP,
      '  --json             one event per line on stdout, ending with {"type":"run.finished","exitCode":N}',
    ].join('\n'),
    flags: {
      ...MODEL_FLAGS,
      ...MAX_TASKS_FLAG,
      ...OVERVIEW_TOKENS_FLAG,
      ...STATE_FLAG,
      dir: { type: 'string' },
      plan: { type: 'string' },
      resume: { type: 'string' },
      retry: { type: 'string', multiple: true },
      'max-agents': { type: 'string' },
      candidates: { type: 'string' },
      apply: { type: 'string' },
      'max-turns': { type: 'string' },
      json: { type: 'boolean' },
    },
    run: (args, io) => executeRun(args, io),
  };
}

async function executeRun(args: CommandArgs, io: CliIo): Promise<number> {
  const v = args.values;
  const json = boolFlag(v, 'json');
  const resumeId = stringFlag(v, 'resume');
  const planFile = stringFlag(v, 'plan');
  const goal = args.positionals.join(' ').trim();
  if (args.positionals.length > 1) throw new UsageError('give the task as one quoted argument');
  if (resumeId && (planFile || goal)) throw new UsageError('--resume continues a run: give no task and no --plan');
  if (!resumeId && planFile && goal) throw new UsageError('give either a task or --plan, not both');
  if (!resumeId && !planFile && !goal) throw new UsageError('missing the task (or --plan PLAN.json, or --resume RUN_ID)');
  const retry = retryFlag(v);
  if (retry.length > 0 && !resumeId) throw new UsageError('--retry runs tasks of an earlier run again: give it with --resume RUN_ID');
  const maxAgents = intFlag(v, 'max-agents');
  const maxTurns = intFlag(v, 'max-turns');
  const candidates = intFlag(v, 'candidates');
  const maxTasks = intFlag(v, 'max-tasks');
  const apply = applyMode(args);
  const stateDir = stateDirOf(args, io);
  const configFlag = stringFlag(v, 'config');
  const loaded = await loadConfig(configFlag, io);
  const overviewTokens = overviewTokensOf(v, loaded);
  const config = { ...loaded, ...(overviewTokens !== undefined ? { overviewTokens } : {}) };

  const view = json ? undefined : new LiveView(io.stderr, isLiveTerminal(io) ? io.control : undefined);
  const onEvent = (e: RunEvent): void => {
    if (json) io.stdout(`${JSON.stringify(e)}\n`);
    else view?.onEvent(e);
  };
  const ac = new AbortController();
  const onSigint = interruptHandler({
    cancel: () => ac.abort(),
    exit: (code) => process.exit(code),
    writes: processWrites,
    // Also with --json: stderr is for people, stdout stays one event per line.
    say: (line) => io.stderr(`\n${line}\n`),
    finishHint: `\`agensflow run --resume ${resumeId ?? 'RUN_ID'}\` (or \`agensflow apply RUN_ID\`)`,
  });
  process.on('SIGINT', onSigint);
  let policy: RunPolicy | undefined;
  try {
    // Settings to models: the agents' (cheapest first, the learned policy binds one per attempt), and the other
    // roles' own models when the config names them, else the agents' settings. A resume reuses its recorded ones.
    const journal = resumeId ? await RunJournal.open(stateDir, resumeId) : undefined;
    const r = journal?.record.settings;
    const recorded: Partial<ModelSettings> = r ? { ...(r.provider ? { provider: r.provider as ProviderId } : {}), ...(r.model ? { model: r.model } : {}), ...(r.baseUrl ? { baseUrl: r.baseUrl } : {}) } : {};
    const settings = modelSettings(v, config, 'agent', recorded);
    const role = (r: 'planner' | 'inspector' | 'updater'): Model => buildModel(modelSettings(v, config, r, r === 'planner' ? {} : settings), v, io, r);
    const models = { agent: buildModel(settings, v, io, 'agent'), ...(goal ? { planner: role('planner') } : {}), inspector: role('inspector'), updater: role('updater') };
    const agentModels = agentModelNames(v, config, settings.model).map((name) => buildModel({ ...settings, model: name }, v, io, 'agent'));
    // What the run starts from, in which folder.
    let start: RunStart;
    let dir: string;
    if (journal) {
      const refused = retryProblem(journal.record, retry);
      if (refused) throw new UsageError(refused);
      start = { resume: journal.runId, ...(retry.length ? { retry } : {}) };
      dir = journal.record.dir;
    } else {
      dir = resolve(io.cwd, stringFlag(v, 'dir') ?? '.');
      if (planFile) {
        const loaded = await loadPlanFile(planFile, io, maxTasks);
        if (!loaded.ok) {
          printErrors(planFile, loaded.errors, io);
          return loaded.exitCode;
        }
        start = { plan: loaded.plan, dir };
      } else {
        await checkDir(dir);
        start = { goal, dir };
      }
    }
    policy = await openCliPolicy({ stateDir, dir, ...(config.policy ? { config: config.policy } : {}), agentModels }, io);
    // The one pipeline shared with the VS Code extension (src/core/session): plan, merge, compose, start, close.
    const outcome = await runGoal({
      start, config, models, policy, stateDir, signal: ac.signal, onEvent, env: { ...io.env },
      // A --config file inside the workspace is the run's own configuration: never an agent's to write.
      ...(configFlag ? { reserved: [resolve(io.cwd, configFlag)] } : {}),
      ...(candidates ? { candidates } : {}), ...(maxTasks ? { maxTasks } : {}), ...(maxAgents ? { maxAgents } : {}),
      ...(apply ? { apply } : {}), ...(maxTurns ? { maxTurns } : {}),
      settings: { provider: settings.provider, ...(settings.model ? { model: settings.model } : {}), ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}) },
      onPlanning: ({ model, candidates: k, files, overview }) => io.stderr(`planning with ${model.provider} ${model.name}: ${plural(k, 'candidate')}; ${overviewLine(files, overview)}\n`),
      onPlanned: (result) => io.stderr(describeCandidates(result)),
    });
    view?.stop();
    if (isPlanningFailure(outcome)) {
      io.stderr(`agensflow plan: ${outcome.status === 'cancelled' ? 'cancelled' : outcome.reason}\n`);
      return outcome.exitCode;
    }
    if (!json) {
      io.stderr(`\n${summaryTable(outcome.record)}`);
      io.stderr(runHint(outcome));
    }
    return outcome.exitCode;
  } catch (e) {
    view?.stop();
    if (isModelConfigError(e)) {
      io.stderr(`agensflow run: ${e.message}\n`);
      return 2;
    }
    if (isRunCancelledError(e)) return 130;
    if (isJournalWriteError(e)) {
      io.stderr(`agensflow run: ${e.message}\n`);
      return 1;
    }
    if (e instanceof Error && (e.name === 'JournalError' || e.name === 'RunConfigError')) {
      io.stderr(`agensflow run: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await closeCliPolicy(policy, io);
  }
}

/** The task ids of `--retry` (repeated, or comma-separated), in order, without repeats. */
function retryFlag(values: CommandArgs['values']): string[] {
  const raw = values.retry;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const ids = list.flatMap((x) => (typeof x === 'string' ? x.split(',') : [])).map((x) => x.trim()).filter(Boolean);
  if (list.length > 0 && ids.length === 0) throw new UsageError('--retry needs a task id, e.g. --retry api');
  return [...new Set(ids)];
}

/** Tasks of `record` that a retry can run again (RETRYABLE_STATUSES). */
function retryable(record: RunRecord): string[] {
  return Object.entries(record.tasks).filter(([, t]) => RETRYABLE_STATUSES.has(t.status)).map(([id]) => id);
}

/** Why `--retry ids` cannot be done on `record` (an unknown task, one that did not fail), or `undefined`. */
function retryProblem(record: RunRecord, ids: readonly string[]): string | undefined {
  const can = retryable(record);
  const choices = can.length ? `tasks that can be retried: ${can.join(', ')}` : 'no task of it failed, was blocked or was cancelled';
  const unknown = ids.filter((id) => !record.tasks[id]);
  if (unknown.length) return `run ${record.runId} has no task ${unknown.map((id) => `"${id}"`).join(', ')} (${choices})`;
  const not = ids.filter((id) => !can.includes(id));
  if (not.length) return `${not.map((id) => `${id} is ${record.tasks[id]!.status}`).join(', ')}: only failed, blocked or cancelled tasks can be retried (${choices})`;
  return undefined;
}

function runHint(o: RunOutcome): string {
  const proposed = Object.entries(o.record.tasks).filter(([, t]) => t.patch?.state === 'proposed' && t.patch.files.length > 0);
  const lines = [`run ${o.runId}: ${o.status} (exit ${o.exitCode})${o.record.reason ? `: ${o.record.reason}` : ''}`];
  if (proposed.length) lines.push(`${proposed.length} patch${proposed.length === 1 ? '' : 'es'} to review: agensflow apply ${o.runId} [TASK...]`);
  if (o.status === 'cancelled') lines.push(`continue with: agensflow run --resume ${o.runId}`);
  const failed = Object.entries(o.record.tasks).filter(([, t]) => t.status === 'failed').map(([id]) => id);
  if (o.status !== 'cancelled' && failed.length) lines.push(`run ${failed.length === 1 ? 'it' : 'them'} again with: agensflow run --resume ${o.runId} ${failed.map((id) => `--retry ${id}`).join(' ')}`);
  return lines.join('\n') + '\n';
}

/** The `run` command as registered in commands.ts. */
export const runCommand = makeRunCommand();
