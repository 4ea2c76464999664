/**
 * Undo of a review decision, shared by every front end. Undo Accept puts back exactly the bytes the accept
 * replaced (recorded with each applied file), all or nothing, through the same guarded writer as applying
 * (held folders, re-check at write time, atomic writes, the workspace lock). A file the user edited since the
 * accept is merged three ways (the accept's output as base, the user's version, the earlier bytes), so the
 * user's later edits stay; an overlap refuses the whole undo and names the lines. A file the accept created
 * and the user edited since is removed only when the caller says so (the front end asks the user). Undo
 * Reject makes the rejected files undecided again: the proposal is back for review.
 */
import { promises as fs } from 'node:fs';
import { applyFsOver, writeTargets, type ApplyFs, type PatchConflict, type Target } from './apply';
import { errnoCode, JournalError } from './errors';
import type { PatchState } from './events';
import { RunJournal } from './journal';
import { describeRange, mergeThreeWay } from './merge3';
import { patchSummary, type FilePatch, type TaskPatch } from './patch';
import { appliedBytes, fileDecision, isAccepted, undecide } from './patchReview';
import { withWorkspaceLock } from './workspaceLock';
import { WorkspaceGuard } from './workspacePaths';
import { processWrites } from './writeGuard';

export interface UndoReport {
  taskId: string;
  /** What was undone: the accept (files put back), the reject (proposal back), or nothing. */
  undone: 'accept' | 'reject' | 'nothing';
  /** The patch's state afterwards. */
  state: PatchState | 'missing';
  /** The files undone (put back, or undecided again). */
  files: string[];
  /** Why nothing was undone: files edited since in ways the undo cannot merge (with the lines). */
  conflicts?: PatchConflict[];
  /** Files the accept created that the user edited since: removed only with `removeEdited`. */
  edited?: string[];
  /** Files edited since the accept whose later edits were kept (merged) while the accept was taken out. */
  merged?: string[];
  reason?: string;
}

export interface UndoOptions {
  /** Which decision to undo; default: the accept when any file is applied, else the reject. */
  kind?: 'accept' | 'reject';
  /** Remove files the accept created even when the user edited them since (the user said so). */
  removeEdited?: boolean;
  ops?: ApplyFs;
}

/** Undoes the review decision of `taskId` in run `runId` (see the file comment). */
export async function undoDecision(stateDir: string, runId: string, taskId: string, opts: UndoOptions = {}): Promise<UndoReport> {
  const journal = await RunJournal.open(stateDir, runId);
  if (!journal.record.tasks[taskId]) throw new JournalError(`run ${runId} has no task "${taskId}"`);
  const patch = await journal.loadPatch(taskId);
  if (!patch) return { taskId, undone: 'nothing', state: 'missing', files: [], reason: `task ${taskId} has no patch` };
  const accepted = patch.files.filter((f) => fileDecision(patch, f.path) === 'applied');
  const rejected = patch.files.filter((f) => fileDecision(patch, f.path) === 'rejected');
  const kind = opts.kind ?? (accepted.length || isAccepted(patch.state) ? 'accept' : 'reject');
  if (kind === 'reject') {
    if (!rejected.length && patch.state !== 'rejected') return { taskId, undone: 'nothing', state: patch.state, files: [], reason: `nothing of ${taskId} is rejected` };
    undecide(patch, rejected.map((f) => f.path));
    await save(journal, patch);
    return { taskId, undone: 'reject', state: patch.state, files: rejected.map((f) => f.path) };
  }
  if (!accepted.length && !isAccepted(patch.state)) return { taskId, undone: 'nothing', state: patch.state, files: [], reason: `nothing of ${taskId} is applied` };
  const root = journal.record.dir;
  return processWrites.run(() =>
    withWorkspaceLock(root, 'write', async (): Promise<UndoReport> => {
      const plan = await planUndo(root, patch, accepted, opts.removeEdited === true);
      const paths = accepted.map((f) => f.path);
      if (plan.conflicts.length || plan.edited.length) {
        const why = [...plan.conflicts.map((c) => c.reason), ...plan.edited.map((p) => `${p} was created by the accept and edited since (remove it anyway only if you mean to)`)];
        return { taskId, undone: 'nothing', state: patch.state, files: [], conflicts: plan.conflicts, edited: plan.edited, reason: `not undone: ${why.join('; ')}` };
      }
      const res = await writeTargets(root, plan.targets, opts.ops ?? applyFsOver(), paths);
      if (res.state === 'conflicted') return { taskId, undone: 'nothing', state: patch.state, files: [], conflicts: res.conflicts, reason: `not undone: ${res.conflicts.map((c) => c.reason).join('; ')}` };
      if (res.state === 'failed') return { taskId, undone: 'nothing', state: patch.state, files: [], reason: `not undone: ${res.error}${res.rolledBack ? ' (rolled back)' : ' (rollback incomplete)'}` };
      undecide(patch, paths);
      await save(journal, patch);
      return { taskId, undone: 'accept', state: patch.state, files: paths, ...(plan.merged.length ? { merged: plan.merged } : {}) };
    }),
  );
}

