/**
 * The one composition of a run's engine options, shared by the CLI (`agensflow run`) and the VS Code
 * extension, so both front ends meter, price, budget and verify a run the same way. Front ends build the
 * models (keys come from a flag, the environment or SecretStorage) and pass them in; everything else is
 * derived from the run configuration here.
 */
import { AGENT_OVERVIEW_SHARE, MIN_OVERVIEW_TOKENS } from '../context/overview';
import type { Budget, Model, PriceTable } from '../models';
import { proposeUpdate } from '../replan';
import { ProjectRulesSource, type DecisionHooks, type EngineOptions, type RunCheckHook, type RunEvent, type VerifyHook } from '../run';
import { RunConfigError } from '../run/errors';
import type { RunPolicy } from './runPolicy';
import type { RecoveryLimits } from '../run/recovery';
import { createCheckHook, createVerifyHook, failingFindings, parseVerifyConfig, runTestCommand, VerifyRuntime, type ToolCheckOptions, type VerifyConfig } from '../verify';
import { RunLedger } from './ledger';

/** The parts of a run's configuration (the CLI's `--config` file, the extension's settings) the engine uses. */
export interface EngineConfig {
  /** User verifiers (validated by src/core/verify). */
  verifiers?: unknown[];
  /** The whole-run test command. */
  testCommand?: unknown;
  verifyTimeoutMs?: number;
  budget?: Budget;
  /** Prices per model name, added to the built-in table. */
  prices?: PriceTable;
  /** The inspector (`submit_verdict`) after the tools pass; on unless `false`. */
  inspector?: boolean;
  /** Retries per task and update budgets (defaults 1, 2 per task, 6 per run). */
  recovery?: Partial<RecoveryLimits>;
  /** Calls of the agents' `run_checks` per attempt (default 3; 0 turns it off). */
  agentChecksPerAttempt?: number;
  /** Tokens of the planner's repository overview; each agent's is a quarter of it. */
  overviewTokens?: number;
  /** How far each planner candidate may look at the workspace (read-only tools) before it must submit its plan. */
  planner?: { exploreTurns?: number; exploreTokens?: number };
  /** What the models are given besides the task. */
  context?: {
    /** The project's rule files (AGENTS.md, CLAUDE.md, .cursor/rules, ...) given to the planner and the agents; on unless `false`. */
    projectRules?: boolean;
  };
}

/** An agent's overview budget for a planner's overview budget of `planner` tokens. */
export function agentOverviewTokens(planner: number): number {
  return Math.max(MIN_OVERVIEW_TOKENS, Math.round(planner * AGENT_OVERVIEW_SHARE));
}

/** What {@link buildEngineOptions} needs besides the configuration. */
export interface EngineWiring {
  /** The agents' model (already built with its key); the learned policy, when there is one, chooses per attempt. */
  model: Model;
  /** Journal (and policy) folder. */
  stateDir: string;
  /** Absolute paths agents never write besides the protected ones (the `--config` file); the state folder always is. */
  reserved?: readonly string[];
  signal: AbortSignal;
  onEvent: (event: RunEvent) => void;
  /** The environment verifiers inherit (secrets are filtered by src/core/verify). */
  env?: NodeJS.ProcessEnv;
  /** The inspector's model (models.inspector, else the agents'); none: the tools alone decide. */
  inspector?: Model;
  /** The updater's model (models.updater); none: a task that still fails after its retry fails. */
  updater?: Model;
  /** Candidate updates per failure (K, as for plans; default 3). */
  candidates?: number;
  /** The plan's task cap, which an update must respect too. */
  maxTasks?: number;
  /** The learned policy of this run: the engine's decision points (models, certified skips, recoveries) and their outcomes. */
  policy?: RunPolicy;
  /** The run's usage ledger when the session already metered calls (the planner's); else a new one. */
  ledger?: RunLedger;
  /** What the run's verifications share (tests choose the sandbox support); default one recording in `stateDir`. */
  verifyRuntime?: VerifyRuntime;
}

/** The test command as the engine's whole-run check (workspace plus every staged file, in a temporary copy). */
function testCommandCheck(config: VerifyConfig, env: NodeJS.ProcessEnv, runtime: VerifyRuntime): RunCheckHook | undefined {
  if (!config.testCommand) return undefined;
  return async (view) => {
    const r = await runTestCommand({ workspaceDir: view.root, layers: [view.changes], config, signal: view.signal, env, runtime });
    if (!r) return undefined;
    const findings = failingFindings(r);
    // A failing test run without parsed findings still says why: the tail of its output.
    if (r.outcome !== 'passed' && findings.length === 0) findings.push(...r.checks.filter((c) => c.outcome !== 'passed').map((c) => ({ message: c.output.trim().split('\n').slice(-5).join(' | ') || `${c.tool}: ${c.outcome}`, tool: c.tool })));
    // The failing output (its capped tail) goes along: the paths it names say which tasks the failure is put down to.
    const output = r.checks.filter((c) => c.outcome === 'failed').map((c) => c.output).join('\n');
    return { outcome: r.outcome, findings, ...(output ? { output } : {}) };
  };
}

/** The run's ledger for `config`'s prices and budget. */
export function ledgerOf(config: Pick<EngineConfig, 'prices' | 'budget'>): RunLedger {
  return new RunLedger({ ...(config.prices ? { prices: config.prices } : {}), ...(config.budget ? { budget: config.budget } : {}) });
}

