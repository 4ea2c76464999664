/**
 * `agensflow plan "TASK" --out PLAN.json [--dir DIR]`: draws K candidate plans, prints each one's metrics
 * and the choice to stderr, and writes the chosen plan atomically. Exit 1 when every candidate is invalid
 * (with every reason); 2 for bad usage or configuration (including a rejected key or an unknown model);
 * 130 when cancelled.
 */
import { buildOverview } from '../core/context/overview';
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileVerified } from '../core/fs/atomicWrite';
import { isBudgetExceededError, isModelAbortedError, isModelConfigError, isProviderError, meteredModel, modelErrorExitCode, UsageMeter, type Model } from '../core/models';
import { formatUsageCost } from '../protocol/cost';
import type { Plan } from '../core/plan';
import { DEFAULT_CANDIDATES, isNoValidPlanError, listWorkspaceFiles, type PlannerResult } from '../core/planner';
import { exploreOf, planGoal } from '../core/session';
import type { RunEvent } from '../core/run/events';
import { ProjectRulesSource, rulesDecision } from '../core/run/projectRules';
import { decisionSummary } from '../protocol/decisionWords';
import { boolFlag, expectPositionals, intFlag, MAX_TASKS_FLAG, OVERVIEW_TOKENS_FLAG, OVERVIEW_TOKENS_HELP, stringFlag, UsageError, type CommandArgs } from './args';
import { plural } from '../core/words';
import type { CliCommand } from './command';
import type { CliIo } from './io';
import { buildModel, loadConfig, MODEL_FLAGS, MODEL_FLAGS_HELP, modelSettings, overviewTokensOf } from './modelOptions';

const fmt = (x: number): string => String(Number(x.toFixed(3)));

/** One line per candidate and the choice, for people (stderr). */
export function describeCandidates(result: PlannerResult): string {
  const lines = result.candidates.map((c) =>
    c.ok && c.metrics
      ? `  candidate ${c.number}: ${plural(c.metrics.tasks, 'task')}, ${plural(c.metrics.edges, 'dependency', 'dependencies')}, depth ${c.metrics.depth}, P_avg ${fmt(c.metrics.parallelism)}, C_dep ${fmt(c.metrics.dependencyComplexity)}${c.repaired ? ' (repaired once)' : ''}`
      : `  candidate ${c.number}: dropped: ${(c.errors ?? []).join('; ')}`,
  );
  return `plan candidates:\n${lines.join('\n')}\n${result.reason}\n`;
}

/** "repository overview: 3,412 tokens of 4,000 from 166 files" (printed once per planning). */
export function overviewLine(files: number, overview: { tokens: number; budget: number }): string {
  return `repository overview: ${overview.tokens} tokens (budget ${overview.budget}) from ${plural(files, 'file')}`;
}

/** A usage error (exit 2) unless `--dir` names a folder. */
export async function checkDir(dir: string): Promise<void> {
  const s = await stat(dir).catch(() => undefined);
  if (!s?.isDirectory()) throw new UsageError(`--dir ${dir} is not a folder`);
}

/**
 * Plans `task` in `dir` with `model` (the session's planning step), printing candidates to stderr (and events
 * to `onEvent`). Returns the plan or an exit code, after printing why.
 */
