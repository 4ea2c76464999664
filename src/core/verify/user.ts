/**
 * User-configured verifiers: `{glob, command, cwd?, timeoutMs?}` from settings or `--config`. The program
 * is resolved before the run from the user's workspace as it was (`node_modules/.bin`, or a path relative
 * to the workspace root) or PATH; it then runs inside the materialised copy.
 */
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { PlannedCheck } from './builtins';
import { runProcessCheck } from './check-runner';
import { parseFileLines, type PathContext } from './parsers';
import type { UserVerifier } from './config';
import { pathArg, whichInWorkspace } from './tools';

/** The argument replaced by the matching files. */
export const FILES_PLACEHOLDER = '{files}';

/** Resolves a configured program to an absolute path, or `undefined` when it does not exist. */
export function resolveProgram(program: string, workspaceDir: string, cwdRel: string, env: NodeJS.ProcessEnv): string | undefined {
  if (path.isAbsolute(program)) return program;
  if (/[\\/]/.test(program)) return path.resolve(workspaceDir, program);
  return whichInWorkspace(program, workspaceDir, path.join(workspaceDir, cwdRel), env);
}

/** Plans one check per user verifier whose glob matches at least one of `files`. */
export function planUserChecks(verifiers: readonly UserVerifier[], files: readonly string[], root: string, workspaceDir: string): PlannedCheck[] {
  const checks: PlannedCheck[] = [];
  verifiers.forEach((v, i) => {
    const isMatch = picomatch(v.glob, { dot: true });
    const matched = files.filter((f) => isMatch(f)).sort();
    if (matched.length === 0) return;
    const cwdRel = path.posix.normalize((v.cwd ?? '.').replace(/\\/g, '/'));
    const cwd = path.join(root, ...cwdRel.split('/'));
    const [program, ...rest] = v.command as [string, ...string[]];
    const args = rest.flatMap((a) =>
      a === FILES_PLACEHOLDER ? matched.map((f) => pathArg(path.relative(cwd, path.join(root, ...f.split('/'))).split(path.sep).join('/'))) : [a],
    );
    const id = `user:${v.id ?? `${i}:${path.basename(program)}`}`;
    const tool = path.basename(program);
    checks.push({
      id,
      tool,
      files: matched,
      ...(v.wholeProject ? { wholeProject: true as const } : {}),
      run: (ce) =>
        runProcessCheck(
          {
            id,
            tool,
            files: matched,
            file: resolveProgram(program, workspaceDir, cwdRel, ce.env),
            args,
            cwd,
            installHint: `install ${program} or fix the verifier's command in your settings`,
            ...(v.timeoutMs !== undefined ? { timeoutMs: v.timeoutMs } : {}),
            ...(v.wholeProject ? { parse: (o: string, ctx: PathContext) => parseFileLines(o, ctx, tool), keepAll: true } : {}),
          },
          ce,
        ),
    });
  });
  return checks;
}
