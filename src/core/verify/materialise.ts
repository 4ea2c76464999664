/**
 * Materialises "the workspace plus the run's staged layers" in a fresh temporary folder, so verification
 * never runs in (or writes to) the user's folder: the copy view, where the overlay view (view.ts) cannot be
 * made.
 *
 * - The workspace is copied, skipping `.git`, `.agensflow`, every `node_modules`, the secrets (`.env*`) and
 *   tools' caches; in a sandboxed copy what the ignore rules leave out is linked, not copied (LinkIgnored).
 *   A file deleted or changed while the copy runs is taken as found, or left out: never an error.
 * - Each skipped `node_modules` becomes a real folder whose entries are symlinks to the user's packages, so
 *   imports and `node_modules/.bin` resolve without copying hundreds of megabytes; `.cache` is not linked,
 *   so tools that cache there write inside the copy.
 * - A symlink that leads inside the workspace is recreated as a relative link to the same place in the copy
 *   (never to the user's own file); one that leads outside, or dangles, is dropped from the copy (listed in
 *   `droppedLinks`), so no tool writes through it (a planted `__pycache__ -> /elsewhere` would have
 *   received python's `.pyc`).
 * - FIFOs, sockets, devices and unreadable entries are left out.
 * - Staged files are written on top; a staged path under `node_modules` or `.git`, or whose parent in the
 *   copy is a symlink, is refused (it could write through to the user's files).
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { leavesRoot } from '../plan/paths';
import { isSecretPath } from '../run/workspacePaths';
import { withWorkspaceLock } from '../run/workspaceLock';
import { VerifySetupError, type StagedLayer } from './types';

export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', '.agensflow']);
/** Caches the tools rebuild: neither copied nor linked (a link would let a tool write its cache through it). */
export const REGENERATED_DIRS: ReadonlySet<string> = new Set(['__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.cache']);
export const NOT_LINKED_IN_NODE_MODULES: ReadonlySet<string> = new Set(['.cache']);

/** A materialised copy; `dispose()` removes it (idempotent). */
export interface Materialised {
  /** Absolute path of the copy's root (a realpath: tools print realpaths). */
  root: string;
  /** Staged paths that were refused, with the reason. */
  refused: Array<{ path: string; reason: string }>;
  /** Workspace symlinks left out of the copy (they lead outside the workspace, or nowhere), with the reason. */
  droppedLinks: Array<{ path: string; reason: string }>;
  /** The workspace-relative paths that exist in the copy after the layers (files only). */
  exists(relPath: string): Promise<boolean>;
  dispose(): Promise<void>;
}

/** Normalises a workspace-relative path (`./a//b` -> `a/b`); throws on absolute or escaping paths. */
export function normaliseRelPath(p: string): string {
  const unified = p.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[a-zA-Z]:/.test(unified)) throw new VerifySetupError(`staged path is absolute: ${p}`);
  const norm = path.posix.normalize(unified).replace(/^(\.\/)+/, '').replace(/\/$/, '');
  if (norm === '' || norm === '.' || norm === '..' || norm.startsWith('../')) {
    throw new VerifySetupError(`staged path leaves the workspace: ${p}`);
  }
  return norm;
}

async function mirrorNodeModules(src: string, dest: string): Promise<void> {
  await fs.mkdir(dest, { recursive: true });
  let entries: string[];
  try {
    entries = await fs.readdir(src);
  } catch {
    return;
  }
  for (const name of entries) {
    if (NOT_LINKED_IN_NODE_MODULES.has(name)) continue;
    await fs.symlink(path.join(src, name), path.join(dest, name), process.platform === 'win32' ? 'junction' : undefined);
  }
}

/**
 * Recreates the workspace link `rel` in the copy when it leads inside the workspace: as a relative link to
 * the same place in the copy. Returns why it was dropped otherwise.
 */
