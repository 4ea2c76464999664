/**
 * The review state of a task's patch, per file. The model moved to the core (src/core/run/patchReview) so
 * the CLI's `apply` honours VS Code's per-file decisions; this module keeps the review's names.
 */
import type { TaskPatch } from '../../core/run/patch';

export type { FileDecision } from '../../core/run/patch';
export { decide, isOpen, pendingFiles, reconcilePatch, fileDecision } from '../../core/run/patchReview';

/** A stored patch with the per-file decisions made in review (now part of the core's patch). */
export type ReviewedPatch = TaskPatch;
