/**
 * Applying a task's patch to the workspace: all or nothing, each file written atomically and verified
 * (src/core/fs/atomicWrite), files already written rolled back when a later one fails. Each file's folder is
 * held open (see holdWorkspaceDir) and the file re-checked at the moment it is written. A text file the user
 * changed since the run read it is merged three ways (base, the user's version, the proposal; see ./merge3):
 * a clean merge keeps both sets of changes; an overlap makes the whole patch "conflicted" and writes nothing,
 * unless the caller asked for conflict markers. User edits are never overwritten. Paths are checked again here
 * (realpath, protected paths), because the workspace may have changed since the agent staged them.
 * Pure core: the VS Code side reuses {@link checkPatch} and the patch contents for its WorkspaceEdit.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describeFsError, nodeWriteIo, removeStrayTemps, writeFileVerified, type WriteIo } from '../fs/atomicWrite';
import { errnoCode } from './errors';
import { describeRange, mergeThreeWay, type MergeHunk } from './merge3';
import { hashBytes, type AppliedFile, type FilePatch, type TaskPatch } from './patch';
import { withWorkspaceLock } from './workspaceLock';
import { holdWorkspaceDir, isUnsafePathError, readHeldFile, WorkspaceGuard, type HeldDir } from './workspacePaths';

export interface PatchConflict {
  path: string;
  reason: string;
  /** Where the proposal overlaps the user's changes (a text file changed on both sides). */
  hunks?: MergeHunk[];
}

/** A file about to be written. */
export interface Target {
  path: string;
  absolute: string;
  /** The bytes there now (`null`: absent), kept for rollback. */
  current: Buffer | null;
  /** What to write (`null`: delete): the proposal, its merge with the user's changes, or (Undo) earlier bytes. */
  content: string | Buffer | null;
  how: AppliedFile['how'];
  /** With `how: 'markers'`: the overlapping hunks the markers surround. */
  hunks?: MergeHunk[];
}

export type PatchCheck = { ok: true; targets: Target[] } | { ok: false; conflicts: PatchConflict[] };

export type ApplyResult =
  /** `written`: per file written, how and what it replaced (files already as proposed have no entry). */
  | { state: 'applied'; files: string[]; written: Record<string, AppliedFile>; markers: PatchConflict[] }
  | { state: 'conflicted'; conflicts: PatchConflict[] }
  | { state: 'failed'; error: string; rolledBack: boolean };

export interface CheckOptions {
  /** Write overlapping changes with conflict markers instead of refusing the patch (the user asked for it). */
  markers?: boolean;
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

/** The reason of an overlap, naming each hunk's lines in the user's file and in the proposal. */
export function describeOverlap(path: string, hunks: readonly MergeHunk[]): string {
  const where = hunks.map((h) => `your ${describeRange(h.yours)} against the proposal's ${describeRange(h.proposed)}`).join(', ');
  return `${path} changed since the run read it, and the changes overlap: ${where}`;
}

/**
 * What to write over a file that changed since the run read it: the three-way merge of base, the user's
 * version and the proposal; a conflict when they overlap (or, with `markers`, the text with conflict markers),
 * or when the file is no text both sides can be merged as.
 */
function mergeTarget(f: FilePatch, current: Buffer, markers: boolean): { content: string; how: 'merged' | 'markers'; hunks?: MergeHunk[] } | PatchConflict {
  const changed = `${f.path} changed since the run read it`;
  if (f.after === null) return { path: f.path, reason: `${changed}, and the proposal deletes it` };
  // The base must be exactly what the run read (its hash), and the user's version text that survives decoding.
  if (f.before === null || hashBytes(f.before) !== f.baseHash) return { path: f.path, reason: `${changed} (no text base to merge with)` };
  const yours = current.toString('utf8');
  if (!Buffer.from(yours, 'utf8').equals(current)) return { path: f.path, reason: `${changed}, and it is not text that can be merged` };
  const merged = mergeThreeWay(f.before, yours, f.after, { yours: `${f.path} (yours)`, proposed: `${f.path} (proposed)` });
  if (merged.clean) return { content: merged.text, how: 'merged' };
  if (markers) return { content: merged.withMarkers, how: 'markers', hunks: merged.hunks };
  return { path: f.path, reason: describeOverlap(f.path, merged.hunks), hunks: merged.hunks };
}

/**
 * Whether every file of `patch` can be applied now, and what to write: paths still safe; a file the user
 * changed since the run read it is merged (see {@link mergeTarget}).
 */
export async function checkPatch(root: string, patch: TaskPatch, opts: CheckOptions = {}): Promise<PatchCheck> {
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
      if (f.baseHash === null) conflicts.push({ path: f.path, reason: `${f.path} was created in the workspace since the run started` });
      else if (current === null) conflicts.push({ path: f.path, reason: `${f.path} no longer exists` });
      else {
        const m = mergeTarget(f, current, opts.markers === true);
        if ('reason' in m) conflicts.push(m);
        else targets.push({ path: f.path, absolute: chk.absolute, current, ...m });
      }
      continue;
    }
    targets.push({ path: f.path, absolute: chk.absolute, current, content: f.after, how: 'written' });
  }
  return conflicts.length ? { ok: false, conflicts } : { ok: true, targets };
}

