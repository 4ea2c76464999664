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
import { lock as lockFile } from 'proper-lockfile';
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

/**
 * The holder of a lock, `<host> <pid>`, beside the lock (`<lock>.owner`; proper-lockfile removes its lock with
 * rmdir, so nothing may go inside it), written once the lock is taken and removed before it is released: a
 * waiter on the same machine can tell a dead holder at once.
 */
const ownerOf = (lockPath: string): string => `${lockPath}.owner`;

/** True when the lock at `lockPath` was taken on this machine by a process that no longer runs. */
async function holderIsDead(lockPath: string): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(ownerOf(lockPath), 'utf8');
  } catch {
    return false; // just being taken, or a holder from before owners were recorded: wait for staleness
  }
  const [host, pid] = text.trim().split(' ');
  if (host !== os.hostname() || !pid || !/^\d+$/.test(pid)) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function acquireFile(key: string, hold: ProcessHold): Promise<void> {
  await hold.releasing;
  const dir = await lockDir();
  const file = path.join(dir, createHash('sha256').update(key).digest('hex'));
  const lockPath = `${file}.lock`;
  hold.state = 'waiting';
  const deadline = Date.now() + CROSS_PROCESS_WAIT_MS;
  let pause = 25;
  try {
    for (;;) {
      try {
        const release = await lockFile(file, {
          realpath: false,
          lockfilePath: lockPath,
          stale: STALE_MS,
          // Default: throw from a timer (the process dies). A lost lock only weakens exclusion from here on.
          onCompromised: () => undefined,
        });
        await fs.writeFile(ownerOf(lockPath), `${os.hostname()} ${process.pid}\n`).catch(() => undefined);
        hold.release = async () => {
          await fs.rm(ownerOf(lockPath), { force: true });
          await release();
        };
        hold.state = 'held';
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
        // A holder killed on this machine (kill -9, a crash) is not waited for until its lock goes stale.
        if (await holderIsDead(lockPath)) {
          await fs.rm(ownerOf(lockPath), { force: true });
          await fs.rm(lockPath, { recursive: true, force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new WorkspaceBusyError(`another AgensFlow process has been using ${key} for over ${CROSS_PROCESS_WAIT_MS / 60_000} minutes (lock ${lockPath}); try again when it is done`, { cause: e });
        }
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(500, Math.round(pause * 1.3));
      }
    }
  } catch (e) {
    hold.state = 'idle';
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
