/**
 * A reader/writer lock per workspace folder, shared by the whole process: applying a patch writes the
 * workspace (write-file-atomic leaves a `<file>.<n>` temporary beside each file it writes, then renames it),
 * while verification copies it (materialise). A copy taken during a write sees half a patch, or lists the
 * temporary file and then fails to copy it once it is renamed (ENOENT). So copies are readers and may share
 * the folder; a patch being applied is a writer and has it alone. Waiters are served in arrival order, so a
 * stream of copies cannot starve a patch (nor the reverse). Only writers in this process are excluded: other
 * programs (the user's editor) are not.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

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
    return await fn();
  } finally {
    lock.release(mode);
    if (lock.idle) locks.delete(key);
  }
}

/** Who holds and who awaits the lock of `dir` (for tests and diagnostics). */
export async function workspaceLockState(dir: string): Promise<{ readers: number; writer: boolean; waiting: number }> {
  return locks.get(await keyOf(dir))?.state() ?? { readers: 0, writer: false, waiting: 0 };
}