interface UndoPlan {
  targets: Target[];
  conflicts: PatchConflict[];
  edited: string[];
  merged: string[];
}

/** What undoing each accepted file takes: put back the earlier bytes, merge them under later edits, or refuse. */
async function planUndo(root: string, patch: TaskPatch, files: readonly FilePatch[], removeEdited: boolean): Promise<UndoPlan> {
  const guard = new WorkspaceGuard(root);
  const out: UndoPlan = { targets: [], conflicts: [], edited: [], merged: [] };
  for (const f of files) {
    const chk = await guard.check(f.path, 'write');
    if (!chk.ok) {
      out.conflicts.push({ path: f.path, reason: chk.reason });
      continue;
    }
    const { prior, written } = appliedBytes(patch, f);
    if (prior === undefined) {
      out.conflicts.push({ path: f.path, reason: `${f.path}: what it held before the accept was not recorded` });
      continue;
    }
    let current: Buffer | null;
    try {
      current = await fs.readFile(chk.absolute);
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        out.conflicts.push({ path: f.path, reason: `cannot read ${f.path}: ${(e as Error).message}` });
        continue;
      }
      current = null;
    }
    const target = (content: Buffer | string | null, how: Target['how'] = 'written'): void => {
      out.targets.push({ path: f.path, absolute: chk.absolute, current, content, how });
    };
    if (same(current, prior)) continue; // already as before (an Undo in the editor, a revert)
    if (same(current, written)) target(prior);
    else if (prior === null) {
      // Created by the accept and edited since: the user's work is in it.
      if (current === null) continue;
      if (removeEdited) target(null);
      else out.edited.push(f.path);
    } else if (current === null) out.conflicts.push({ path: f.path, reason: `${f.path} was deleted since the accept` });
    else if (written === null) out.conflicts.push({ path: f.path, reason: `${f.path} was created again since the accept deleted it` });
    else {
      const texts = [written, current, prior].map((b) => b.toString('utf8'));
      if (![written, current, prior].every((b, i) => Buffer.from(texts[i]!, 'utf8').equals(b))) {
        out.conflicts.push({ path: f.path, reason: `${f.path} was edited since the accept and is not text that can be merged` });
        continue;
      }
      const m = mergeThreeWay(texts[0]!, texts[1]!, texts[2]!, { yours: `${f.path} (yours)`, proposed: `${f.path} (before the accept)` });
      if (m.clean) {
        target(m.text, 'merged');
        out.merged.push(f.path);
      } else {
        const where = m.hunks.map((h) => `your ${describeRange(h.yours)}`).join(', ');
        out.conflicts.push({ path: f.path, reason: `${f.path} was edited since the accept where the undo would change it: ${where}`, hunks: m.hunks });
      }
    }
  }
  return out;
}

function same(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

async function save(journal: RunJournal, patch: TaskPatch): Promise<void> {
  await journal.savePatch(patch);
  journal.update((r) => {
    const t = r.tasks[patch.taskId];
    if (t) t.patch = patchSummary(patch);
  });
  await journal.flush();
}