async function planInDir(
  task: string,
  dir: string,
  model: Model,
  opts: { candidates?: number; maxTasks?: number; overviewTokens?: number; signal?: AbortSignal; runId: string; onEvent?: (e: RunEvent) => void; quiet: boolean; rules: ProjectRulesSource; explore: { turns?: number; maxTokens?: number } },
  io: CliIo,
): Promise<{ plan: Plan; result: PlannerResult } | number> {
  const listing = await listWorkspaceFiles(dir);
  const overview = await buildOverview(dir, opts.overviewTokens !== undefined ? { budget: opts.overviewTokens } : {});
  const rules = rulesDecision(await opts.rules.load(dir));
  opts.onEvent?.({ ...rules, runId: opts.runId, ts: Date.now() });
  if (!opts.quiet) io.stderr(`planning with ${model.provider} ${model.name}: ${plural(opts.candidates ?? DEFAULT_CANDIDATES, 'candidate')}; ${overviewLine(overview.files, overview)}\n${decisionSummary(rules)}.\n`);
  try {
    const planned = await planGoal({
      goal: task,
      dir,
      model,
      listing,
      overview,
      rules: opts.rules,
      explore: opts.explore,
      runId: opts.runId,
      ...(opts.candidates !== undefined ? { candidates: opts.candidates } : {}),
      ...(opts.maxTasks !== undefined ? { maxTasks: opts.maxTasks } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
    io.stderr(describeCandidates(planned.result));
    return planned;
  } catch (e) {
    if (isNoValidPlanError(e)) {
      io.stderr(`agensflow plan: ${e.message}\n`);
      return 1;
    }
    if (isModelAbortedError(e)) {
      io.stderr('agensflow plan: cancelled\n');
      return 130;
    }
    if (isProviderError(e) || isModelConfigError(e) || isBudgetExceededError(e)) {
      io.stderr(`agensflow plan: ${e.message}\n`);
      return modelErrorExitCode(e);
    }
    throw e;
  }
}

async function executePlan(args: CommandArgs, io: CliIo): Promise<number> {
  const v = args.values;
  const [task] = expectPositionals(args, ['"TASK"']);
  if (!task || task.trim() === '') throw new UsageError('the task is empty');
  const outFlag = stringFlag(v, 'out');
  if (!outFlag) throw new UsageError('missing --out PLAN.json');
  const json = boolFlag(v, 'json');
  const candidates = intFlag(v, 'candidates');
  const maxTasks = intFlag(v, 'max-tasks');
  const dir = resolve(io.cwd, stringFlag(v, 'dir') ?? '.');
  await checkDir(dir);
  const config = await loadConfig(stringFlag(v, 'config'), io);
  const overviewTokens = overviewTokensOf(v, config);
  const runId = `plan-${randomUUID()}`;
  const emit = (e: RunEvent): void => {
    if (json) io.stdout(`${JSON.stringify(e)}\n`);
  };
  const finish = (exitCode: number, reason?: string): number => {
    emit({ type: 'run.finished', runId, ts: Date.now(), exitCode, status: exitCode === 0 ? 'completed' : exitCode === 130 ? 'cancelled' : 'failed', ...(reason ? { reason } : {}) });
    return exitCode;
  };

  let model: Model;
  try {
    model = buildModel(modelSettings(v, config, 'planner'), v, io, 'planner');
  } catch (e) {
    if (isModelConfigError(e)) {
      io.stderr(`agensflow plan: ${e.message}\n`);
      return finish(2, e.message);
    }
    throw e;
  }
  const meter = new UsageMeter({
    ...(config.prices ? { prices: config.prices } : {}),
    ...(config.budget ? { budget: config.budget } : {}),
    onRecord: (r) => emit({ type: 'usage', runId, ts: Date.now(), role: r.role, model: r.model, inputTokens: r.inputTokens, outputTokens: r.outputTokens, ...(r.cost !== undefined ? { cost: r.cost } : {}), ...(r.included ? { included: true } : {}) }),
  });
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.on('SIGINT', onSigint);
  try {
    const out = await planInDir(task, dir, meteredModel(model, meter, { role: 'planner' }), { ...(candidates ? { candidates } : {}), ...(maxTasks ? { maxTasks } : {}), ...(overviewTokens !== undefined ? { overviewTokens } : {}), signal: ac.signal, runId, onEvent: emit, quiet: json, rules: new ProjectRulesSource(config.context?.projectRules !== false), explore: exploreOf(config) }, io);
    if (typeof out === 'number') return finish(out);
    emit({ type: 'plan.ready', runId, ts: Date.now(), plan: out.plan });
    const outPath = resolve(io.cwd, outFlag);
    await writeFileVerified(outPath, `${JSON.stringify(out.plan, null, 2)}\n`);
    const totals = meter.totals();
    io.stderr(`wrote ${outFlag} (${out.plan.tasks.length} tasks); planner tokens: ${totals.inputTokens} in, ${totals.outputTokens} out${totals.calls > 0 ? `, ${totals.unpricedCalls === 0 && totals.includedCalls === 0 ? `$${totals.cost.toFixed(4)}` : formatUsageCost(totals)}` : ''}\n`);
    return finish(0);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export const planCommand: CliCommand = {
  summary: 'Plan a task as an AOV graph (K candidates, the best kept) and write the plan',
  usage: [
    'Usage: agensflow plan "TASK" --out PLAN.json [--dir DIR] [options]',
    '',
    'Draws K candidate plans (submit_workflow), drops invalid ones with their reasons, keeps the most parallel',
    '(P_avg, then fewer dependencies, then lower C_dep) and writes it atomically. Metrics and the choice go to stderr.',
    'Exit 0 written, 1 every candidate invalid, 2 bad usage or configuration (rejected key, unknown model), 130 cancelled.',
    '',
    'Options:',
    '  --out FILE         where to write the plan (required)',
    '  --dir DIR          the workspace the planner is shown an overview of (default: the current folder)',
    ...MODEL_FLAGS_HELP,
    '  --candidates K     candidate plans to draw at once (default 3)',
    '  --max-tasks N      the largest plan allowed (default 64)',
    OVERVIEW_TOKENS_HELP,
    '  --json             events on stdout, one per line (decision, usage, plan.ready, run.finished)',
  ].join('\n'),
  flags: { ...MODEL_FLAGS, ...MAX_TASKS_FLAG, ...OVERVIEW_TOKENS_FLAG, out: { type: 'string' }, dir: { type: 'string' }, candidates: { type: 'string' }, json: { type: 'boolean' } },
  run: executePlan,
};
