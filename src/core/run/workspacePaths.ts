/**
 * Where an agent may read and write, checked at staging time and again at apply time: paths are normalised,
 * resolved with realpath (a symlink in the workspace that leads outside, or into a file the task does not
 * own, is refused), protected paths are never written and `.env*` secrets never read.
 */
import fsCallback, { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { errnoCode } from './errors';
import { checkWorkspacePath, isProtectedPath, isSecretPath, leavesRoot } from '../plan';

export type PathCheck = { ok: true; path: string; absolute: string } | { ok: false; reason: string };

export { isSecretPath };

/**
 * Normalises `input` against the workspace lexically (no file system access): absolute, escaping and NUL
 * paths are refused. Protected paths pass here (they may be read); writes check them separately.
 */
export function lexicalCheck(input: string): { ok: true; path: string } | { ok: false; reason: string } {
  const c = checkWorkspacePath(input);
  if (c.ok) return { ok: true, path: c.path };
  if (c.problem === 'invalid-path') return { ok: false, reason: c.reason };
  if (c.problem !== 'protected-path') return { ok: false, reason: `outside the workspace: ${c.reason}` };
  const rel = path.posix.normalize(input.replace(/\\/g, '/')).replace(/\/+$/, '');
  return { ok: true, path: rel };
}

/** `realpath` of the deepest existing ancestor of `abs`, with the missing tail appended. */
async function resolveExisting(abs: string): Promise<string> {
  const tail: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const real = await fs.realpath(cur);
      return tail.length ? path.join(real, ...tail.reverse()) : real;
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      tail.push(path.basename(cur));
      cur = parent;
    }
  }
}

/** Guards one workspace root; caches the root's own realpath. */
export class WorkspaceGuard {
  private realRoot: Promise<string> | undefined;
  private realReserved: Promise<string[]> | undefined;

  /**
   * @param reserved absolute paths never written, whatever the plan says: the run's own state folder
   * (journal, policy) and configuration file when the user keeps them inside the workspace.
   */
  constructor(
    readonly root: string,
    private readonly reserved: readonly string[] = [],
  ) {}

  private reservedReal(): Promise<string[]> {
    this.realReserved ??= Promise.all(this.reserved.map((p) => resolveExisting(path.resolve(p)).catch(() => path.resolve(p))));
    return this.realReserved;
  }

  private rootReal(): Promise<string> {
    this.realRoot ??= fs.realpath(this.root);
    return this.realRoot;
  }

  /**
   * Resolves `input` for `mode`. For writes, `mayWrite(rel)` says whether the task owns the path; it is
   * asked for the lexical path and, when a symlink redirects, for the path the link leads to.
   */
  async check(input: string, mode: 'read' | 'write', mayWrite?: (rel: string) => boolean): Promise<PathCheck> {
    const lex = lexicalCheck(input);
    if (!lex.ok) return lex;
    const rel = lex.path;
    if (mode === 'read' && isSecretPath(rel)) return { ok: false, reason: `${rel} holds secrets and is never readable` };
    if (mode === 'write' && isProtectedPath(rel)) return { ok: false, reason: `${rel} is a protected path` };
    if (mode === 'write' && mayWrite && !mayWrite(rel)) return { ok: false, reason: `${rel} is not one of this task's files` };
    const root = await this.rootReal();
    let real: string;
    try {
      real = await resolveExisting(path.join(root, ...rel.split('/')));
    } catch (e) {
      // A symlink loop (ELOOP), a name the OS finds too long, a folder it may not enter (EACCES): refused, never thrown.
      return { ok: false, reason: `${rel} cannot be resolved (${errnoCode(e) ?? (e instanceof Error ? e.name : 'error')})` };
    }
    const back = path.relative(root, real);
    if (leavesRoot(back)) {
      return { ok: false, reason: `${rel} resolves outside the workspace (symlink)` };
    }
    if (mode === 'write') {
      for (const r of await this.reservedReal()) {
        if (real === r || real.startsWith(r + path.sep)) return { ok: false, reason: `${rel} is the run's own state or configuration` };
      }
    }
    const realRel = back.split(path.sep).join('/');
    if (realRel !== rel) {
      // A symlink inside the workspace: the target must pass the same rules as the name.
      if (mode === 'read' && isSecretPath(realRel)) return { ok: false, reason: `${rel} leads to secrets` };
      if (mode === 'write' && isProtectedPath(realRel)) return { ok: false, reason: `${rel} leads to the protected path ${realRel}` };
      if (mode === 'write' && mayWrite && !mayWrite(realRel)) return { ok: false, reason: `${rel} leads to ${realRel}, which this task does not own` };
    }
    return { ok: true, path: rel, absolute: real };
  }
}

/** A folder of the workspace changed under us (a component became a symlink or a file) while we used it. */
export class UnsafePathError extends Error {
  override readonly name = 'UnsafePathError' as const;
}

