/**
 * A lock between processes (proper-lockfile: a folder whose mtime the holder refreshes) that also records its
 * holder, `<host> <pid>`, beside it (`<lock>.owner`: proper-lockfile removes its lock with rmdir, so nothing may
 * go inside). A waiter on the same machine whose holder no longer runs (kill -9, a crash) takes the lock at
 * once instead of waiting for it to go stale; elsewhere staleness (`staleMs`) is the backstop.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { lock as lockFile } from 'proper-lockfile';

export interface ProcessLockOptions {
  /** The lock folder (default `<file>.lock`). */
  lockPath?: string;
  /** A lock untouched this long is stale (ms, at least 5000). */
  staleMs: number;
  /** How long to wait for a live holder before giving up (ms). */
  waitMs: number;
  /** Where notices go (a dead holder's lock taken over). */
  log?: (line: string) => void;
}

/** A live holder kept the lock longer than we wait. */
export class LockBusyError extends Error {
  override readonly name = 'LockBusyError' as const;
  readonly code = 'ELOCKED';
}

const ownerOf = (lockPath: string): string => `${lockPath}.owner`;

/** The pid of the lock's holder when it ran on this machine and no longer runs; else undefined. */
async function deadHolder(lockPath: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await fs.readFile(ownerOf(lockPath), 'utf8');
  } catch {
    return undefined; // just being taken: wait
  }
  const [host, pid] = text.trim().split(' ');
  if (host !== os.hostname() || !pid || !/^\d+$/.test(pid)) return undefined;
  try {
    process.kill(Number(pid), 0);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH' ? Number(pid) : undefined;
  }
}

/** Takes the lock on `file` (which need not exist); resolves to its release. */
export async function acquireProcessLock(file: string, opts: ProcessLockOptions): Promise<() => Promise<void>> {
  const lockPath = opts.lockPath ?? `${file}.lock`;
  const deadline = Date.now() + opts.waitMs;
  let pause = 10;
  for (;;) {
    try {
      const release = await lockFile(file, {
        realpath: false,
        lockfilePath: lockPath,
        stale: opts.staleMs,
        // Default: throw from a timer (the process dies). Writes stay atomic; only exclusion is weakened.
        onCompromised: (e: Error) => opts.log?.(`the lock ${lockPath} was taken over while held (${e.message})`),
      });
      await fs.writeFile(ownerOf(lockPath), `${os.hostname()} ${process.pid}\n`).catch(() => undefined);
      return async () => {
        await fs.rm(ownerOf(lockPath), { force: true });
        await release();
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      const dead = await deadHolder(lockPath);
      if (dead !== undefined) {
        opts.log?.(`taking over the lock ${lockPath}: its holder (process ${dead}) is no longer running`);
        await fs.rm(ownerOf(lockPath), { force: true });
        await fs.rm(lockPath, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new LockBusyError(`${lockPath} is held by another process`, { cause: e });
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(500, Math.round(pause * 1.3));
    }
  }
}
