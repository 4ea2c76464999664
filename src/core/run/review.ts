/**
 * Review mode: a run leaves its patches "proposed"; the user applies them later (`apply RUN_ID [TASK...]`)
 * or rejects them. Both go through the journal so every front end sees the same state.
 */
import { describeFsError } from '../fs/atomicWrite';
import { applyPatch, recordApplyResult, type ApplyFs, type ApplyResult } from './apply';
import { JournalError } from './errors';
import type { PatchState } from './events';
import { RunJournal } from './journal';
import { patchSummary, type FilePatch, type TaskPatch } from './patch';
import { decide, isOpen, pendingFiles } from './patchReview';
import { processWrites } from './writeGuard';

export interface ApplyReport {
  taskId: string;
  /** The patch's state afterwards, or `missing` when the task has no patch to apply. */
  state: PatchState | 'missing';
  files: string[];
  reason?: string;
  /** Files not applied because the user rejected them in review (per-file decisions). */
  rejected?: string[];
}

/**
 * Applies `files` of `patch` journal first: the patch is marked `applying` and that mark is on disk before
 * the first workspace file is touched, so a process killed mid-apply leaves a journal that says so, and the
 * next apply or resume finishes the patch. The mark is cleared on `patch` (the caller records the result and
 * saves the patch). A journal that cannot record the mark means nothing is applied.
 */
export async function applyRecorded(journal: RunJournal, patch: TaskPatch, files: readonly FilePatch[], ops?: ApplyFs): Promise<ApplyResult> {
  patch.applying = Date.now();
  try {
    await journal.savePatch(patch);
  } catch (e) {
    delete patch.applying;
    return { state: 'failed', error: `not applied: the run journal cannot record it (${describeFsError(e)})`, rolledBack: true };
  }
  const res = await applyPatch(journal.record.dir, { ...patch, files: [...files] }, ops);
  delete patch.applying;
  return res;
}

/**
 * Applies the proposed patches of `taskIds` (default: every task with a proposed patch), in plan order,
 * each all or nothing. Conflicted patches stay conflicted; a patch already applied is reported as such.
 */
export async function applyReviewedPatches(stateDir: string, runId: string, taskIds?: readonly string[], ops?: ApplyFs, opts: { signal?: AbortSignal } = {}): Promise<ApplyReport[]> {
  const journal = await RunJournal.open(stateDir, runId);
  const record = journal.record;
  const known = new Set(record.plan.tasks.map((t) => t.id));
  for (const id of taskIds ?? []) if (!known.has(id)) throw new JournalError(`run ${runId} has no task "${id}"`);
  const wanted = taskIds?.length ? new Set(taskIds) : undefined;
  const reports: ApplyReport[] = [];
  for (const t of record.plan.tasks) {
    // Cancelled: the patch being applied is finished (all or nothing), no further one is started.
    if (opts.signal?.aborted) break;
    const rec = record.tasks[t.id];
    const patch = (wanted ? wanted.has(t.id) : rec.patch) ? await journal.loadPatch(t.id) : undefined;
    // A patch cut off mid-apply (marked `applying`) is finished whatever the record says.
    if (wanted ? !wanted.has(t.id) : rec.patch?.state !== 'proposed' && !patch?.applying) continue;
    if (!patch) {
      reports.push({ taskId: t.id, state: 'missing', files: [], reason: `task ${t.id} is ${rec.status} and has no patch` });
      continue;
    }
    if (!isOpen(patch)) {
      reports.push({ taskId: t.id, state: patch.state, files: patch.files.map((f) => f.path), reason: `already ${patch.state}` });
      continue;
    }
    // Only the undecided files: a file rejected in review is never written, one already accepted is done.
    const pending = pendingFiles(patch);
    const rejected = patch.files.filter((f) => patch.fileStates?.[f.path] === 'rejected').map((f) => f.path);
    // Applied and recorded as one critical section: an interrupt waits for it (see writeGuard).
    const res = await processWrites.run(async () => {
      const applied = pending.length ? await applyRecorded(journal, patch, pending, ops) : { state: 'applied' as const, files: [] };
      // A patch decided file by file, or applied only in part, records the files it applied.
      if (applied.state === 'applied' && (patch.fileStates || pending.length < patch.files.length)) decide(patch, pending.map((f) => f.path), 'applied');
      else recordApplyResult(patch, applied);
      await journal.savePatch(patch).catch(() => undefined); // remembered: flush() below reports it
      journal.update((r) => {
        r.tasks[t.id].patch = patchSummary(patch);
      });
      await journal.persist();
      return applied;
    });
    reports.push({
      taskId: t.id,
      state: res.state === 'failed' ? 'proposed' : patch.state,
      files: pending.map((f) => f.path),
      ...(patch.reason ? { reason: patch.reason } : {}),
      ...(rejected.length ? { rejected } : {}),
    });
  }
  await journal.flush();
  return reports;
}

/** Marks patches rejected (the workspace is not touched): their undecided files; files already accepted stay applied. */
export async function rejectPatches(stateDir: string, runId: string, taskIds: readonly string[]): Promise<void> {
  const journal = await RunJournal.open(stateDir, runId);
  for (const id of taskIds) {
    const patch = await journal.loadPatch(id);
    if (!patch || !isOpen(patch)) continue;
    decide(patch, pendingFiles(patch).map((f) => f.path), 'rejected');
    await journal.savePatch(patch);
    journal.update((r) => {
      const p = r.tasks[id]?.patch;
      if (p) p.state = patch.state;
    });
  }
  await journal.flush();
}
