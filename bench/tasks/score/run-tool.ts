/** Runs a scorer's tool (python3, latexmk) with a tree-killing timeout, through the verifier's runner. */
import { runProcess, type ProcessOutcome } from '../../../src/core/verify/process';
import { verifierEnv, whichOnPath } from '../../../src/core/verify/tools';

export interface ToolRun extends ProcessOutcome {
  /** True when the program was found and exited 0 by itself. */
  readonly ok: boolean;
}

/** Resolves `name` on PATH; undefined when absent. */
export function findTool(name: string): string | undefined {
  return whichOnPath(name, process.env);
}

/** Runs `file args` in `cwd` without a shell; never rejects. */
export async function runTool(file: string, args: readonly string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ToolRun> {
  const outcome = await runProcess({ file, args, cwd, env: { ...verifierEnv(process.env), ...extraEnv }, timeoutMs, outputCapBytes: 256 * 1024 });
  return { ...outcome, ok: outcome.exitCode === 0 && !outcome.timedOut };
}

/** The last line of a tool's output worth quoting in a one-line reason. */
export function lastLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.at(-1) ?? '').slice(0, 200);
}
