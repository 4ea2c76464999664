/**
 * The verification view of "workspace plus staged layers", and how a command is launched in it.
 *
 * - Overlay (Linux with user namespaces, overlayfs and bubblewrap): nothing is copied. A temporary folder
 *   holds the staged files (`staged/`), the checks' writes (`upper/`) and overlayfs's work folder. Each command
 *   starts in a new user and mount namespace where an overlay (the workspace read-only below, the staged
 *   files above it, the writes on top) is mounted at the workspace's own absolute path, so absolute paths,
 *   editable installs (`.pth` files pointing at the workspace's `src`) and tsconfig paths resolve to the
 *   agents' code. The user's folder never changes; the commands of one view share its writes.
 * - Copy (elsewhere): the workspace is materialised in a temporary folder (materialise.ts).
 *
 * Either way the folder is recorded (leftovers.ts) before it is made and removed by `dispose()`, and every
 * command runs in the machine's sandbox (sandbox.ts) with the view's `.env*` masked.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isSecretPath } from '../run/workspacePaths';
import { hasSymlinkParent, materialise, normaliseRelPath, refusedStagedPath, type LinkIgnored } from './materialise';
import { LEASE_ENV, type LeaseStore, removeOwnView, VIEW_MARKER, viewName } from './leftovers';
import { bwrapArgs, newToken, OVERLAY_SCRIPT, overlayUnsafePath, sandboxExecProfile, unshareArgs, type SandboxedCommand, type SandboxLayout, type SandboxSupport, type VerificationMode } from './sandbox';
import { VerifySetupError, type StagedLayer } from './types';
import type { CopyPool } from './copyPool';

/** How to start one command of a view: what to spawn, and the fd on which bubblewrap reports its child. */
export interface Launch {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A pipe (3) on which the sandbox says it started the command: no word on it means it did not. */
  statusFd?: number;
  /** The lease token in the command's environment (the sweep finds its processes by it). */
  lease?: string;
}

/** A view; `dispose()` removes it (idempotent). */
export interface VerifyView {
  readonly mode: VerificationMode;
  /** Where commands see the view (the workspace's own path in overlay mode, the copy's otherwise). */
  readonly root: string;
  /** The view's temporary folder (staged files and the checks' writes, or the copy), removed by `dispose()`. */
  readonly tempDir: string;
  /** Staged paths that were refused, with the reason. */
  readonly refused: ReadonlyArray<{ path: string; reason: string }>;
  /** Workspace symlinks left out of a copy (they lead outside the workspace, or nowhere). */
  readonly droppedLinks: ReadonlyArray<{ path: string; reason: string }>;
  /** True when `rel` is a file in the view. */
  exists(rel: string): Promise<boolean>;
  /** Where this process reads `rel` of the view (a staged file, the workspace's, or the copy's). */
  hostPath(rel: string): string | undefined;
  /** True when `rel` (`.` for the root) is a folder in the view. */
  isDir(rel: string): Promise<boolean>;
  /** The spawn of `cmd` in the view, inside the sandbox. */
  launch(cmd: SandboxedCommand): Launch;
  dispose(): Promise<void>;
}

/** Options of {@link createView}. */
export interface ViewOptions {
  workspaceDir: string;
  layers: readonly StagedLayer[];
  support: SandboxSupport;
  /** Records the view and its processes before they exist (absent: nothing is recorded). */
  leases?: LeaseStore;
  /** The workspace's `.env*` paths (relative), found once per run; found now when absent. */
  secrets?: readonly SecretPath[];
  /** The user's home folder to hide (default `os.homedir()`). */
  home?: string;
  /** What the ignore rules let through, for a copy to link the rest (only a sandboxed copy uses it). */
  ignored?: LinkIgnored;
  /** The run's reusable copies of this workspace: a copy view takes one instead of making a new copy. */
  copyPool?: () => Promise<CopyPool>;
}

/** A secret of the workspace: a `.env*` file or folder (its contents go with it). */
export interface SecretPath {
  rel: string;
  dir: boolean;
}

/**
 * The workspace's secrets (`.env*` files and folders, at any depth; the outermost of nested ones), skipping
 * `.git`. Symlinks are not followed; a link named `.env` is listed as a file.
 */
export async function findSecrets(workspaceDir: string): Promise<SecretPath[]> {
  const out: SecretPath[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(path.join(workspaceDir, rel), { withFileTypes: true });
    } catch {
      return; // gone or unreadable meanwhile
    }
    await Promise.all(
      entries.map(async (e) => {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (isSecretPath(e.name)) out.push({ rel: child, dir: e.isDirectory() });
        else if (e.isDirectory() && e.name !== '.git') await walk(child);
      }),
    );
  };
  await walk('');
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

function isDirAt(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isDirectory(), () => false);
}

