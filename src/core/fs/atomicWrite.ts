/**
 * The one way AgensFlow writes a whole file (workspace files on apply, the run journal, patches, the policy
 * store, plan files): a temporary file beside the target, written in a loop that treats a short write as a
 * failure, fsynced, its size checked with fstat against the bytes we meant to write, renamed over the target,
 * and the folder fsynced. Any failure before the rename removes the temporary file and leaves the target as
 * it was; the caller gets a {@link WriteError} with the errno code.
 *
 * write-file-atomic, used before, renamed a truncated temporary into place when the disk filled up (a 200 KB
 * file applied as 98,304 bytes, reported "applied"): that is the failure this module exists to rule out.
 * Every file operation goes through a {@link WriteIo}, so tests can inject ENOSPC, short writes and pauses.
 */
import { constants, promises as fsp } from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** File operations of {@link writeFileVerified}; the default is Node's `fs`. Tests inject faults here. */
export interface WriteIo {
  open(file: string, flags: number, mode?: number): Promise<number>;
  write(fd: number, data: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  fsync(fd: number): Promise<void>;
  fstat(fd: number): Promise<{ size: number }>;
  fchmod(fd: number, mode: number): Promise<void>;
  close(fd: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
}

function done<R>(resolve: (r: R) => void, reject: (e: Error) => void): (err: NodeJS.ErrnoException | null, res: R) => void {
  return (err, res) => (err ? reject(err) : resolve(res));
}

/** Node's file system. */
export const nodeWriteIo: WriteIo = {
  open: (file, flags, mode) => new Promise((res, rej) => fs.open(file, flags, mode, done(res, rej))),
  write: (fd, data, offset, length, position) => new Promise((res, rej) => fs.write(fd, data, offset, length, position, (err, n) => (err ? rej(err) : res(n)))),
  fsync: (fd) => new Promise((res, rej) => fs.fsync(fd, (err) => (err ? rej(err) : res()))),
  fstat: (fd) => new Promise((res, rej) => fs.fstat(fd, done(res, rej))),
  fchmod: (fd, mode) => new Promise((res, rej) => fs.fchmod(fd, mode, (err) => (err ? rej(err) : res()))),
  close: (fd) => new Promise((res, rej) => fs.close(fd, (err) => (err ? rej(err) : res()))),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (file) => fsp.unlink(file),
};

/** A write that did not complete; the target is unchanged and the temporary file removed. */
export class WriteError extends Error {
  override readonly name = 'WriteError' as const;
  constructor(
    message: string,
    /** The errno code (`ENOSPC`, `EACCES`, ...), or `ESHORT` for a write that stopped early, `ESIZE` for a size mismatch. */
    readonly code: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isWriteError(e: unknown): e is WriteError {
  return e instanceof Error && e.name === 'WriteError';
}

/** A short human phrase for the errno codes a user can act on (no paths: callers name the file). */
export function describeFsError(e: unknown): string {
  const code = e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ESHORT':
      return 'the write stopped short (disk full?)';
    case 'ESIZE':
      return 'the written file has the wrong size';
    case 'ENOENT':
      return 'no such file or folder';
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'a symlink is in the way';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

const TEMP_SUFFIX = '.agensflow-tmp';
const TEMP_RE = /^\..*\.(\d+)\.[0-9a-f]{8}\.agensflow-tmp$/;

/** The temporary file's name for `base`: hidden, with our pid (so a crashed writer's leftovers can be told apart). */
function tempName(base: string): string {
  return `.${base.slice(0, 100)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
}

export interface WriteOptions {
  io?: WriteIo;
  /** Mode of a new file (before the umask); an existing file's mode is kept. Default 0o666. */
  mode?: number;
}

function errnoOf(e: unknown): string {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : 'EIO';
}

/**
 * Writes `data` to `target` atomically and verified (see the module comment). `target`'s folder must exist.
 * Symlinks at `target` are replaced, never followed.
 */
export async function writeFileVerified(target: string, data: string | Uint8Array, opts: WriteOptions = {}): Promise<void> {
  const io = opts.io ?? nodeWriteIo;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const dir = path.dirname(target);
  const temp = path.join(dir, tempName(path.basename(target)));
  let keepMode: number | undefined;
  try {
    const st = await fsp.lstat(target);
    if (st.isFile()) keepMode = st.mode & 0o7777;
  } catch {
    // absent (or unreadable: the rename will tell)
  }
  let fd: number | undefined;
  let created = false;
  try {
    fd = await io.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), opts.mode ?? 0o666);
    created = true;
    if (keepMode !== undefined) await io.fchmod(fd, keepMode);
    let off = 0;
    while (off < bytes.length) {
      const n = await io.write(fd, bytes, off, bytes.length - off, off);
      if (!(n > 0)) throw new WriteError(`${target}: the write stopped after ${off} of ${bytes.length} bytes`, 'ESHORT', target);
      off += n;
    }
    await io.fsync(fd);
    const size = (await io.fstat(fd)).size;
    if (size !== bytes.length) throw new WriteError(`${target}: wrote ${size} bytes, expected ${bytes.length}`, 'ESIZE', target);
    const closing = fd;
    fd = undefined;
    await io.close(closing);
    await io.rename(temp, target);
    created = false;
  } catch (e) {
    if (fd !== undefined) await io.close(fd).catch(() => undefined);
    if (created) await io.unlink(temp).catch(() => undefined);
    if (isWriteError(e)) throw e;
    throw new WriteError(`cannot write ${target}: ${describeFsError(e)}`, errnoOf(e), target, { cause: e });
  }
  await syncDir(dir, io);
}

/** fsyncs a folder so a rename in it survives a power cut (not possible on every platform: best effort). */
async function syncDir(dir: string, io: WriteIo): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await io.open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    await io.fsync(fd);
  } catch {
    // Windows cannot open folders; some file systems refuse fsync on them.
  } finally {
    if (fd !== undefined) await io.close(fd).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) === 'EPERM';
  }
}

/**
 * Removes temporary files that a crashed writer (a process no longer running) left in `dir`; with `base`,
 * only those of that file. Returns the names removed. Never throws.
 */
export async function removeStrayTemps(dir: string, base?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m || (base !== undefined && !name.startsWith(`.${base.slice(0, 100)}.`))) continue;
    if (alive(Number(m[1]))) continue;
    try {
      await fsp.unlink(path.join(dir, name));
      removed.push(name);
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}

/** Whether `name` is one of our temporary files (listings leave them out). */
export function isTempName(name: string): boolean {
  return TEMP_RE.test(name);
}