export function isUnsafePathError(e: unknown): e is UnsafePathError {
  return e instanceof Error && e.name === 'UnsafePathError';
}

/**
 * A folder inside the workspace, reached component by component without following symlinks and held open,
 * so that swapping a folder on its path for a symlink afterwards cannot redirect what is done through
 * {@link HeldDir.path}. On Linux the path is `/proc/self/fd/<n>`, which the kernel resolves to the held
 * folder itself (an openat() for Node, which has none); elsewhere it is the real path, checked component by
 * component just before use (a smaller window, not none).
 */
export interface HeldDir {
  /** Names the held folder; join a file name to it to act inside that folder. */
  readonly path: string;
  /** Removes the folders this hold created, deepest first, if they are empty. Never throws. */
  removeCreated(): Promise<void>;
  close(): Promise<void>;
}

let procFd: Promise<boolean> | undefined;
function hasProcFd(): Promise<boolean> {
  procFd ??= process.platform === 'linux' ? fs.access('/proc/self/fd').then(() => true, () => false) : Promise.resolve(false);
  return procFd;
}

const DIR_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_DIRECTORY ?? 0) | (fsConstants.O_NOFOLLOW ?? 0);

/**
 * Holds the folder `relDir` (workspace-relative, `/`-separated, already checked) under the workspace's real
 * root `realRoot`, creating missing folders when `create`. Throws {@link UnsafePathError} when a component is a
 * symlink or not a folder, and the file system's error otherwise.
 */
export async function holdWorkspaceDir(realRoot: string, relDir: string, create: boolean): Promise<HeldDir> {
  const parts = relDir === '' || relDir === '.' ? [] : relDir.split('/');
  const created: Array<{ parent: string; name: string }> = [];
  const removeCreated = async (): Promise<void> => {
    for (const c of created.splice(0).reverse()) await fs.rmdir(path.join(c.parent, c.name)).catch(() => undefined);
  };
  if (!(await hasProcFd())) {
    let cur = realRoot;
    for (const [i, part] of parts.entries()) {
      const next = path.join(cur, part);
      try {
        const st = await fs.lstat(next);
        if (!st.isDirectory()) throw new UnsafePathError(`${parts.slice(0, i + 1).join('/')} is not a folder of the workspace (a symlink or a file)`);
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT' || !create) throw e;
        await fs.mkdir(next);
        created.push({ parent: cur, name: part });
      }
      cur = next;
    }
    return { path: cur, removeCreated, close: async () => undefined };
  }
  const fds: number[] = [];
  const closeAll = async (): Promise<void> => {
    for (const fd of fds.splice(0)) await new Promise<void>((r) => fsCallback.close(fd, () => r()));
  };
  const open = (p: string): Promise<number> =>
    new Promise((resolve, reject) => fsCallback.open(p, DIR_FLAGS, (err, fd) => (err ? reject(err) : resolve(fd))));
  try {
    const rootFd = await open(realRoot);
    fds.push(rootFd);
    if ((await fs.readlink(`/proc/self/fd/${rootFd}`)) !== realRoot) throw new UnsafePathError(`the workspace folder ${realRoot} moved`);
    for (const [i, part] of parts.entries()) {
      const parent = `/proc/self/fd/${fds.at(-1)}`;
      const at = path.join(parent, part);
      let fd: number;
      try {
        fd = await open(at);
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'ENOENT' && create) {
          await fs.mkdir(at).catch((m: unknown) => {
            if (errnoCode(m) !== 'EEXIST') throw m;
          });
          created.push({ parent, name: part });
          fd = await open(at).catch((o: unknown) => {
            throw errnoCode(o) === 'ELOOP' || errnoCode(o) === 'ENOTDIR' ? new UnsafePathError(`${parts.slice(0, i + 1).join('/')} became a symlink`) : o;
          });
        } else if (code === 'ELOOP' || code === 'ENOTDIR') {
          throw new UnsafePathError(`${parts.slice(0, i + 1).join('/')} is not a folder of the workspace (a symlink or a file)`);
        } else {
          throw e;
        }
      }
      fds.push(fd);
    }
  } catch (e) {
    await removeCreated();
    await closeAll();
    throw e;
  }
  return { path: `/proc/self/fd/${fds.at(-1)}`, removeCreated, close: closeAll };
}

/**
 * Reads `name` inside a held folder without following a symlink there: the bytes and mode, `null` when
 * absent. A symlink or folder in its place throws {@link UnsafePathError}.
 */
export async function readHeldFile(dir: HeldDir, name: string): Promise<{ data: Buffer; mode: number } | null> {
  let handle;
  try {
    // O_NONBLOCK: a FIFO put in the file's place must not hang us.
    handle = await fs.open(path.join(dir.path, name), fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw new UnsafePathError(`${name} is a symlink`);
    throw e;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new UnsafePathError(`${name} is not a regular file`);
    return { data: await handle.readFile(), mode: st.mode };
  } finally {
    await handle.close();
  }
}
