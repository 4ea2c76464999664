/**
 * The review state of a task's patch, per file, shared by every front end: accepting or rejecting single
 * files leaves the patch `proposed` until every file is decided; the CLI's `apply` never writes a file the
 * user rejected. Per-file decisions live in the patch file (`TaskPatch.fileStates`). A patch's "applied"
 * files are re-derived on demand ({@link reconcilePatch}): when the workspace holds a file's base content
 * again (an Undo, a revert), that file is undecided again and the patch is back to `proposed`.
 * This file is the one owner of a patch's state: every front end and the apply path change it through the
 * functions here ({@link decide}, {@link recordApplyResult}, {@link undecide}, {@link reconcilePatch}).
 */
import { promises as fs } from 'node:fs';
import type { ApplyResult } from './apply';
import type { PatchState } from './events';
import { errnoCode } from './errors';
import { hasConflictMarkers } from './merge3';
import { hashBytes, type FileDecision, type FilePatch, type TaskPatch } from './patch';
import { WorkspaceGuard } from './workspacePaths';

/** Whether the patch still waits for a decision (proposed, or conflicted and retried after a fix). */
export function isOpen(patch: Pick<TaskPatch, 'state'>): boolean {
  return patch.state === 'proposed' || patch.state === 'conflicted';
}

/** Whether the patch (or part of it) is in the workspace: applied, merged, or written with conflict markers. */
export function isAccepted(state: PatchState): boolean {
  return state === 'applied' || state === 'merged' || state === 'conflicted-markers';
}

/** A file's decision: its own entry, else the whole patch's when that was decided as a whole. */
export function fileDecision(patch: TaskPatch, path: string): FileDecision | undefined {
  const own = patch.fileStates?.[path];
  if (own) return own;
  return isAccepted(patch.state) ? 'applied' : patch.state === 'rejected' ? 'rejected' : undefined;
}

/** The files of `patch` still undecided, limited to `paths` when given. */
export function pendingFiles(patch: TaskPatch, paths?: readonly string[]): FilePatch[] {
  const wanted = paths ? new Set(paths) : undefined;
  return patch.files.filter((f) => !patch.fileStates?.[f.path] && (!wanted || wanted.has(f.path)));
}

/**
 * The patch's state from its per-file decisions: proposed while a file is undecided, rejected when no file was
 * applied, else how its applied files were written (markers left to resolve, merged, or applied as proposed).
 */
function stateOf(patch: TaskPatch, states: Record<string, FileDecision>): PatchState {
  if (patch.files.some((f) => !states[f.path])) return 'proposed';
  const applied = patch.files.filter((f) => states[f.path] === 'applied');
  if (applied.length === 0) return 'rejected';
  const hows = applied.map((f) => patch.applied?.[f.path]?.how);
  return hows.includes('markers') ? 'conflicted-markers' : hows.includes('merged') ? 'merged' : 'applied';
}

/** The reason shown while files hold conflict markers to resolve. */
function markersReason(patch: TaskPatch): string | undefined {
  const files = Object.entries(patch.applied ?? {}).filter(([p, a]) => a.how === 'markers' && patch.fileStates?.[p] !== 'rejected').map(([p]) => p);
  return files.length ? `conflict markers to resolve in ${files.join(', ')}` : undefined;
}

/**
 * Records on `patch` what applying it did: applied (how each file was written, kept for Undo; the files'
 * decisions; the state then says applied, merged or conflict markers), conflicted (the conflicts' reasons), or
 * failed (the state is kept; the error, and whether the rollback completed, become the reason).
 */
export function recordApplyResult(patch: TaskPatch, res: ApplyResult): void {
  if (res.state === 'applied') {
    patch.applied = { ...patch.applied, ...res.written };
    if (patch.fileStates || patch.files.some((f) => !res.files.includes(f.path))) decide(patch, res.files, 'applied');
    else {
      // Applied as a whole: no per-file entries (the state says it all).
      patch.state = stateOf(patch, Object.fromEntries(patch.files.map((f) => [f.path, 'applied' as const])));
      delete patch.reason;
    }
    const why = markersReason(patch);
    if (why) patch.reason = why;
  } else if (res.state === 'conflicted') {
    patch.state = 'conflicted';
    patch.reason = res.conflicts.map((c) => c.reason).join('; ');
  } else {
    patch.reason = res.error + (res.rolledBack ? ' (rolled back)' : ' (rollback incomplete)');
  }
}

/**
 * Makes `files` undecided again (Undo Accept once the workspace holds their earlier bytes, Undo Reject): their
 * decisions and their apply records are dropped; the patch is `proposed` again.
 */