/** The verification settings of `config`, parsed (a RunConfigError names every problem). */
function verifyConfigOf(config: EngineConfig): VerifyConfig {
  try {
    return parseVerifyConfig({
      ...(config.verifiers ? { verifiers: config.verifiers } : {}),
      ...(config.testCommand !== undefined ? { testCommand: config.testCommand } : {}),
      ...(config.verifyTimeoutMs ? { timeoutMs: config.verifyTimeoutMs } : {}),
    });
  } catch (e) {
    const issues = (e as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
    throw new RunConfigError(`the verification settings are invalid: ${issues ? issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ') : (e as Error).message}`);
  }
}

/**
 * The engine options of a run: every model call (agents, inspector, updater) metered by the run's ledger and
 * booked once under its role and task, the real verifier, the price table and budget.
 */
export function buildEngineOptions(config: EngineConfig, wiring: EngineWiring): EngineOptions {
  const ledger = wiring.ledger ?? ledgerOf(config);
  const verifyConfig = verifyConfigOf(config);
  const env = wiring.env ?? { ...process.env };
  const inspector = config.inspector !== false ? wiring.inspector : undefined;
  // What the run's verifications share: one cap on their processes (every task's checks, the agents'
  // run_checks and the test command), the sandbox found by the probe, and the record of views and processes
  // for the cleanup after a crash.
  const runtime = wiring.verifyRuntime ?? new VerifyRuntime({ stateDir: wiring.stateDir });
  // What runs killed before left behind goes first (never a live run's own); then the mode is known.
  const ready = runtime.sweep().catch(() => undefined).then(() => runtime.mode());
  // Read once per run, shared by the planner, the agents, the inspector and the updater.
  const rules = new ProjectRulesSource(config.context?.projectRules !== false);
  // How the tools are chosen and run: one object for the verification and the agents' run_checks alike.
  const tools: ToolCheckOptions = { config: verifyConfig, env, runtime };
  // One check, built per call so the inspector's calls are booked under the task they inspect; a certified
  // skip (the policy's) drops only the inspector, the tools always run.
  const verify: VerifyHook = (task, view, ctx) =>
    createVerifyHook({ ...tools, rules, ...(inspector && ctx.inspector !== false ? { inspector: ledger.model(inspector, { role: 'inspector', taskId: task.id }) } : {}) })(task, view, ctx);
  const runCheck = testCommandCheck(verifyConfig, env, runtime);
  const updater = wiring.updater;
  const policy = wiring.policy;
  const options: EngineOptions = {
    model: wiring.model,
    stateDir: wiring.stateDir,
    ...(config.overviewTokens !== undefined ? { overviewTokens: agentOverviewTokens(config.overviewTokens) } : {}),
    ...(wiring.reserved?.length ? { reserved: wiring.reserved } : {}),
    signal: wiring.signal,
    onEvent: wiring.onEvent,
    verify,
    // The agents' run_checks: the same tool checks as verification, without the inspector.
    checkStaged: createCheckHook(tools),
    ...(config.agentChecksPerAttempt !== undefined ? { agentChecksPerAttempt: config.agentChecksPerAttempt } : {}),
    // The check point exists only where there is an inspector to skip.
    ...(policy ? { decide: inspector ? policy.decide : withoutCheck(policy.decide), outcome: policy.outcome } : {}),
    ...(updater
      ? {
          updater: (req) =>
            proposeUpdate(
              {
                model: ledger.model(updater, { role: 'updater', taskId: req.taskId }),
                rules,
                ...(wiring.candidates !== undefined ? { candidates: wiring.candidates } : {}),
                ...(wiring.maxTasks !== undefined ? { maxTasks: wiring.maxTasks } : {}),
              },
              req,
            ),
        }
      : {}),
    ...(runCheck ? { runCheck } : {}),
    ...(config.recovery ? { recovery: config.recovery } : {}),
    price: (name, usage) => ledger.price(name, usage),
    meter: (model, labels) => ledger.model(model, labels),
    projectRules: rules,
    budgetSpent: () => ledger.spent(),
    connect: (run) => {
      ledger.bookTo(run.usage);
      // The run says which verification mode it uses, once the probe (run once per process) has answered:
      // before the engine goes on (it awaits `ready` after connecting).
      void ready.then((mode) => run.verification(mode), () => undefined);
    },
    ready,
    // The run's reusable verification copies (where the view is a copy) go with it.
    release: () => runtime.clear(),
  };
  return options;
}

/** The decision points without the check point. */
function withoutCheck(hooks: DecisionHooks): DecisionHooks {
  const { check: _check, ...rest } = hooks;
  return rest;
}

/** The models of a run's roles, built by a front end with its keys (the CLI's flags, VS Code's settings and SecretStorage). */
export interface RunModels {
  /** The agents' model when no learned policy binds one per attempt. */
  agent: Model;
  /** The inspector's model (its own setting, else the agents'). */
  inspector?: Model;
  /** The updater's model (its own setting, else the agents'). */
  updater?: Model;
}

/** What {@link composeRun} needs besides the configuration. */
export interface SessionWiring extends Omit<EngineWiring, 'model' | 'inspector' | 'updater'> {
  models: RunModels;
}

/**
 * The one composition of a run that both front ends call, so their runs cannot drift apart: the agents (bound
 * per attempt by the learned policy when there is one), the inspector, the updater with K candidates, the
 * recovery budgets, the verifiers and the test command, metered and priced alike.
 */
export function composeRun(config: EngineConfig, wiring: SessionWiring): EngineOptions {
  const { models, policy, ...rest } = wiring;
  return buildEngineOptions(config, {
    ...rest,
    model: models.agent,
    ...(models.inspector ? { inspector: models.inspector } : {}),
    ...(models.updater ? { updater: models.updater } : {}),
    ...(policy ? { policy } : {}),
  });
}
