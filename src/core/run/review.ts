/**
 * Review mode: a run leaves its patches "proposed"; the user applies them later (`apply RUN_ID [TASK...]`)
 * or rejects them. Both go through the journal so every front end sees the same state.
 */
import { describeFsError } from '../fs/atomicWrite';
import { applyPatch, type ApplyFs, type ApplyResult, type CheckOptions, type PatchConflict } from './apply';
import { JournalError } from './errors';
import type { PatchState } from './events';
import { RunJournal, type RunRecord } from './journal';
import { patchSummary, type FilePatch, type TaskPatch } from './patch';
import { decide, diskTextReader, isOpen, pendingFiles, reconcilePatch, recordApplyResult } from './patchReview';
import { processWrites } from './writeGuard';

export interface ApplyReport {
  taskId: string;
  /** The patch's state afterwards, or `missing` when the task has no patch to apply. */
  state: PatchState | 'missing';
  files: string[];
  reason?: string;
  /** Files not applied because the user rejected them in review (per-file decisions). */
  rejected?: string[];
  /** Conflicted: each file and where the changes overlap. With conflict markers written: where they are. */
  conflicts?: PatchConflict[];
  /** Files merged three ways with the user's changes (both kept). */
  merged?: string[];
  /** Not applied because an upstream task's patch is not in the workspace (rejected, conflicted...). */
  heldBy?: UpstreamProblem[];
}

/** An upstream task whose patch is not in the workspace, so a dependent's patch may not work without it. */
export interface UpstreamProblem {
  taskId: string;
  /** Its patch's state, or `held` when it was itself held back by its own upstream. */
  state: PatchState | 'held';
}

/** Patch states of an upstream task that hold its dependents back: its changes are not (cleanly) in the workspace. */
const HOLDING: ReadonlySet<PatchState> = new Set<PatchState>(['rejected', 'conflicted', 'conflicted-markers']);

/**
 * The upstream tasks of `taskId` (through open patches, transitively) whose patches are rejected, conflicted or
 * hold conflict markers: applying `taskId` without them would leave its code without theirs. `states` gives a
 * task's current patch state (the run record's, or fresher); `held`: tasks already held back in this pass.
 */
export function upstreamProblems(record: Pick<RunRecord, 'plan'>, states: (taskId: string) => PatchState | undefined, taskId: string, held: ReadonlySet<string> = new Set()): UpstreamProblem[] {
  const byId = new Map(record.plan.tasks.map((t) => [t.id, t]));
  const out = new Map<string, UpstreamProblem>();
  const seen = new Set<string>();
  const visit = (id: string): void => {
    for (const dep of byId.get(id)?.deps ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      const state = states(dep);
      if (held.has(dep)) out.set(dep, { taskId: dep, state: 'held' });
      else if (state && HOLDING.has(state)) out.set(dep, { taskId: dep, state });
      else if (state === 'proposed') visit(dep); // not applied yet: what it depends on matters too
    }
  };
  visit(taskId);
  return [...out.values()];
}

export interface ApplyOptions {
  signal?: AbortSignal;
  /** Write overlapping changes with conflict markers for the user to resolve, instead of refusing the patch. */
  markers?: boolean;
  /** Apply a task even when an upstream task's patch is rejected or conflicted. */
  force?: boolean;
}

/**
 * Applies `files` of `patch` journal first: the patch is marked `applying` and that mark is on disk before
 * the first workspace file is touched, so a process killed mid-apply leaves a journal that says so, and the
 * next apply or resume finishes the patch. The mark is cleared on `patch` (the caller records the result and
 * saves the patch). A journal that cannot record the mark means nothing is applied.
 */
export async function applyRecorded(journal: RunJournal, patch: TaskPatch, files: readonly FilePatch[], ops?: ApplyFs, opts: CheckOptions = {}): Promise<ApplyResult> {
  patch.applying = Date.now();
  try {
    await journal.savePatch(patch);
  } catch (e) {
    delete patch.applying;
    return { state: 'failed', error: `not applied: the run journal cannot record it (${describeFsError(e)})`, rolledBack: true };
  }
  const res = await applyPatch(journal.record.dir, { ...patch, files: [...files] }, ops, opts);
  delete patch.applying;
  return res;
}

/**
 * Applies the open patches of `taskIds` (default: every task with a proposed or conflicted patch, and those
 * with conflict markers still to resolve), in plan order, each all or nothing. A file the user changed since is
 * merged three ways; an overlap leaves the patch conflicted (nothing written) unless `markers` is set. A task
 * whose upstream patch is rejected or conflicted is held back unless `force`. A patch already applied is
 * reported as such.
 */