export async function recreateLink(src: string, root: string, rel: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await fs.realpath(path.join(src, rel));
  } catch {
    return 'it leads nowhere';
  }
  const inside = path.relative(src, real);
  if (leavesRoot(inside)) return 'it leads outside the workspace';
  const at = path.join(root, rel);
  const target = path.join(root, inside);
  await fs.mkdir(path.dirname(at), { recursive: true });
  if (process.platform === 'win32') {
    // Junctions need absolute targets; this one is inside the copy.
    await fs.symlink(target, at, (await fs.stat(real)).isDirectory() ? 'junction' : 'file');
  } else {
    await fs.symlink(path.relative(path.dirname(at), target) || '.', at);
  }
  return undefined;
}

/** True when a folder above `rel` in `root` is a symlink (a staged file there would be written through it). */
export async function hasSymlinkParent(root: string, rel: string): Promise<boolean> {
  const parts = rel.split('/').slice(0, -1);
  let cur = root;
  for (const part of parts) {
    cur = path.join(cur, part);
    try {
      if ((await fs.lstat(cur)).isSymbolicLink()) return true;
    } catch {
      return false; // does not exist yet: mkdir will create a real folder
    }
  }
  return false;
}

/** Why a staged path is not put in a view, or `undefined` when it may be. */
export function refusedStagedPath(rel: string): string | undefined {
  const first = rel.split('/')[0]!.toLowerCase();
  if (rel.split('/').some((s) => s === 'node_modules') || first === '.git') return 'staged files under node_modules or .git are not materialised';
  return undefined;
}

/** A file system error that means "it changed under us" (deleted, replaced, made a folder) rather than a broken copy. */
export function changedMeanwhile(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP';
}

/**
 * Copies the workspace folder `rel` of `src` into `root`, skipping what {@link materialise} skips. A file or
 * folder deleted or replaced while the copy runs (a build, an editor's save) is left as it is found or
 * left out: the workspace is a moving target, and a check must not become "unverified" for it.
 */
/**
 * What the workspace lister lets through (ignore rules, built-in skips and secrets applied): the files to
 * copy. Everything else that is not skipped outright (an ignored virtualenv, build output, logs) is linked
 * into the copy, not copied: a 600 MB `.venv` costs one symlink. Only for a sandboxed copy, where the
 * workspace behind the links is read-only.
 */
export interface LinkIgnored {
  /** Workspace-relative files (`/` separators) the lister lists. */
  listed: ReadonlySet<string>;
  /** Every folder holding a listed file at some depth. */
  folders: ReadonlySet<string>;
}

/** The {@link LinkIgnored} of a listing. */
export function linkIgnoredOf(files: readonly string[]): LinkIgnored {
  const folders = new Set<string>();
  for (const f of files) {
    for (let d = path.posix.dirname(f); d !== '.' && !folders.has(d); d = path.posix.dirname(d)) folders.add(d);
  }
  return { listed: new Set(files), folders };
}

interface Found {
  nodeModules: string[];
  links: string[];
  /** Ignored files and folders, linked to the user's. */
  bulk: string[];
}