export function undecide(patch: TaskPatch, files: readonly string[]): PatchState {
  const drop = new Set(files);
  const states: Record<string, FileDecision> = {};
  for (const f of patch.files) {
    const d = fileDecision(patch, f.path);
    if (d && !drop.has(f.path)) states[f.path] = d;
  }
  patch.fileStates = states;
  if (patch.applied) {
    const kept = Object.fromEntries(Object.entries(patch.applied).filter(([p]) => !drop.has(p)));
    if (Object.keys(kept).length) patch.applied = kept;
    else delete patch.applied;
  }
  patch.state = patch.files.length === 0 ? 'proposed' : stateOf(patch, states);
  delete patch.reason;
  const why = markersReason(patch);
  if (why) patch.reason = why;
  return patch.state;
}

/**
 * Records `decision` for `files` and returns the patch's state afterwards: still `proposed` while files are
 * undecided, else `applied` when any file was applied, `rejected` when none was.
 */
export function decide(patch: TaskPatch, files: readonly string[], decision: FileDecision): PatchState {
  const states = { ...patch.fileStates };
  for (const f of files) states[f] = decision;
  patch.fileStates = states;
  patch.state = patch.files.length === 0 ? decision : stateOf(patch, states);
  delete patch.reason;
  return patch.state;
}

/**
 * The workspace text of a path: `null` when the file does not exist, `undefined` when it cannot be told
 * (unreadable, a folder, a refused path): such a file keeps its decision.
 */
export type WorkspaceTextReader = (path: string) => Promise<string | null | undefined>;

/** Reads workspace files from disk, through the same path checks as applying. */
export function diskTextReader(root: string): WorkspaceTextReader {
  const guard = new WorkspaceGuard(root);
  return async (rel) => {
    const chk = await guard.check(rel, 'write');
    if (!chk.ok) return undefined;
    try {
      return await fs.readFile(chk.absolute, 'utf8');
    } catch (e) {
      return errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR' ? null : undefined;
    }
  };
}

/**
 * Re-derives the applied files of `patch` from the workspace: a file decided `applied` whose workspace
 * content equals its base again (and not the proposal) was reverted, so it becomes undecided and the patch
 * `proposed` again. Rejected files stay rejected. Mutates `patch`; returns the reverted paths (none: unchanged).
 */
export async function reconcilePatch(patch: TaskPatch, read: WorkspaceTextReader): Promise<string[]> {
  if (patch.files.length === 0) return [];
  const reverted: string[] = [];
  let resolved = false;
  for (const f of patch.files) {
    if (fileDecision(patch, f.path) !== 'applied') continue;
    const text = await read(f.path);
    if (text === undefined) continue;
    const hash = text === null ? null : hashBytes(text);
    const { prior, written } = appliedBytes(patch, f);
    const priorHash = prior === undefined ? f.baseHash : prior === null ? null : hashBytes(prior);
    if (hash === priorHash && hash !== (written === null ? null : hashBytes(written))) reverted.push(f.path);
    else if (patch.applied?.[f.path]?.how === 'markers' && text !== null && !hasConflictMarkers(text)) {
      // The user resolved the conflict markers: the file now holds both sides as they chose (merged). The
      // resolution is the accept's outcome: Undo Accept puts back the version from before it (edits made after
      // the resolution are still merged or refuse the undo).
      patch.applied[f.path] = { ...patch.applied[f.path], how: 'merged', written: text };
      resolved = true;
    }
  }
  if (reverted.length === 0 && !resolved) return [];
  if (reverted.length) undecide(patch, reverted);
  else {
    patch.state = stateOf(patch, Object.fromEntries(patch.files.map((f) => [f.path, fileDecision(patch, f.path)]).filter((e): e is [string, FileDecision] => e[1] !== undefined)));
    delete patch.reason;
    const why = markersReason(patch);
    if (why) patch.reason = why;
  }
  return reverted;
}

/**
 * What applying `f` replaced (`prior`, `null`: absent; `undefined`: not known) and what it wrote (`null`:
 * deleted). Without a record (a patch applied before they were kept) the run's base content stands in, when
 * it is exactly what the run read.
 */
export function appliedBytes(patch: TaskPatch, f: FilePatch): { prior: Buffer | null | undefined; written: Buffer | null } {
  const rec = patch.applied?.[f.path];
  const written = rec?.written !== undefined ? Buffer.from(rec.written, 'utf8') : f.after === null ? null : Buffer.from(f.after, 'utf8');
  if (rec) return { prior: rec.prior === null ? null : Buffer.from(rec.prior, 'base64'), written };
  if (f.baseHash === null) return { prior: null, written };
  return { prior: f.before !== null && hashBytes(f.before) === f.baseHash ? Buffer.from(f.before, 'utf8') : undefined, written };
}
