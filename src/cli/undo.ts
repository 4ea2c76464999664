/** `agensflow undo RUN_ID [TASK_ID...]`: takes back review decisions (an accept's files put back, a reject's proposal back). */
import { fileDecision, RunJournal, undoDecision, type UndoReport } from '../core/run';
import { boolFlag, UsageError } from './args';
import type { CliCommand } from './command';
import { journalFailureExit, STATE_FLAG, stateDirOf } from './run';

export const undoCommand: CliCommand = {
  summary: 'Undo the accept (or reject) of a run\'s patches',
  usage: [
    'Usage: agensflow undo RUN_ID [TASK_ID...] [--reject] [--remove-edited] [--state DIR] [--json]',
    '',
    'Undo Accept (the default): puts back exactly what each file held before the task\'s patch was applied,',
    'all or nothing per task. Edits you made since are kept when they do not overlap what the undo changes;',
    'when they do, nothing is written and the file and lines are named. A file the patch created that you',
    'edited since is not removed without --remove-edited. The patch is then proposed again (`apply` redoes it).',
    'Undo Reject (--reject): the proposal comes back for review; the workspace is not touched.',
    'Without TASK_ID: every task of the run with such a decision (dependents first).',
    'Exit 0 when everything asked was undone, 1 when something was refused, 2 for an unknown run or task.',
    '',
    'Options:',
    '  --reject         undo rejects instead of accepts',
    '  --remove-edited  remove files the patch created even if you edited them since',
    '  --state DIR      the state folder (default $XDG_STATE_HOME/agensflow)',
    '  --json           one JSON array of {taskId, undone, state, files, conflicts?, edited?, merged?, reason?}',
  ].join('\n'),
  flags: { ...STATE_FLAG, json: { type: 'boolean' }, reject: { type: 'boolean' }, 'remove-edited': { type: 'boolean' } },
  async run(args, io) {
    const [runId, ...taskIds] = args.positionals;
    if (!runId) throw new UsageError('missing RUN_ID');
    const kind = boolFlag(args.values, 'reject') ? 'reject' : 'accept';
    const stateDir = stateDirOf(args, io);
    const reports: UndoReport[] = [];
    try {
      const journal = await RunJournal.open(stateDir, runId);
      const known = new Set(journal.record.plan.tasks.map((t) => t.id));
      for (const id of taskIds) if (!known.has(id)) throw new UsageError(`run ${runId} has no task "${id}"`);
      let ids = taskIds;
      if (!ids.length) {
        const wanted = kind === 'accept' ? 'applied' : 'rejected';
        const decided: string[] = [];
        for (const t of journal.record.plan.tasks) {
          const patch = await journal.loadPatch(t.id);
          if (patch?.files.some((f) => fileDecision(patch, f.path) === wanted) || (kind === 'reject' && patch?.state === 'rejected')) decided.push(t.id);
        }
        // Dependents before what they build on: an accept is taken back in the reverse order of applying.
        ids = kind === 'accept' ? decided.reverse() : decided;
      }
      for (const id of ids) reports.push(await undoDecision(stateDir, runId, id, { kind, removeEdited: boolFlag(args.values, 'remove-edited') }));
    } catch (e) {
      const exit = journalFailureExit('undo', e, io);
      if (exit !== undefined) return exit;
      throw e;
    }
    if (boolFlag(args.values, 'json')) io.stdout(`${JSON.stringify(reports)}\n`);
    else if (!reports.length) io.stderr(`nothing to undo: no task of run ${runId} is ${kind === 'accept' ? 'applied' : 'rejected'}\n`);
    else {
      for (const r of reports) {
        const what = r.undone === 'accept' ? 'accept undone' : r.undone === 'reject' ? 'reject undone' : 'not undone';
        const merged = r.merged?.length ? `; your later edits kept in ${r.merged.join(', ')}` : '';
        io.stderr(`${r.taskId}: ${what}, now ${r.state}${r.files.length ? ` (${r.files.join(', ')})` : ''}${r.undone === 'nothing' && r.reason ? `: ${r.reason}` : ''}${merged}\n`);
      }
    }
    return reports.every((r) => r.undone !== 'nothing') ? 0 : 1;
  },
};