async function copyTree(src: string, root: string, rel: string, found: Found, ignored?: LinkIgnored): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(path.join(src, rel), { withFileTypes: true });
  } catch (e) {
    if (changedMeanwhile(e) || (e as NodeJS.ErrnoException).code === 'EACCES') return;
    throw e;
  }
  await fs.mkdir(path.join(root, rel), { recursive: true });
  // The entries of a folder are copied at once (the thread pool bounds the real concurrency): a copy is
  // mostly waiting on the file system.
  await Promise.all(
    entries.map(async (e) => {
      const child = rel ? path.join(rel, e.name) : e.name;
      if (isSecretPath(e.name)) return;
      const slashed = child.split(path.sep).join('/');
      if (e.isSymbolicLink()) {
        found.links.push(child);
        return;
      }
      if (e.isDirectory()) {
        if (e.name === 'node_modules') found.nodeModules.push(child);
        else if (SKIPPED_DIRS.has(e.name) || REGENERATED_DIRS.has(e.name)) return;
        else if (ignored && !ignored.folders.has(slashed)) found.bulk.push(child);
        else await copyTree(src, root, child, found, ignored);
        return;
      }
      // FIFOs, sockets and devices are left out (copying one fails or blocks), and so is what cannot be read.
      if (!e.isFile()) return;
      if (ignored && !ignored.listed.has(slashed)) {
        found.bulk.push(child);
        return;
      }
      try {
        await fs.copyFile(path.join(src, child), path.join(root, child), fsConstants.COPYFILE_FICLONE);
      } catch (err) {
        if (!changedMeanwhile(err) && (err as NodeJS.ErrnoException).code !== 'EACCES' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      }
    }),
  );
}

/**
 * Copies `workspaceDir` and overlays `layers` in `target` (a new folder; default a new temp folder).
 * Secrets (`.env*`) are never copied.
 */
export async function materialise(workspaceDir: string, layers: readonly StagedLayer[] = [], target?: string, ignored?: LinkIgnored): Promise<Materialised> {
  const src = await fs.realpath(workspaceDir);
  if (target !== undefined) await fs.mkdir(target);
  const root = await fs.realpath(target ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'agensflow-verify-'))));
  const refused: Array<{ path: string; reason: string }> = [];
  const droppedLinks: Array<{ path: string; reason: string }> = [];
  const dispose = async (): Promise<void> => {
    await fs.rm(root, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    const found: Found = { nodeModules: [], links: [], bulk: [] };
    // A folder that receives a staged file is copied, not linked (a staged file is never written through a link).
    if (ignored) {
      const staged = linkIgnoredOf(layers.flatMap((l) => [...l.keys()].map(normaliseRelPath)));
      ignored = { listed: ignored.listed, folders: new Set([...ignored.folders, ...staged.folders]) };
    }
    // A reader of the workspace: a patch being applied by this process (a writer) never overlaps the copy.
    await withWorkspaceLock(src, 'read', async () => {
      await copyTree(src, root, '', found, ignored);
      for (const rel of found.links) {
        const reason = await recreateLink(src, root, rel).catch((e: unknown) => (changedMeanwhile(e) ? 'it changed while the copy was made' : Promise.reject(e)));
        if (reason !== undefined) droppedLinks.push({ path: rel.split(path.sep).join('/'), reason });
      }
    });
    for (const rel of found.nodeModules) await mirrorNodeModules(path.join(src, rel), path.join(root, rel));
    for (const rel of found.bulk) await fs.symlink(path.join(src, rel), path.join(root, rel));

    const merged = new Map<string, Buffer | string | null>();
    for (const layer of layers) for (const [p, content] of layer) merged.set(normaliseRelPath(p), content);
    for (const [rel, content] of merged) {
      const why = refusedStagedPath(rel);
      if (why) {
        refused.push({ path: rel, reason: why });
        continue;
      }
      if (await hasSymlinkParent(root, rel)) {
        refused.push({ path: rel, reason: 'a parent folder is a symlink' });
        continue;
      }
      const dest = path.join(root, ...rel.split('/'));
      // Never write through a symlink that sits where the staged file goes.
      await fs.rm(dest, { force: true }).catch(() => undefined);
      if (content === null) continue;
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.writeFile(dest, content);
    }
  } catch (e) {
    await dispose();
    throw e instanceof VerifySetupError ? e : new VerifySetupError(`cannot materialise the workspace: ${(e as Error).message}`);
  }
  return {
    root,
    refused,
    droppedLinks,
    exists: async (rel) => {
      try {
        return (await fs.lstat(path.join(root, ...normaliseRelPath(rel).split('/')))).isFile();
      } catch {
        return false;
      }
    },
    dispose,
  };
}
