/**
 * Runs one verification process: no shell, stdin closed, a sanitised environment, capped output, and a
 * timeout (or abort) that kills the whole process tree.
 */
import { spawn } from 'node:child_process';
import treeKill from 'tree-kill';
import { TailBuffer } from './output-buffer';

export interface RunProcessOptions {
  /** Absolute path of the program (resolved before the run, never from the materialised copy). */
  file: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  outputCapBytes: number;
  signal?: AbortSignal;
  /**
   * The fd (3) on which the sandbox says "started" once the command runs inside it: a third pipe is opened
   * there, and a run that never said so is a sandbox that did not start (`sandboxFailed`).
   */
  statusFd?: number;
  /** Called with the pid as soon as the process exists (to record it for the cleanup after a crash). */
  onSpawn?: (pid: number) => void;
}

export interface ProcessOutcome {
  /** Exit code when the process exited by itself. */
  exitCode?: number;
  /** The signal that ended it, if any. */
  signal?: string;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the process could not start (`ENOENT`, `EACCES`, ...). */
  spawnError?: NodeJS.ErrnoException;
  /** Combined stdout and stderr, tail kept. */
  output: string;
  /** True when the head of the output was dropped to keep it under the cap. */
  outputTruncated?: boolean;
  durationMs: number;
  /** Set when a status fd was asked for and the sandbox never started the command. */
  sandboxFailed?: boolean;
}

/**
 * After the main process exits, how long to wait for its pipes to close before giving up on them (a
 * grandchild that left the process group may still hold them).
 */
const PIPE_GRACE_MS = 1000;

/** Kills the process group on POSIX (the child leads its own group), the tree elsewhere. Never throws. */
function killTree(pid: number): void {
  if (process.platform === 'win32') {
    treeKill(pid, 'SIGKILL', () => undefined);
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Spawns `file args` and resolves when it has ended; never rejects. */
export function runProcess(opts: RunProcessOptions): Promise<ProcessOutcome> {
  const started = performance.now();
  const out = new TailBuffer(opts.outputCapBytes);
  return new Promise<ProcessOutcome>((resolve) => {
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;

    const child = spawn(opts.file, [...opts.args], {
      cwd: opts.cwd,
      env: opts.env,
      shell: false,
      stdio: opts.statusFd === 3 ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
      // Its own process group on POSIX, so the timeout can kill grandchildren too.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });

    let status = '';
    const statusPipe = opts.statusFd === 3 ? (child.stdio[3] as NodeJS.ReadableStream | null) : null;
    statusPipe?.on('data', (b: Buffer) => {
      if (status.length < 4096) status += b.toString();
    });
    statusPipe?.on('error', () => undefined);
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);

    const finish = (spawnError?: NodeJS.ErrnoException): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      (statusPipe as { destroy?: () => void } | null)?.destroy?.();
      // Whatever the process left behind in its group (daemons, stuck grandchildren) goes too.
      if (child.pid !== undefined) killTree(child.pid);
      const result: ProcessOutcome = {
        timedOut,
        aborted,
        output: out.toString(),
        durationMs: Math.round(performance.now() - started),
      };
      if (out.droppedBytes > 0) result.outputTruncated = true;
      if (spawnError) result.spawnError = spawnError;
      // The sandbox writes "started" there once the command runs inside it.
      else if (statusPipe && !aborted && !timedOut && !status.includes('started')) result.sandboxFailed = true;
      if (exit?.code !== null && exit?.code !== undefined) result.exitCode = exit.code;
      if (exit?.signal) result.signal = exit.signal;
      resolve(result);
    };

    const stop = (): void => {
      if (child.pid !== undefined) killTree(child.pid);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => out.push(b));
    child.on('error', (err: NodeJS.ErrnoException) => finish(err));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Normally 'close' follows at once; if a grandchild keeps the pipes open, do not wait forever.
      graceTimer = setTimeout(() => finish(), PIPE_GRACE_MS);
    });
    child.on('close', () => finish());
  });
}
