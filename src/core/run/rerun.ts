/**
 * "Re-run on my version": a task whose patch no longer fits the user's files (conflicted, or still waiting
 * while the user changed them) is made pending again, so the next resume of its run runs it from the start
 * against the workspace as it is now and proposes a new patch. The old proposal is dropped from the journal
 * (a resume would otherwise take the finished patch on disk for the task's result); the user's files are
 * not touched.
 */
import { JournalError } from './errors';
import { RunJournal } from './journal';
import { fileDecision, isOpen } from './patchReview';

/** Why a task cannot be re-run now: its patch (or part of it) is decided, or there is nothing to re-run. */
export class RerunRefusedError extends Error {
  override readonly name = 'RerunRefusedError' as const;
}

export function isRerunRefusedError(e: unknown): e is RerunRefusedError {
  return e instanceof Error && e.name === 'RerunRefusedError';
}

/**
 * Makes `taskId` of run `runId` pending again with its patch dropped; the caller then resumes the run. Refused
 * while any file of the patch is accepted or rejected (undo that first: the decision would be lost), and for a
 * task that has not finished.
 */
export async function prepareRerun(stateDir: string, runId: string, taskId: string): Promise<void> {
  const journal = await RunJournal.open(stateDir, runId);
  const task = journal.record.tasks[taskId];
  if (!task) throw new JournalError(`run ${runId} has no task "${taskId}"`);
  const patch = await journal.loadPatch(taskId);
  if (!patch) throw new RerunRefusedError(`task ${taskId} has no patch to re-run (it is ${task.status})`);
  const decided = patch.files.filter((f) => fileDecision(patch, f.path) !== undefined).map((f) => f.path);
  if (!isOpen(patch) || decided.length) {
    const what = patch.state === 'proposed' || patch.state === 'conflicted' ? 'partly decided' : patch.state;
    throw new RerunRefusedError(`the changes of ${taskId} are ${what}${decided.length ? ` (${decided.join(', ')})` : ''}: undo that first, then re-run`);
  }
  await journal.removePatch(taskId);
  journal.update((r) => {
    const t = r.tasks[taskId];
    t.status = 'pending';
    t.reason = 're-run on the current files at the user\'s request';
    delete t.patch;
  });
  await journal.flush();
}
