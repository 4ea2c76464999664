/**
 * Applying a task's patch to the workspace: all or nothing, each file written atomically and verified
 * (src/core/fs/atomicWrite), files already written rolled back when a later one fails. Each file's folder is
 * held open (see holdWorkspaceDir) and the file re-checked at the moment it is written. A file whose content changed since the run read
 * it makes the whole patch "conflicted": user edits are never overwritten. Paths are checked again here
 * (realpath, protected paths), because the workspace may have changed since the agent staged them.
 * Pure core: the VS Code side reuses {@link checkPatch} and the patch contents for its WorkspaceEdit.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describeFsError, nodeWriteIo, removeStrayTemps, writeFileVerified, type WriteIo } from '../fs/atomicWrite';
import { errnoCode } from './errors';
import { hashBytes, type TaskPatch } from './patch';
import { withWorkspaceLock } from './workspaceLock';
import { holdWorkspaceDir, isUnsafePathError, readHeldFile, WorkspaceGuard, type HeldDir } from './workspacePaths';

export interface PatchConflict {
  path: string;
  reason: string;
}

interface Target {
  path: string;
  absolute: string;
  /** The bytes there now (`null`: absent), kept for rollback. */
  current: Buffer | null;
}

export type PatchCheck = { ok: true; targets: Target[] } | { ok: false; conflicts: PatchConflict[] };

export type ApplyResult =
  | { state: 'applied'; files: string[] }
  | { state: 'conflicted'; conflicts: PatchConflict[] }
  | { state: 'failed'; error: string; rolledBack: boolean };

/**
 * Records on `patch` what applying it did: applied (any old reason cleared), conflicted (the conflicts'
 * reasons), or failed (the state is kept; the error, and whether the rollback completed, become the reason).
 */
export function recordApplyResult(patch: TaskPatch, res: ApplyResult): void {
  if (res.state === 'applied') {
    patch.state = 'applied';
    delete patch.reason;
  } else if (res.state === 'conflicted') {
    patch.state = 'conflicted';
    patch.reason = res.conflicts.map((c) => c.reason).join('; ');
  } else {
    patch.reason = res.error + (res.rolledBack ? ' (rolled back)' : ' (rollback incomplete)');
  }
}

/** File operations used by {@link applyPatch}; tests inject faults here. Paths name a file inside a held folder. */
export interface ApplyFs {
  writeFile(absolute: string, content: string): Promise<void>;
  restoreFile(absolute: string, content: Buffer): Promise<void>;
  unlink(absolute: string): Promise<void>;
}

/** The apply operations over a {@link WriteIo} (every write verified; see src/core/fs/atomicWrite). */
export function applyFsOver(io: WriteIo = nodeWriteIo): ApplyFs {
  return {
    writeFile: (abs, content) => writeFileVerified(abs, content, { io }),
    restoreFile: (abs, content) => writeFileVerified(abs, content, { io }),
    unlink: (abs) => io.unlink(abs),
  };
}

const realFs: ApplyFs = applyFsOver();

async function readCurrent(abs: string): Promise<Buffer | null | 'dir'> {
  try {
    return await fs.readFile(abs);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'EISDIR') return 'dir';
    throw e;
  }
}

/** Whether every file of `patch` can be applied now: paths still safe, workspace files still as the run saw them. */
export async function checkPatch(root: string, patch: TaskPatch): Promise<PatchCheck> {
  const guard = new WorkspaceGuard(root);
  const conflicts: PatchConflict[] = [];
  const targets: Target[] = [];
  for (const f of patch.files) {
    const chk = await guard.check(f.path, 'write');
    if (!chk.ok) {
      conflicts.push({ path: f.path, reason: chk.reason });
      continue;
    }
    let current: Buffer | null | 'dir';
    try {
      current = await readCurrent(chk.absolute);
    } catch (e) {
      conflicts.push({ path: f.path, reason: `cannot read ${f.path}: ${(e as Error).message}` });
      continue;
    }
    if (current === 'dir') {
      conflicts.push({ path: f.path, reason: `${f.path} is now a folder` });
      continue;
    }
    const hash = current === null ? null : hashBytes(current);
    const afterHash = f.after === null ? null : hashBytes(f.after);
    if (hash !== f.baseHash && hash === afterHash) {
      // Already as the patch wants it (e.g. applied just before a crash, before the journal said so).
      continue;
    }
    if (hash !== f.baseHash) {
      const reason =
        f.baseHash === null ? `${f.path} was created in the workspace since the run started` : hash === null ? `${f.path} no longer exists` : `${f.path} changed since the run read it`;
      conflicts.push({ path: f.path, reason });
      continue;
    }
    targets.push({ path: f.path, absolute: chk.absolute, current });
  }
  return conflicts.length ? { ok: false, conflicts } : { ok: true, targets };
}

