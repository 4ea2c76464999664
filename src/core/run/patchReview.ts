/**
 * The review state of a task's patch, per file, shared by every front end: accepting or rejecting single
 * files leaves the patch `proposed` until every file is decided; the CLI's `apply` never writes a file the
 * user rejected. Per-file decisions live in the patch file (`TaskPatch.fileStates`). A patch's "applied"
 * files are re-derived on demand ({@link reconcilePatch}): when the workspace holds a file's base content
 * again (an Undo, a revert), that file is undecided again and the patch is back to `proposed`.
 */
import { promises as fs } from 'node:fs';
import type { PatchState } from './events';
import { errnoCode } from './errors';
import { hashBytes, type FileDecision, type FilePatch, type TaskPatch } from './patch';
import { WorkspaceGuard } from './workspacePaths';

/** Whether the patch still waits for a decision (proposed, or conflicted and retried after a fix). */
export function isOpen(patch: Pick<TaskPatch, 'state'>): boolean {
  return patch.state === 'proposed' || patch.state === 'conflicted';
}

/** A file's decision: its own entry, else the whole patch's when that was decided as a whole. */
export function fileDecision(patch: TaskPatch, path: string): FileDecision | undefined {
  const own = patch.fileStates?.[path];
  if (own) return own;
  return patch.state === 'applied' || patch.state === 'rejected' ? patch.state : undefined;
}

/** The files of `patch` still undecided, limited to `paths` when given. */
export function pendingFiles(patch: TaskPatch, paths?: readonly string[]): FilePatch[] {
  const wanted = paths ? new Set(paths) : undefined;
  return patch.files.filter((f) => !patch.fileStates?.[f.path] && (!wanted || wanted.has(f.path)));
}

/** The patch's state from its per-file decisions: proposed while a file is undecided, else applied if any file was. */
function stateOf(patch: TaskPatch, states: Record<string, FileDecision>): PatchState {
  if (patch.files.some((f) => !states[f.path])) return 'proposed';
  return patch.files.some((f) => states[f.path] === 'applied') ? 'applied' : 'rejected';
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
  for (const f of patch.files) {
    if (fileDecision(patch, f.path) !== 'applied') continue;
    const text = await read(f.path);
    if (text === undefined) continue;
    const hash = text === null ? null : hashBytes(text);
    const afterHash = f.after === null ? null : hashBytes(f.after);
    if (hash === f.baseHash && hash !== afterHash) reverted.push(f.path);
  }
  if (reverted.length === 0) return [];
  const states: Record<string, FileDecision> = {};
  for (const f of patch.files) {
    const d = fileDecision(patch, f.path);
    if (d && !reverted.includes(f.path)) states[f.path] = d;
  }
  patch.fileStates = states;
  patch.state = stateOf(patch, states);
  delete patch.reason;
  return reverted;
}
