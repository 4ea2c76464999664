/**
 * Runs one process check and folds its outcome into a `CheckResult`: missing tools become `unverified`,
 * timeouts and signals `failed`, output scrubbed of the temp path.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Finding } from '../run/events';
import { runProcess } from './process';
import { MAX_FINDINGS, scrubRoot, type PathContext } from './parsers';
import type { LeaseStore } from './leftovers';
import type { TscBuildCache } from './tscCache';
import { missingToolMessage } from './tools';
import type { VerifyView } from './view';
import type { CheckResult } from './types';

/** What every check of one verification shares. */
export interface CheckEnv {
  /** Where commands see the view (absolute realpath: the workspace's own path in overlay mode, else the copy's). */
  root: string;
  /** The view: where this process reads its files, and how a command is started in its sandbox. */
  view: Pick<VerifyView, 'hostPath' | 'isDir' | 'launch' | 'mode'>;
  /** The run's `tsc` build information, for an incremental `tsc` where the sandbox keeps it ours (absent: full `tsc`). */
  tscCache?: TscBuildCache;
  /** Records processes before they start (cleanup after a crash); absent: not recorded. */
  leases?: LeaseStore;
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
  /**
   * Keep every parsed finding (not only the first {@link MAX_FINDINGS}) in the result's `compared`, for a
   * whole-project checker whose findings are compared with the unchanged workspace's.
   */
  keepAll?: boolean;
  /** Folders outside the view this check's command may write (see `SandboxedCommand.writable`). */
  writable?: readonly string[];
}

/** A result for a check that could not run. */
export function unverifiedCheck(spec: Pick<ProcessCheckSpec, 'id' | 'tool' | 'files'>, message: string): CheckResult {
  return { id: spec.id, tool: spec.tool, files: spec.files, outcome: 'unverified', durationMs: 0, findings: [{ message, tool: spec.tool }], output: '' };
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split(/\r?\n/).slice(-n).join('\n');
}

/** A line that names an error itself ("TypeError: …", "FAIL …", a traceback), the best to quote. */
const ERROR_LINE = /\b\w*(Error|Exception)\b:|^\s*(FAIL|FAILED|ERROR)\b|Traceback|panicked|✗|✘|×/;
/** A line that mentions an error in passing ("caught 1 unhandled error"): quoted only when nothing better is found. */
const MENTIONS_ERROR = /\b(error|failed|failure)\b/i;
/** A runner's count ("Errors 1 error", "1 failed in 0.2s"): says that, not what. */
const COUNT_LINE = /\b\d+ (errors?|failed|failures?)\b/i;

/**
 * What a failed run's finding quotes when nothing parses: its last five non-empty lines, led by the first line
 * above them that names an error when none of them does (a runner's closing summary hides it).
 */
export function failureExcerpt(output: string): string {
  const lines = output.split(/\r?\n/).filter((l) => l.trim() !== '');
  const tail = lines.slice(-5);
  if (tail.some((l) => ERROR_LINE.test(l) || (MENTIONS_ERROR.test(l) && !COUNT_LINE.test(l)))) return tail.join('\n');
  const above = lines.slice(0, -5);
  const first = above.find((l) => ERROR_LINE.test(l)) ?? above.find((l) => MENTIONS_ERROR.test(l) && !COUNT_LINE.test(l));
  return first === undefined ? tail.join('\n') : [first.trim(), '…', ...tail].join('\n');
}

/** Why `cwd` cannot be a process's working folder, or `undefined` when it can. */
async function cwdProblem(cwd: string, ce: CheckEnv): Promise<string | undefined> {
  const shown = path.relative(ce.root, cwd).split(path.sep).join('/') || '.';
  if (await ce.view.isDir(shown)) return undefined;
  const host = shown === '.' ? ce.root : ce.view.hostPath(shown);
  const exists = host !== undefined && (await fs.lstat(host).then(() => true, () => false));
  return exists ? `its working folder "${shown}" is not a folder` : `its working folder "${shown}" does not exist in the workspace`;
}

/** `ENOENT` or `EACCES` when `file` cannot be run (missing, or not executable), else `undefined`. */
async function programProblem(file: string): Promise<'ENOENT' | 'EACCES' | undefined> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return 'EACCES';
    if (process.platform !== 'win32') await fs.access(file, fsConstants.X_OK);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'ENOENT' : 'EACCES';
  }
}

/** The name of signal `n` (`SIGKILL` for 9), or `undefined` when `n` is none. */
function signalName(n: number): string | undefined {
  return Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0];
}

/**
 * What a sandboxed tool prints when the sandbox stopped it: a write outside the view (read-only file
 * system), a connection (no network), a name lookup (no resolver).
 */
