/** Wires the real verifiers (src/core/verify) into the engine's {@link VerifyHook}. */
import { verifyTask, type VerifyConfigInput } from '../verify';
import type { Finding } from './events';
import type { VerifyHook } from './hooks';

/**
 * A verify hook that materialises the workspace plus the task's staged view (its own and its upstream
 * layers) in a temporary folder and runs the built-in checks and the user's verifiers there.
 */
export function realVerifier(config: VerifyConfigInput | undefined, env?: NodeJS.ProcessEnv): VerifyHook {
  return async (task, view, ctx) => {
    const result = await verifyTask({
      workspaceDir: view.root,
      layers: [view.changes],
      taskFiles: task.files,
      ...(config ? { config } : {}),
      signal: ctx.signal,
      ...(env ? { env } : {}),
    });
    const findings: Finding[] = result.checks.filter((c) => c.outcome !== 'passed').flatMap((c) => (c.findings.length ? c.findings : [{ message: `${c.tool}: ${c.outcome}`, tool: c.tool }]));
    return { outcome: result.outcome, findings };
  };
}