/**
 * Applies `patch` to the workspace at `root`, all or nothing. Never throws for a file-system failure: the
 * result says what happened. The patch object is not modified; the caller records the new state.
 */
export function applyPatch(root: string, patch: TaskPatch, ops: ApplyFs = realFs): Promise<ApplyResult> {
  // Holds the workspace alone: a verification copying it meanwhile would see half a patch (or a temporary file vanish).
  return withWorkspaceLock(root, 'write', () => applyLocked(root, patch, ops));
}

/** What was there when the patch was checked differs from what is there at the moment of writing. */
class ChangedMeanwhileError extends Error {
  override readonly name = 'ChangedMeanwhileError' as const;
}

/** A file the user made read-only (no write bit for anyone): we do not replace it, even as root (W1). */
class ReadOnlyFileError extends Error {
  override readonly name = 'ReadOnlyFileError' as const;
  readonly code = 'EACCES';
}

async function applyLocked(root: string, patch: TaskPatch, ops: ApplyFs): Promise<ApplyResult> {
  const check = await checkPatch(root, patch);
  if (!check.ok) return { state: 'conflicted', conflicts: check.conflicts };
  const byPath = new Map(patch.files.map((f) => [f.path, f]));
  const realRoot = await fs.realpath(root);
  // Each target's folder is reached without following symlinks and held open; every write and rollback goes
  // through the held folder, so a folder swapped for a symlink meanwhile cannot send a byte outside (break 4).
  const held = new Map<string, HeldDir>();
  const hold = async (relDir: string, create: boolean): Promise<HeldDir> => {
    let h = held.get(relDir);
    if (!h) {
      h = await holdWorkspaceDir(realRoot, relDir, create);
      held.set(relDir, h);
      await removeStrayTemps(h.path);
    }
    return h;
  };
  const done: Array<{ target: Target; file: string }> = [];
  let current: Target | undefined;
  /** The file whose operation is under way: restored only if that operation changed it before failing. */
  let failing: { target: Target; file: string; dir: HeldDir; name: string } | undefined;
  let verb = 'write';
  try {
    for (const t of check.targets) {
      const f = byPath.get(t.path);
      if (!f) continue;
      current = t;
      verb = f.after === null ? 'delete' : 'write';
      const relReal = path.relative(realRoot, t.absolute).split(path.sep).join('/');
      const relDir = path.posix.dirname(relReal);
      const dir = await hold(relDir === '.' ? '' : relDir, f.after !== null);
      const file = path.join(dir.path, path.posix.basename(relReal));
      // Re-verified at the moment of writing: still what the check saw (not a symlink, not edited meanwhile).
      const now = await readHeldFile(dir, path.posix.basename(relReal));
      if (!sameBytes(now?.data ?? null, t.current)) throw new ChangedMeanwhileError(`${t.path} changed while the patch was being applied`);
      if (now && (now.mode & 0o222) === 0) throw new ReadOnlyFileError(`${t.path} is read-only`);
      failing = { target: t, file, dir, name: path.posix.basename(relReal) };
      if (f.after === null) await ops.unlink(file);
      else await ops.writeFile(file, f.after);
      done.push({ target: t, file });
      failing = undefined;
    }
    return { state: 'applied', files: patch.files.map((f) => f.path) };
  } catch (e) {
    let rolledBack = true;
    if (failing) {
      const now = await readHeldFile(failing.dir, failing.name).catch(() => undefined);
      if (now === undefined || !sameBytes(now?.data ?? null, failing.target.current)) done.push(failing);
    }
    for (const { target, file } of done.reverse()) {
      try {
        if (target.current === null) await fs.rm(file, { force: true });
        else await ops.restoreFile(file, target.current);
      } catch {
        rolledBack = false;
      }
    }
    for (const h of [...held.values()].reverse()) await h.removeCreated();
    const rel = current?.path ?? '?';
    if (e instanceof ChangedMeanwhileError) return { state: 'conflicted', conflicts: [{ path: rel, reason: e.message }] };
    const why = isUnsafePathError(e) ? `${e.message}; nothing is written through it` : describeFsError(e);
    return { state: 'failed', error: `cannot ${verb} ${rel}: ${why}`, rolledBack };
  } finally {
    for (const h of held.values()) await h.close();
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}