const SANDBOX_STOP = /Read-only file system|EROFS|Network is unreachable|ENETUNREACH|EAI_AGAIN|Temporary failure in name resolution|getaddrinfo/;

export async function runProcessCheck(spec: ProcessCheckSpec, ce: CheckEnv): Promise<CheckResult> {
  if (spec.file === undefined) return unverifiedCheck(spec, missingToolMessage(spec.tool, spec.installHint));
  // A missing cwd fails spawn with ENOENT too, which would read as a missing tool: say which it is.
  const badCwd = await cwdProblem(spec.cwd, ce);
  if (badCwd !== undefined) return unverifiedCheck(spec, `${spec.tool} could not run: ${badCwd}; fix the cwd in your settings`);
  // Inside a sandbox a missing or non-executable program is only an exit code of its shell: say which here.
  const unusable = await programProblem(spec.file);
  if (unusable === 'ENOENT') return unverifiedCheck(spec, missingToolMessage(spec.tool, spec.installHint));
  if (unusable === 'EACCES') return unverifiedCheck(spec, `${spec.tool} is not executable (${spec.file}): check its permissions`);
  const timeoutMs = spec.timeoutMs ?? ce.timeoutMs;
  const launch = ce.view.launch({ file: spec.file, args: spec.args, cwd: spec.cwd, env: { ...ce.env, ...spec.extraEnv }, ...(spec.writable ? { writable: spec.writable } : {}) });
  const lease = launch.lease;
  // A state folder that cannot be written loses the cleanup after a crash, not the check.
  if (lease !== undefined) await ce.leases?.record({ kind: 'process', token: lease }).catch(() => undefined);
  let r;
  try {
    r = await runProcess({
      file: launch.file,
      args: launch.args,
      cwd: launch.cwd,
      env: launch.env,
      timeoutMs,
      outputCapBytes: ce.outputCapBytes,
      ...(launch.statusFd !== undefined ? { statusFd: launch.statusFd } : {}),
      ...(lease !== undefined && ce.leases ? { onSpawn: (pid: number) => void ce.leases?.started(lease, pid) } : {}),
      ...(ce.signal ? { signal: ce.signal } : {}),
    });
  } finally {
    if (lease !== undefined) await ce.leases?.release(lease);
  }
  // Colours and cursor moves are for terminals: the views, the models and the parsers get plain text.
  const plain = stripVTControlCharacters(r.output);
  const output = scrubRoot(plain, ce.root);
  const base: CheckResult = { id: spec.id, tool: spec.tool, files: spec.files, outcome: 'failed', durationMs: r.durationMs, findings: [], output };
  // bubblewrap reports a command killed by a signal as the shell convention 128 + its number.
  const killedBy = launch.statusFd !== undefined && r.exitCode !== undefined && r.exitCode > 128 ? signalName(r.exitCode - 128) : undefined;
  if (killedBy !== undefined) {
    delete r.exitCode;
    r.signal = killedBy;
  }
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
  if (r.sandboxFailed) {
    return { ...base, outcome: 'unverified', findings: [{ message: `${tool} could not start in the verification sandbox (${ce.view.mode.sandbox}): ${lastLines(output, 3) || `exit ${r.exitCode ?? r.signal ?? '?'}`}`, tool }] };
  }
  if (r.aborted) return { ...base, outcome: 'unverified', findings: [{ message: `${tool}: verification cancelled`, tool }] };
  if (r.timedOut) {
    base.timedOut = true;
    const secs = Math.round(timeoutMs / 100) / 10;
    return { ...base, findings: [{ message: `${tool}: verification timed out after ${secs} s (process tree killed)`, tool }] };
  }
  if (r.exitCode === 0) return { ...base, outcome: 'passed' };
  const ctx: PathContext = { root: ce.root, cwd: spec.cwd };
  const parsed = (spec.parse ? spec.parse(plain, ctx) : []).map((f) => ({ ...f, message: scrubRoot(f.message, ce.root) }));
  const exitText = r.exitCode !== undefined ? `exit ${r.exitCode}` : `killed by ${r.signal ?? 'a signal'}`;
  const findings = parsed.length > 0 ? parsed.slice(0, MAX_FINDINGS) : [{ message: `${tool} failed (${exitText}): ${failureExcerpt(output)}`, tool }];
  if (spec.keepAll && parsed.length > 0) base.compared = { findings: parsed, complete: r.outputTruncated !== true };
  if (ce.view.mode.sandbox !== 'none' && SANDBOX_STOP.test(output)) {
    findings.push({ message: `${tool} was stopped by the verification sandbox (${ce.view.mode.sandbox}: no network, nothing writable outside the view, no secrets): a check must not need them`, tool });
  }
  return { ...base, findings };
}
