/**
 * Applying a task's patch to the workspace: all or nothing, each file written atomically (write-file-atomic),
 * files already written rolled back when a later one fails. A file whose content changed since the run read
 * it makes the whole patch "conflicted": user edits are never overwritten. Paths are checked again here
 * (realpath, protected paths), because the workspace may have changed since the agent staged them.
 * Pure core: the VS Code side reuses {@link checkPatch} and the patch contents for its WorkspaceEdit.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { errnoCode } from './errors';
import { hashBytes, type TaskPatch } from './patch';
import { withWorkspaceLock } from './workspaceLock';
import { WorkspaceGuard } from './workspacePaths';

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

/** File operations used by {@link applyPatch}; tests inject faults here. */
export interface ApplyFs {
  writeFile(absolute: string, content: string): Promise<void>;
  restoreFile(absolute: string, content: Buffer): Promise<void>;
  unlink(absolute: string): Promise<void>;
}

const realFs: ApplyFs = {
  writeFile: (abs, content) => writeFileAtomic(abs, content, { encoding: 'utf8' }),
  restoreFile: (abs, content) => writeFileAtomic(abs, content),
  unlink: (abs) => fs.unlink(abs),
};

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

/** Creates the missing folders above `abs`, returning those it created (deepest last). */
async function ensureParent(abs: string): Promise<string[]> {
  const missing: string[] = [];
  let dir = path.dirname(abs);
  for (;;) {
    try {
      await fs.stat(dir);
      break;
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
      missing.push(dir);
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  missing.reverse();
  const created: string[] = [];
  for (const d of missing) {
    try {
      await fs.mkdir(d);
      created.push(d);
    } catch (e) {
      // Made meanwhile by someone else: not ours to remove on rollback.
      if (errnoCode(e) !== 'EEXIST') throw e;
    }
  }
  return created;
}

/**
 * Applies `patch` to the workspace at `root`, all or nothing. Never throws for a file-system failure: the
 * result says what happened. The patch object is not modified; the caller records the new state.
 */
export function applyPatch(root: string, patch: TaskPatch, ops: ApplyFs = realFs): Promise<ApplyResult> {
  // Holds the workspace alone: a verification copying it meanwhile would see half a patch (or a temporary file vanish).
  return withWorkspaceLock(root, 'write', () => applyLocked(root, patch, ops));
}

async function applyLocked(root: string, patch: TaskPatch, ops: ApplyFs): Promise<ApplyResult> {
  const check = await checkPatch(root, patch);
  if (!check.ok) return { state: 'conflicted', conflicts: check.conflicts };
  const byPath = new Map(patch.files.map((f) => [f.path, f]));
  const done: Target[] = [];
  const createdDirs: string[] = [];
  try {
    for (const t of check.targets) {
      const f = byPath.get(t.path);
      if (!f) continue;
      done.push(t);
      if (f.after === null) {
        await ops.unlink(t.absolute);
      } else {
        createdDirs.push(...(await ensureParent(t.absolute)));
        await ops.writeFile(t.absolute, f.after);
      }
    }
    return { state: 'applied', files: patch.files.map((f) => f.path) };
  } catch (e) {
    const error = `cannot write ${done.at(-1)?.path ?? '?'}: ${(e as Error).message}`;
    let rolledBack = true;
    for (const t of done.reverse()) {
      try {
        if (t.current === null) await fs.rm(t.absolute, { force: true });
        else await ops.restoreFile(t.absolute, t.current);
      } catch {
        rolledBack = false;
      }
    }
    for (const d of createdDirs.reverse()) await fs.rmdir(d).catch(() => undefined);
    return { state: 'failed', error, rolledBack };
  }
}