/** Makes a temporary folder recorded before it exists and marked as ours once it does. */
export async function leasedTempDir(leases: LeaseStore | undefined): Promise<{ dir: string; token: string }> {
  const token = newToken();
  const dir = path.join(await fs.realpath(os.tmpdir()), viewName(token));
  await leases?.record({ kind: 'view', token, path: dir });
  await fs.mkdir(dir, { mode: 0o700 });
  await fs.writeFile(path.join(dir, VIEW_MARKER), token);
  return { dir, token };
}

function rootedSecrets(root: string, secrets: readonly SecretPath[]): SandboxLayout['secrets'] {
  return secrets.map((s) => ({ path: path.join(root, ...s.rel.split('/')), dir: s.dir }));
}

/**
 * The first program inside the sandbox: it says on fd 3 that the sandbox is set up, closes fd 3 and becomes
 * the command. No word on fd 3 means the sandbox (or the overlay under it) never started the command.
 */
const STARTED_SCRIPT = 'printf started >&3; exec 3>&-; exec "$@"';

/** Wraps `cmd` in the sandbox of `support` for `layout`; `prefix` runs first (the overlay's mount script). */
function sandboxed(support: SandboxSupport, cmd: SandboxedCommand, layout: SandboxLayout, spawnCwd: string, prefix: string[] = []): Launch {
  const lease = newToken();
  const env = { ...cmd.env, [LEASE_ENV]: lease };
  if (support.sandbox === 'bwrap' && support.tools.bwrap) {
    const home = layout.home ?? os.homedir();
    const sh = support.tools.sh ?? '/bin/sh';
    const args = [...prefix, support.tools.bwrap, ...bwrapArgs({ ...cmd, env }, layout), '--setenv', 'HOME', home, '--', sh, '-c', STARTED_SCRIPT, 'sh', cmd.file, ...cmd.args];
    const [file, ...rest] = args as [string, ...string[]];
    return { file, args: rest, cwd: spawnCwd, env, statusFd: 3, lease };
  }
  if (support.sandbox === 'sandbox-exec' && support.tools.sandboxExec) {
    const tmp = layout.privateTmp;
    return { file: support.tools.sandboxExec, args: ['-p', sandboxExecProfile(cmd, layout), cmd.file, ...cmd.args], cwd: cmd.cwd, env: { ...env, ...(tmp ? { TMPDIR: tmp } : {}) }, lease };
  }
  return { file: cmd.file, args: [...cmd.args], cwd: cmd.cwd, env, lease };
}

/** The merged staged changes (later layers win), paths normalised. */
function mergeLayers(layers: readonly StagedLayer[]): Map<string, Buffer | string | null> {
  const merged = new Map<string, Buffer | string | null>();
  for (const layer of layers) for (const [p, content] of layer) merged.set(normaliseRelPath(p), content);
  return merged;
}

async function overlayView(opts: ViewOptions, ws: string, secrets: readonly SecretPath[]): Promise<VerifyView> {
  const { dir, token } = await leasedTempDir(opts.leases);
  const staged = path.join(dir, 'staged');
  const upper = path.join(dir, 'upper');
  const work = path.join(dir, 'work');
  const lower = path.join(dir, 'lower');
  const dispose = async (): Promise<void> => {
    await removeOwnView(dir, token);
    await opts.leases?.release(token);
  };
  const refused: Array<{ path: string; reason: string }> = [];
  const deleted = new Set<string>();
  const present = new Set<string>();
  try {
    await Promise.all([staged, upper, work, lower].map((d) => fs.mkdir(d)));
    for (const [rel, content] of mergeLayers(opts.layers)) {
      const reason = refusedStagedPath(rel) ?? ((await hasSymlinkParent(ws, rel)) ? 'a parent folder is a symlink' : undefined);
      if (reason) {
        refused.push({ path: rel, reason });
        continue;
      }
      if (content === null) {
        deleted.add(rel);
        continue;
      }
      const dest = path.join(staged, ...rel.split('/'));
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.writeFile(dest, content);
      present.add(rel);
    }
  } catch (e) {
    await dispose();
    throw e instanceof VerifySetupError ? e : new VerifySetupError(`cannot make the verification view: ${(e as Error).message}`);
  }
  const layout: SandboxLayout = { viewRoot: ws, secrets: rootedSecrets(ws, secrets), readable: [], ...(opts.home !== undefined ? { home: opts.home } : {}) };
  const unshare = opts.support.tools.unshare as string;
  const sh = opts.support.tools.sh ?? '/bin/sh';
  const dels = [...deleted].sort();
  const hostPath = (rel: string): string | undefined => {
    const r = normaliseRelPath(rel);
    if (present.has(r)) return path.join(staged, ...r.split('/'));
    if (deleted.has(r)) return undefined;
    return path.join(ws, ...r.split('/'));
  };
  return {
    mode: { view: 'overlay', sandbox: opts.support.sandbox },
    root: ws,
    tempDir: dir,
    refused,
    droppedLinks: [],
    exists: async (rel) => {
      const p = hostPath(rel);
      if (p === undefined) return false;
      return fs.lstat(p).then((s) => s.isFile(), () => false);
    },
    hostPath,
    isDir: async (rel) => {
      if (rel === '.' || rel === '') return true;
      const r = normaliseRelPath(rel);
      if (await isDirAt(path.join(staged, ...r.split('/')))) return true;
      return !deleted.has(r) && (await isDirAt(path.join(ws, ...r.split('/'))));
    },
    launch: (cmd) => {
      // A program of the user's workspace runs as the user has it, even where the agents staged another version.
      const rel = path.relative(ws, cmd.file).split(path.sep).join('/');
      const own = !rel.startsWith('..') && !path.isAbsolute(rel) && (present.has(rel) || deleted.has(rel));
      const withPin = own ? { ...layout, pinned: [{ src: path.join(lower, ...rel.split('/')), dest: cmd.file }] } : layout;
      return sandboxed(opts.support, cmd, withPin, dir, [unshare, ...unshareArgs(), sh, '-c', OVERLAY_SCRIPT, 'sh', ws, staged, upper, work, lower, String(dels.length), ...dels]);
    },
    dispose,
  };
}