export async function applyReviewedPatches(stateDir: string, runId: string, taskIds?: readonly string[], ops?: ApplyFs, opts: ApplyOptions = {}): Promise<ApplyReport[]> {
  const journal = await RunJournal.open(stateDir, runId);
  const record = journal.record;
  const known = new Set(record.plan.tasks.map((t) => t.id));
  for (const id of taskIds ?? []) if (!known.has(id)) throw new JournalError(`run ${runId} has no task "${id}"`);
  const wanted = taskIds?.length ? new Set(taskIds) : undefined;
  const reports: ApplyReport[] = [];
  /** Patch states as this pass leaves them (fresher than the record for tasks already handled). */
  const now = new Map<string, PatchState>();
  const held = new Set<string>();
  const stateOf = (id: string): PatchState | undefined => now.get(id) ?? record.tasks[id]?.patch?.state;
  for (const t of record.plan.tasks) {
    // Cancelled: the patch being applied is finished (all or nothing), no further one is started.
    if (opts.signal?.aborted) break;
    const rec = record.tasks[t.id];
    const recState = rec.patch?.state;
    const chosen = recState === 'proposed' || recState === 'conflicted' || recState === 'conflicted-markers';
    const patch = (wanted ? wanted.has(t.id) : rec.patch) ? await journal.loadPatch(t.id) : undefined;
    // A patch cut off mid-apply (marked `applying`) is finished whatever the record says.
    if (wanted ? !wanted.has(t.id) : !chosen && !patch?.applying) continue;
    if (!patch) {
      reports.push({ taskId: t.id, state: 'missing', files: [], reason: `task ${t.id} is ${rec.status} and has no patch` });
      continue;
    }
    if (patch.state === 'conflicted-markers' && !patch.applying) {
      // Written with markers earlier: still unresolved while a file holds them (re-read from the disk).
      if ((await reconcilePatch(patch, diskTextReader(record.dir))).length || patch.state !== 'conflicted-markers') await recordPatch(journal, patch);
      now.set(t.id, patch.state);
      reports.push({ taskId: t.id, state: patch.state, files: patch.files.map((f) => f.path), ...(patch.reason ? { reason: patch.reason } : {}) });
      continue;
    }
    if (!isOpen(patch)) {
      reports.push({ taskId: t.id, state: patch.state, files: patch.files.map((f) => f.path), reason: `already ${patch.state}` });
      continue;
    }
    const heldBy = upstreamProblems(record, stateOf, t.id, held);
    if (heldBy.length && !opts.force && !patch.applying) {
      held.add(t.id);
      const names = heldBy.map((u) => `${u.taskId} (${u.state === 'held' ? 'itself held back' : u.state})`).join(', ');
      reports.push({ taskId: t.id, state: patch.state, files: pendingFiles(patch).map((f) => f.path), reason: `not applied: it depends on ${names}`, heldBy });
      continue;
    }
    // Only the undecided files: a file rejected in review is never written, one already accepted is done.
    const pending = pendingFiles(patch);
    const rejected = patch.files.filter((f) => patch.fileStates?.[f.path] === 'rejected').map((f) => f.path);
    // Applied and recorded as one critical section: an interrupt waits for it (see writeGuard).
    const res = await processWrites.run(async () => {
      const applied: ApplyResult = pending.length
        ? await applyRecorded(journal, patch, pending, ops, { markers: opts.markers === true })
        : { state: 'applied', files: [], written: {}, markers: [] };
      recordApplyResult(patch, applied);
      await recordPatch(journal, patch);
      return applied;
    });
    now.set(t.id, patch.state);
    const merged = res.state === 'applied' ? Object.entries(res.written).filter(([, a]) => a.how === 'merged').map(([p]) => p) : [];
    const conflicts = res.state === 'conflicted' ? res.conflicts : res.state === 'applied' && res.markers.length ? res.markers : [];
    reports.push({
      taskId: t.id,
      state: res.state === 'failed' ? 'proposed' : patch.state,
      files: pending.map((f) => f.path),
      ...(patch.reason ? { reason: patch.reason } : {}),
      ...(rejected.length ? { rejected } : {}),
      ...(conflicts.length ? { conflicts } : {}),
      ...(merged.length ? { merged } : {}),
      ...(heldBy.length ? { heldBy } : {}),
    });
  }
  await journal.flush();
  return reports;
}

/** Saves `patch` and its summary in the run record (a failed patch write is remembered; flush() reports it). */
async function recordPatch(journal: RunJournal, patch: TaskPatch): Promise<void> {
  await journal.savePatch(patch).catch(() => undefined);
  journal.update((r) => {
    const t = r.tasks[patch.taskId];
    if (t) t.patch = patchSummary(patch);
  });
  await journal.persist();
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
