/**
 * The run engine's verification hook (src/core/run/hooks.ts `VerifyHook`) built from this module: the real
 * tools on the workspace plus the task's view of the staged layers, then, when they pass and a model is
 * given, the inspector. A failing or unverified tool result never reaches the inspector.
 */
import type { Model } from '../models/types';
import type { Finding } from '../run/events';
import type { VerifyHook } from '../run/hooks';
import type { StagedView } from '../run/staging';
import { parseVerifyConfig, type VerifyConfig, type VerifyConfigInput } from './config';
import { inspectTask, type InspectedFile, type InspectResult } from './inspector';
import type { CheckLimiter } from './limiter';
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
}

/** Findings of the checks that did not pass, in check order. */
export function failingFindings(r: VerifyResult): Finding[] {
  return r.checks.filter((c) => c.outcome !== 'passed').flatMap((c) => c.findings);
}

async function taskFiles(view: StagedView, files: readonly string[]): Promise<InspectedFile[]> {
  const out: InspectedFile[] = [];
  for (const path of files) out.push({ path, content: (await view.readFile(path)) ?? null });
  return out;
}

/** Builds the engine's `VerifyHook`. */
export function createVerifyHook(options: VerifyHookOptions = {}): VerifyHook {
  const config = parseVerifyConfig(options.config ?? {});
  return async (task, view, ctx) => {
    const tools = await verifyTask({
      workspaceDir: view.root,
      layers: [view.changes],
      taskFiles: task.files,
      config,
      signal: ctx.signal,
      ...(options.env ? { env: options.env } : {}),
      ...(options.limiter ? { limiter: options.limiter } : {}),
    });
    if (tools.outcome !== 'passed' || !options.inspector || ctx.signal.aborted) {
      options.onResult?.(task.id, tools, undefined);
      return { outcome: tools.outcome, findings: failingFindings(tools) };
    }
    const verdict = await inspectTask({ model: options.inspector, task, tools, files: await taskFiles(view, task.files), signal: ctx.signal });
    options.onResult?.(task.id, tools, verdict);
    if (verdict.pass) return { outcome: 'passed', findings: [] };
    return { outcome: 'failed', findings: verdict.reasons.map((message) => ({ message, tool: 'inspector' })) };
  };
}
