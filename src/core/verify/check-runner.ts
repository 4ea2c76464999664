/**
 * Runs one process check and folds its outcome into a `CheckResult`: missing tools become `unverified`,
 * timeouts and signals `failed`, output scrubbed of the temp path.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../run/events';
import { runProcess } from './process';
import { scrubRoot, type PathContext } from './parsers';
import { missingToolMessage } from './tools';
import type { CheckResult } from './types';

/** What every check of one verification shares. */
export interface CheckEnv {
  /** The materialised copy (absolute realpath). */
  root: string;
  /** The user's workspace (absolute realpath), where tools are resolved from; never run in. */
  workspaceDir: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  outputCapBytes: number;
  signal?: AbortSignal;
}

export interface ProcessCheckSpec {
  id: string;
  tool: string;
  files: string[];
  /** Absolute program path, or `undefined` when the tool was not found (the check is then unverified). */
  file: string | undefined;
  args: string[];
  cwd: string;
  extraEnv?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Install advice when the tool is missing. */
  installHint?: string;
  /** Findings from the output of a failed run. */
  parse?: (output: string, ctx: PathContext) => Finding[];
}

/** A result for a check that could not run. */
export function unverifiedCheck(spec: Pick<ProcessCheckSpec, 'id' | 'tool' | 'files'>, message: string): CheckResult {
  return { id: spec.id, tool: spec.tool, files: spec.files, outcome: 'unverified', durationMs: 0, findings: [{ message, tool: spec.tool }], output: '' };
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split(/\r?\n/).slice(-n).join('\n');
}

/** Why `cwd` cannot be a process's working folder, or `undefined` when it can. */
async function cwdProblem(cwd: string, root: string): Promise<string | undefined> {
  const shown = path.relative(root, cwd).split(path.sep).join('/') || '.';
  try {
    if ((await fs.stat(cwd)).isDirectory()) return undefined;
    return `its working folder "${shown}" is not a folder`;
  } catch {
    return `its working folder "${shown}" does not exist in the workspace`;
  }
}

export async function runProcessCheck(spec: ProcessCheckSpec, ce: CheckEnv): Promise<CheckResult> {
  if (spec.file === undefined) return unverifiedCheck(spec, missingToolMessage(spec.tool, spec.installHint));
  // A missing cwd fails spawn with ENOENT too, which would read as a missing tool: say which it is.
  const badCwd = await cwdProblem(spec.cwd, ce.root);
  if (badCwd !== undefined) return unverifiedCheck(spec, `${spec.tool} could not run: ${badCwd}; fix the cwd in your settings`);
  const timeoutMs = spec.timeoutMs ?? ce.timeoutMs;
  const r = await runProcess({
    file: spec.file,
    args: spec.args,
    cwd: spec.cwd,
    env: { ...ce.env, ...spec.extraEnv },
    timeoutMs,
    outputCapBytes: ce.outputCapBytes,
    ...(ce.signal ? { signal: ce.signal } : {}),
  });
  const output = scrubRoot(r.output, ce.root);
  const base: CheckResult = { id: spec.id, tool: spec.tool, files: spec.files, outcome: 'failed', durationMs: r.durationMs, findings: [], output };
  if (r.exitCode !== undefined) base.exitCode = r.exitCode;
  if (r.signal !== undefined) base.signal = r.signal;
  const tool = spec.tool;

  if (r.spawnError) {
    const code = r.spawnError.code;
    const why =
      code === 'ENOENT'
        ? missingToolMessage(tool, spec.installHint)
        : code === 'EACCES'
          ? `${tool} is not executable (${spec.file}): check its permissions`
          : `${tool} could not start: ${code ?? r.spawnError.message}`;
    return { ...base, outcome: 'unverified', findings: [{ message: why, tool }] };
  }
  if (r.aborted) return { ...base, outcome: 'unverified', findings: [{ message: `${tool}: verification cancelled`, tool }] };
  if (r.timedOut) {
    base.timedOut = true;
    const secs = Math.round(timeoutMs / 100) / 10;
    return { ...base, findings: [{ message: `${tool}: verification timed out after ${secs} s (process tree killed)`, tool }] };
  }
  if (r.exitCode === 0) return { ...base, outcome: 'passed' };
  const ctx: PathContext = { root: ce.root, cwd: spec.cwd };
  const parsed = spec.parse ? spec.parse(r.output, ctx) : [];
  const exitText = r.exitCode !== undefined ? `exit ${r.exitCode}` : `killed by ${r.signal ?? 'a signal'}`;
  const findings =
    parsed.length > 0
      ? parsed.map((f) => ({ ...f, message: scrubRoot(f.message, ce.root) }))
      : [{ message: `${tool} failed (${exitText}): ${lastLines(output, 5)}`, tool }];
  return { ...base, findings };
}
