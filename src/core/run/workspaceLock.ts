/**
 * A reader/writer lock per workspace folder: applying a patch writes the workspace (a temporary beside each
 * file, then a rename), while verification copies it (materialise). A copy taken during a write sees half a
 * patch, or lists the temporary file and then fails to copy it once it is renamed (ENOENT). So copies are
 * readers and may share the folder; a patch being applied is a writer and has it alone. Waiters are served in
 * arrival order, so a stream of copies cannot starve a patch (nor the reverse).
 *
 * Across processes (two CLI runs, or a CLI run and a VS Code window, on one folder): while anyone in this
 * process holds the folder, the process holds a lock file (proper-lockfile) named by the sha256 of the
 * folder's real path, in the user's lock folder (`$XDG_STATE_HOME/agensflow/locks`, whatever `--state` says,
 * so front ends with different state folders still meet; not in the workspace, which is the user's). Another
 * process waits for it (up to {@link CROSS_PROCESS_WAIT_MS}, then a clear error). The lock records its holder
 * (host and pid): a holder killed on this machine is noticed at once; otherwise a lock is stale after 30 s. Programs other than AgensFlow (the user's editor) are not excluded.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireProcessLock } from '../fs/processLock';
import { defaultStateDir } from './journal';

export type WorkspaceAccess = 'read' | 'write';

interface Waiter {
  mode: WorkspaceAccess;
  wake: () => void;
}

class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly queue: Waiter[] = [];

  get idle(): boolean {
    return this.readers === 0 && !this.writer && this.queue.length === 0;
  }

  state(): { readers: number; writer: boolean; waiting: number } {
    return { readers: this.readers, writer: this.writer, waiting: this.queue.length };
  }

  acquire(mode: WorkspaceAccess): Promise<void> {
    if (this.queue.length === 0 && this.canEnter(mode)) {
      this.enter(mode);
      return Promise.resolve();
    }
    return new Promise((wake) => this.queue.push({ mode, wake }));
  }

  release(mode: WorkspaceAccess): void {
    if (mode === 'read') this.readers--;
    else this.writer = false;
    while (this.queue.length && this.canEnter(this.queue[0]!.mode)) {
      const next = this.queue.shift() as Waiter;
      this.enter(next.mode);
      next.wake();
    }
  }

  private canEnter(mode: WorkspaceAccess): boolean {
    return mode === 'read' ? !this.writer : !this.writer && this.readers === 0;
  }

  private enter(mode: WorkspaceAccess): void {
    if (mode === 'read') this.readers++;
    else this.writer = true;
  }
}

/** One lock per workspace's real path; an entry lives only while someone holds or awaits it. */
const locks = new Map<string, ReadWriteLock>();

/** How long a process waits for another process's hold on a folder before giving up (ms). */
export const CROSS_PROCESS_WAIT_MS = 5 * 60_000;
const STALE_MS = 30_000;

/** Another AgensFlow process kept the workspace longer than we wait. */
export class WorkspaceBusyError extends Error {
  override readonly name = 'WorkspaceBusyError' as const;
}

/** The folder of the cross-process lock files (created on first use; a temp folder if that fails). */
async function lockDir(): Promise<string> {
  const preferred = process.env.AGENSFLOW_LOCK_DIR || path.join(defaultStateDir(), 'locks');
  try {
    await fs.mkdir(preferred, { recursive: true, mode: 0o700 });
    return preferred;
  } catch {
    const fallback = path.join(os.tmpdir(), `agensflow-locks-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
    await fs.mkdir(fallback, { recursive: true, mode: 0o700 });
    return fallback;
  }
}

/** This process's hold on a folder's lock file, shared by every holder in the process. */
interface ProcessHold {
  count: number;
  state: 'waiting' | 'held' | 'idle';
  ready?: Promise<void>;
  release?: () => Promise<void>;
  releasing: Promise<void>;
}

const holds = new Map<string, ProcessHold>();

async function acquireFile(key: string, hold: ProcessHold): Promise<void> {
  await hold.releasing;
  const file = path.join(await lockDir(), createHash('sha256').update(key).digest('hex'));
  hold.state = 'waiting';
  try {
    hold.release = await acquireProcessLock(file, { staleMs: STALE_MS, waitMs: CROSS_PROCESS_WAIT_MS });
    hold.state = 'held';
  } catch (e) {
    hold.state = 'idle';
    if (e instanceof Error && e.name === 'LockBusyError') {
      throw new WorkspaceBusyError(`another AgensFlow process has been using ${key} for over ${CROSS_PROCESS_WAIT_MS / 60_000} minutes (lock ${file}.lock); try again when it is done`, { cause: e });
    }
    throw e;
  }
}

async function enterProcess(key: string): Promise<void> {
  let hold = holds.get(key);
  if (!hold) {
    hold = { count: 0, state: 'idle', releasing: Promise.resolve() };
    holds.set(key, hold);
  }
  hold.count++;
  const h = hold;
  h.ready ??= acquireFile(key, h);
  try {
    await h.ready;
  } catch (e) {
    h.ready = undefined;
    h.count--;
    if (h.count === 0 && holds.get(key) === h) holds.delete(key);
    throw e;
  }
}

async function leaveProcess(key: string): Promise<void> {
  const hold = holds.get(key);
  if (!hold || --hold.count > 0) return;
  const release = hold.release;
  hold.release = undefined;
  hold.ready = undefined;
  hold.state = 'idle';
  hold.releasing = (release ? release() : Promise.resolve()).catch(() => undefined);
  await hold.releasing;
  if (hold.count === 0 && holds.get(key) === hold && !hold.ready) holds.delete(key);
}

async function keyOf(dir: string): Promise<string> {
  const abs = path.resolve(dir);
  return fs.realpath(abs).catch(() => abs);
}

/**
 * Runs `fn` holding the workspace folder `dir` for reading (copies; shared) or writing (applying a patch;
 * exclusive), and releases it however `fn` ends.
 */
export async function withWorkspaceLock<T>(dir: string, mode: WorkspaceAccess, fn: () => Promise<T>): Promise<T> {
  const key = await keyOf(dir);
  let lock = locks.get(key);
  if (!lock) {
    lock = new ReadWriteLock();
    locks.set(key, lock);
  }
  await lock.acquire(mode);
  try {
    await enterProcess(key);
  } catch (e) {
    lock.release(mode);
    if (lock.idle) locks.delete(key);
    throw e;
  }
  try {
    return await fn();
  } finally {
    await leaveProcess(key);
    lock.release(mode);
    if (lock.idle) locks.delete(key);
  }
}

/** Who holds and who awaits the lock of `dir`, and this process's hold on its lock file (tests, diagnostics). */
export async function workspaceLockState(dir: string): Promise<{ readers: number; writer: boolean; waiting: number; otherProcesses?: 'waiting' | 'held' }> {
  const key = await keyOf(dir);
  const state = locks.get(key)?.state() ?? { readers: 0, writer: false, waiting: 0 };
  const hold = holds.get(key);
  return hold && hold.state !== 'idle' ? { ...state, otherProcesses: hold.state } : state;
}