/**
 * Applies `patch` to the workspace at `root`, all or nothing. Never throws for a file-system failure: the
 * result says what happened. The patch object is not modified; the caller records the new state.
 */
export function applyPatch(root: string, patch: TaskPatch, ops: ApplyFs = realFs, opts: CheckOptions = {}): Promise<ApplyResult> {
  // Holds the workspace alone: a verification copying it meanwhile would see half a patch (or a temporary file vanish).
  return withWorkspaceLock(root, 'write', () => applyLocked(root, patch, ops, opts));
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

async function applyLocked(root: string, patch: TaskPatch, ops: ApplyFs, opts: CheckOptions): Promise<ApplyResult> {
  const check = await checkPatch(root, patch, opts);
  if (!check.ok) return { state: 'conflicted', conflicts: check.conflicts };
  return writeTargets(root, check.targets, ops, patch.files.map((f) => f.path));
}

/**
 * Writes `targets` (checked just before, under the workspace lock), all or nothing: each file re-verified at
 * the moment of writing, files already written rolled back when a later one fails. Also the writer of Undo.
 */
export async function writeTargets(root: string, targets: readonly Target[], ops: ApplyFs, files: string[]): Promise<ApplyResult> {
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
  const written: Record<string, AppliedFile> = {};
  const markers: PatchConflict[] = [];
  try {
    for (const t of targets) {
      current = t;
      verb = t.content === null ? 'delete' : 'write';
      const relReal = path.relative(realRoot, t.absolute).split(path.sep).join('/');
      const relDir = path.posix.dirname(relReal);
      const dir = await hold(relDir === '.' ? '' : relDir, t.content !== null);
      const file = path.join(dir.path, path.posix.basename(relReal));
      // Re-verified at the moment of writing: still what the check saw (not a symlink, not edited meanwhile).
      const now = await readHeldFile(dir, path.posix.basename(relReal));
      if (!sameBytes(now?.data ?? null, t.current)) throw new ChangedMeanwhileError(`${t.path} changed while the patch was being applied`);
      if (now && (now.mode & 0o222) === 0) throw new ReadOnlyFileError(`${t.path} is read-only`);
      failing = { target: t, file, dir, name: path.posix.basename(relReal) };
      if (t.content === null) await ops.unlink(file);
      else if (typeof t.content === 'string') await ops.writeFile(file, t.content);
      else await ops.restoreFile(file, t.content);
      done.push({ target: t, file });
      failing = undefined;
      written[t.path] = { how: t.how, prior: t.current === null ? null : t.current.toString('base64'), ...(t.how !== 'written' && typeof t.content === 'string' ? { written: t.content } : {}) };
      if (t.hunks) markers.push({ path: t.path, reason: `${t.path}: conflict markers at ${t.hunks.map((h) => `your ${describeRange(h.yours)}`).join(', ')}`, hunks: t.hunks });
    }
    return { state: 'applied', files, written, markers };
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
