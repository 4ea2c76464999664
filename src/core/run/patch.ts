/**
 * Patches: what a task changed, one entry per file, with the hash of the base it was made against and a
 * unified diff (the `diff` library). Plain JSON, stored in the journal and reused by the VS Code review.
 */
import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { PatchState } from './events';

export type FileChange = 'created' | 'modified' | 'deleted';

export interface FilePatch {
  path: string;
  change: FileChange;
  /** sha256 (hex) of the workspace file when the run first read or staged it; `null` when it did not exist. */
  baseHash: string | null;
  /** The base content as text (`null` when created). */
  before: string | null;
  /** The new content (`null` when deleted). */
  after: string | null;
  /** Unified diff `a/<path>` -> `b/<path>`. */
  diff: string;
}

export interface TaskPatch {
  version: 1;
  runId: string;
  taskId: string;
  state: PatchState;
  /** Why the patch is conflicted or failed to apply. */
  reason?: string;
  files: FilePatch[];
  /**
   * Per-file decisions made in review (VS Code's per-file accept/reject; the CLI's `apply` honours them).
   * A file without an entry is undecided while the patch is open; see ./patchReview.
   */
  fileStates?: Record<string, FileDecision>;
  /**
   * How the task's verification ended. Written with the patch, before the run record names the task finished,
   * so a resume after a crash (or a full disk) between the two still knows the task is done.
   */
  verified?: 'passed' | 'unverified';
  /**
   * Set (to the time) while the patch is being applied, and saved before the first file is touched: a patch
   * found with this mark was cut off mid-apply (the process was killed), and the next apply or resume finishes
   * it (files already written are recognised by their hash).
   */
  applying?: number;
  /**
   * What applying wrote, per file: the bytes it replaced and, when it was not the proposal itself, the text it
   * wrote. Undo Accept puts back exactly those bytes. Absent in patches applied before this was recorded:
   * their base content stands in.
   */
  applied?: Record<string, AppliedFile>;
}

/** How an applied file was written, and what it replaced. */
export interface AppliedFile {
  /** `written`: the proposal as is; `merged`: merged with the user's changes; `markers`: with conflict markers. */
  how: 'written' | 'merged' | 'markers';
  /** The workspace bytes before the apply, base64; `null` when the file did not exist. */
  prior: string | null;
  /** The text written, when it is not the proposal's `after` (a merge, or conflict markers). */
  written?: string;
}

/** A file's decision in review. */
export type FileDecision = 'applied' | 'rejected';

/** A patch as the run record and the `patch` event carry it: its state, its files' paths and, if any, why. */
export interface PatchSummary {
  state: PatchState;
  files: string[];
  reason?: string;
}

/** The {@link PatchSummary} of `patch`. */
export function patchSummary(patch: TaskPatch): PatchSummary {
  return { state: patch.state, files: patch.files.map((f) => f.path), ...(patch.reason ? { reason: patch.reason } : {}) };
}

/** sha256 hex of file bytes. */
export function hashBytes(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** One file's entry, or `undefined` when the staged content equals the base (nothing to apply). */
export function makeFilePatch(rel: string, base: { hash: string | null; content: string | null }, after: string | null): FilePatch | undefined {
  if (after === null && base.hash === null) return undefined; // created then deleted again
  if (after !== null && base.hash !== null && base.content === after) return undefined;
  const change: FileChange = base.hash === null ? 'created' : after === null ? 'deleted' : 'modified';
  const diff = createTwoFilesPatch(change === 'created' ? '/dev/null' : `a/${rel}`, change === 'deleted' ? '/dev/null' : `b/${rel}`, base.content ?? '', after ?? '');
  return { path: rel, change, baseHash: base.hash, before: base.content, after, diff };
}

/** Lines added and removed by a patch (for reports). */
export function patchStats(patch: TaskPatch): { files: number; added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const f of patch.files) {
    for (const line of f.diff.split('\n')) {
      if (line.startsWith('+') && !line.startsWith('+++')) added++;
      else if (line.startsWith('-') && !line.startsWith('---')) removed++;
    }
  }
  return { files: patch.files.length, added, removed };
}
