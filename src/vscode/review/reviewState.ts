/**
 * The review state of a task's patch, per file: accepting or rejecting single files leaves the patch
 * `proposed` until every file is decided. Decisions are stored in the patch file of the journal as an extra
 * field the core ignores (`fileStates`), so the patch format stays the core's. Pure: unit-tested in Node.
 */
import type { PatchState } from '../../core/run/events';
import type { FilePatch, TaskPatch } from '../../core/run/patch';

/** A file's decision in review. */
export type FileDecision = 'applied' | 'rejected';

/** A stored patch with the per-file decisions made in VS Code. */
export interface ReviewedPatch extends TaskPatch {
  fileStates?: Record<string, FileDecision>;
}

/** Whether the patch still waits for a decision (proposed, or conflicted and retried after a fix). */
export function isOpen(patch: Pick<TaskPatch, 'state'>): boolean {
  return patch.state === 'proposed' || patch.state === 'conflicted';
}

/** The files of `patch` still undecided, limited to `paths` when given. */
export function pendingFiles(patch: ReviewedPatch, paths?: readonly string[]): FilePatch[] {
  const wanted = paths ? new Set(paths) : undefined;
  return patch.files.filter((f) => !patch.fileStates?.[f.path] && (!wanted || wanted.has(f.path)));
}

/**
 * Records `decision` for `files` and returns the patch's state afterwards: still `proposed` while files are
 * undecided, else `applied` when any file was applied, `rejected` when none was.
 */
export function decide(patch: ReviewedPatch, files: readonly string[], decision: FileDecision): PatchState {
  const states = { ...patch.fileStates };
  for (const f of files) states[f] = decision;
  patch.fileStates = states;
  const undecided = patch.files.some((f) => !states[f.path]);
  if (patch.files.length === 0) {
    patch.state = decision;
  } else if (undecided) {
    patch.state = 'proposed';
  } else {
    patch.state = patch.files.some((f) => states[f.path] === 'applied') ? 'applied' : 'rejected';
  }
  delete patch.reason;
  return patch.state;
}