/** A copy view on one of the run's reusable copies (copyPool.ts): brought in step, not made anew. */
async function pooledCopyView(opts: ViewOptions, ws: string, secrets: readonly SecretPath[], pool: CopyPool): Promise<VerifyView> {
  const c = await pool.acquire(opts.layers);
  const root = c.root;
  const layout: SandboxLayout = {
    viewRoot: root,
    secrets: rootedSecrets(ws, secrets),
    readable: [ws],
    privateTmp: c.tmp,
    ...(opts.home !== undefined ? { home: opts.home } : {}),
  };
  return {
    mode: { view: 'copy', sandbox: opts.support.sandbox, ...(opts.support.reason ? { reason: opts.support.reason } : {}) },
    root,
    tempDir: c.dir,
    refused: c.refused,
    droppedLinks: c.droppedLinks,
    exists: (rel) => c.exists(rel),
    hostPath: (rel) => path.join(root, ...normaliseRelPath(rel).split('/')),
    isDir: (rel) => (rel === '.' || rel === '' ? Promise.resolve(true) : isDirAt(path.join(root, ...normaliseRelPath(rel).split('/')))),
    launch: (cmd) => sandboxed(opts.support, cmd, layout, opts.support.sandbox === 'bwrap' ? root : cmd.cwd),
    dispose: () => {
      c.release();
      return Promise.resolve();
    },
  };
}

async function copyView(opts: ViewOptions, ws: string, secrets: readonly SecretPath[]): Promise<VerifyView> {
  const { dir, token } = await leasedTempDir(opts.leases);
  const dispose = async (): Promise<void> => {
    await removeOwnView(dir, token);
    await opts.leases?.release(token);
  };
  let m;
  let tmp: string;
  try {
    tmp = path.join(dir, 'tmp');
    await fs.mkdir(tmp);
    m = await materialise(ws, opts.layers, path.join(dir, 'view'), opts.support.sandbox !== 'none' ? opts.ignored : undefined);
  } catch (e) {
    await dispose();
    throw e;
  }
  const root = m.root;
  // The copy holds no secrets; the workspace behind its links is readable, with its secrets masked.
  const layout: SandboxLayout = {
    viewRoot: root,
    secrets: rootedSecrets(ws, secrets),
    readable: [ws],
    privateTmp: tmp,
    ...(opts.home !== undefined ? { home: opts.home } : {}),
  };
  return {
    mode: { view: 'copy', sandbox: opts.support.sandbox, ...(opts.support.reason ? { reason: opts.support.reason } : {}) },
    root,
    tempDir: dir,
    refused: m.refused,
    droppedLinks: m.droppedLinks,
    exists: (rel) => m.exists(rel),
    hostPath: (rel) => path.join(root, ...normaliseRelPath(rel).split('/')),
    isDir: (rel) => (rel === '.' || rel === '' ? Promise.resolve(true) : isDirAt(path.join(root, ...normaliseRelPath(rel).split('/')))),
    launch: (cmd) => sandboxed(opts.support, cmd, layout, opts.support.sandbox === 'bwrap' ? root : cmd.cwd),
    dispose,
  };
}

/**
 * Makes the view of `layers` over the workspace in the mode `support` allows (an overlay only where the
 * workspace's path can be named in overlayfs's options).
 */
export async function createView(opts: ViewOptions): Promise<VerifyView> {
  let ws: string;
  try {
    ws = await fs.realpath(opts.workspaceDir);
  } catch (e) {
    throw new VerifySetupError(`cannot read the workspace: ${(e as Error).message}`);
  }
  const secrets = opts.secrets ?? (await findSecrets(ws));
  if (opts.support.view === 'overlay' && !overlayUnsafePath(ws) && !overlayUnsafePath(await fs.realpath(os.tmpdir()))) return overlayView(opts, ws, secrets);
  return opts.copyPool ? pooledCopyView(opts, ws, secrets, await opts.copyPool()) : copyView(opts, ws, secrets);
}
