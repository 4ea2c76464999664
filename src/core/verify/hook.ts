/**
 * The run engine's verification hook (src/core/run/hooks.ts `VerifyHook`) built from this module: the real
 * tools on the workspace plus the task's view of the staged layers, then, when they pass and a model is
 * given, the inspector. A failing or unverified tool result never reaches the inspector.
 */
import type { Model } from '../models/types';
import type { Finding } from '../run/events';
import type { CheckStagedHook, VerifyHook } from '../run/hooks';
import type { Task } from '../plan/schema';
import { rulesFor, type ProjectRulesSource } from '../run/projectRules';
import type { StagedView } from '../run/staging';
import { parseVerifyConfig, type VerifyConfig, type VerifyConfigInput } from './config';
import { inspectTask, type InspectedFile, type InspectResult } from './inspector';
import type { CheckLimiter } from './limiter';
import type { VerifyRuntime } from './runtime';
import { verifyTask } from './verify';
import type { VerifyResult } from './types';

export interface VerifyHookOptions {
  config?: VerifyConfigInput | VerifyConfig;
  /** The inspector's model; without one, tool results alone decide. */
  inspector?: Model;
  /** Sees every task's full results (for logs, the journal, the details pane). */
  onResult?: (taskId: string, tools: VerifyResult, verdict: InspectResult | undefined) => void;
  env?: NodeJS.ProcessEnv;
  /** Caps the checks running at once across every task of the run (see {@link CheckLimiter}). */
  limiter?: CheckLimiter;
  /** What the run's verifications share (limiter, sandbox, cleanup record); see {@link VerifyRuntime}. */
  runtime?: VerifyRuntime;
  /** The project's rule files: the inspector is given those that apply to the task's files. */
  rules?: ProjectRulesSource;
}

/** Findings of the checks that did not pass, in check order. */
export function failingFindings(r: VerifyResult): Finding[] {
  return r.checks.filter((c) => c.outcome !== 'passed').flatMap((c) => c.findings);
}

async function taskFiles(view: StagedView, files: readonly string[]): Promise<InspectedFile[]> {
  const out: InspectedFile[] = [];
  for (const path of files) {
    const content = (await view.readFile(path)) ?? null;
    // The file before the task, so the inspector is shown the change itself (a view without it shows files whole or cut).
    const before = content === null || !view.readBase ? undefined : await view.readBase(path);
    out.push({ path, content, ...(before !== undefined ? { before } : {}) });
  }
  return out;
}

/** The options that choose and run the tools: everything but the inspector, shared by the verify and the check hook. */
export type ToolCheckOptions = Omit<VerifyHookOptions, 'inspector' | 'onResult'>;

/**
 * The tool checks of one task (built-ins and user verifiers) on the workspace plus its view of the staged
 * layers: the one place both the verification and the agent's `run_checks` run them, so they cannot drift.
 */
function toolChecks(options: ToolCheckOptions): (task: Task, view: StagedView, signal: AbortSignal) => Promise<VerifyResult> {
  const { config: raw, ...common } = options;
  const config = parseVerifyConfig(raw ?? {});
  return (task, view, signal) => verifyTask({ ...common, workspaceDir: view.root, layers: [view.changes], taskFiles: task.files, config, signal });
}

/** Builds the engine's `VerifyHook`. */
export function createVerifyHook(options: VerifyHookOptions = {}): VerifyHook {
  const { inspector: _inspector, onResult: _onResult, ...toolOptions } = options;
  const tools = toolChecks(toolOptions);
  return async (task, view, ctx) => {
    const result = await tools(task, view, ctx.signal);
    if (result.outcome !== 'passed' || !options.inspector || ctx.signal.aborted) {
      options.onResult?.(task.id, result, undefined);
      return { outcome: result.outcome, findings: failingFindings(result) };
    }
    const rules = options.rules ? rulesFor(await options.rules.load(view.root), task.files) : [];
    const verdict = await inspectTask({ model: options.inspector, task, tools: result, files: await taskFiles(view, task.files), rules, signal: ctx.signal });
    options.onResult?.(task.id, result, verdict);
    if (verdict.pass) return { outcome: 'passed', findings: [] };
    return { outcome: 'failed', findings: verdict.reasons.map((message) => ({ message, tool: 'inspector' })) };
  };
}

/**
 * Builds the engine's `CheckStagedHook` (the agent's `run_checks`): the same tool checks as
 * {@link createVerifyHook} with the same options, never the inspector.
 */
export function createCheckHook(options: ToolCheckOptions = {}): CheckStagedHook {
  const tools = toolChecks(options);
  return async (task, view, ctx) => {
    const result = await tools(task, view, ctx.signal);
    return { outcome: result.outcome, findings: failingFindings(result), checks: result.checks.map((c) => c.id) };
  };
}
