/** `agensflow apply RUN_ID [TASK_ID...]`: applies reviewed patches, each all or nothing, never over user edits. */
import { applyReviewedPatches, describeRange, processWrites, type ApplyReport } from '../core/run';

import { interruptHandler } from './interrupt';
import { boolFlag } from './args';
import { UsageError } from './args';
import type { CliCommand } from './command';
import { journalFailureExit, STATE_FLAG, stateDirOf } from './run';

export const applyCommand: CliCommand = {
  summary: "Apply a run's reviewed patches to the workspace",
  usage: [
    'Usage: agensflow apply RUN_ID [TASK_ID...] [--merge-markers] [--force] [--state DIR] [--json]',
    '',
    'Applies the patches of the given tasks (default: every proposed or conflicted patch), each all or',
    'nothing. A file you changed since the run read it is merged with the proposal (both kept: "merged");',
    'when the changes overlap nothing is written, the patch is conflicted and each file is named with the',
    'lines that overlap. A task whose upstream task\'s patch is rejected or conflicted is held back. Files',
    'decided in review (per-file accept/reject in VS Code) are honoured: a rejected file is never written.',
    'Exit 0 when every patch applied or merged; 1 when one is conflicted, held back, has conflict markers',
    'to resolve, or failed; 2 for an unknown run or task.',
    '',
    'Options:',
    '  --merge-markers  write overlapping changes with conflict markers (<<<<<<< yours ... >>>>>>> proposed)',
    '                   for you to resolve, instead of leaving the patch conflicted',
    '  --force          apply tasks even when an upstream patch is rejected or conflicted',
    '  --state DIR      the state folder (default $XDG_STATE_HOME/agensflow)',
    '  --json           one JSON array of {taskId, state, files, reason?, rejected?, conflicts?, merged?,',
    '                   heldBy?} on stdout',
  ].join('\n'),
  flags: { ...STATE_FLAG, json: { type: 'boolean' }, 'merge-markers': { type: 'boolean' }, force: { type: 'boolean' } },
  async run(args, io) {
    const [runId, ...taskIds] = args.positionals;
    if (!runId) throw new UsageError('missing RUN_ID');
    let reports;
    // Ctrl+C: the patch being applied is finished (all or nothing) and recorded, no further one is started.
    const ac = new AbortController();
    const onSigint = interruptHandler({
      cancel: () => ac.abort(),
      exit: (code) => process.exit(code),
      writes: processWrites,
      say: (line) => io.stderr(`\n${line}\n`),
      finishHint: `\`agensflow apply ${runId}\``,
    });
    process.on('SIGINT', onSigint);
    try {
      reports = await applyReviewedPatches(stateDirOf(args, io), runId, taskIds, undefined, {
        signal: ac.signal,
        markers: boolFlag(args.values, 'merge-markers'),
        force: boolFlag(args.values, 'force'),
      });
    } catch (e) {
      const exit = journalFailureExit('apply', e, io);
      if (exit !== undefined) return exit;
      throw e;
    } finally {
      process.off('SIGINT', onSigint);
    }
    const json = boolFlag(args.values, 'json');
    if (json) io.stdout(`${JSON.stringify(reports)}\n`);
    else if (!reports.length) io.stderr('nothing to apply\n');
    else for (const r of reports) io.stderr(reportLines(r));
    if (ac.signal.aborted) {
      io.stderr('cancelled: the patches not listed above were not applied\n');
      return 130;
    }
    const open = summary(reports);
    if (open) io.stderr(`${open}\n`);
    return reports.every((r) => r.state === 'applied' || r.state === 'merged') ? 0 : 1;
  },
};

/** One report as lines for stderr: the state and files, then each conflicted file with where it overlaps. */
function reportLines(r: ApplyReport): string {
  const skipped = r.rejected?.length ? `; not applied, rejected in review: ${r.rejected.join(', ')}` : '';
  // Every file merged: said once ("merged with your changes (a.ts)"); some: named after the files.
  const allMerged = r.state === 'merged' && r.merged?.length === r.files.length;
  const merged = r.merged?.length && !allMerged ? `; merged with your changes: ${r.merged.join(', ')}` : '';
  // Conflicts with overlapping hunks are shown per file below, with their lines; others by the reason inline.
  const perFile = r.conflicts?.some((c) => c.hunks?.length) === true;
  const reason = r.reason && !perFile ? `: ${r.reason}` : '';
  let out = `${r.taskId}: ${allMerged ? 'merged with your changes' : r.state}${r.files.length ? ` (${r.files.join(', ')})` : ''}${reason}${merged}${skipped}\n`;
  for (const c of perFile ? (r.conflicts ?? []) : []) {
    if (!c.hunks?.length) out += `  ${c.path}: ${c.reason}\n`;
    else if (r.state === 'conflicted-markers') out += `  ${c.path}: conflict markers written around ${c.hunks.map((h) => `your ${describeRange(h.yours)}`).join(', ')}\n`;
    else for (const h of c.hunks) out += `  ${c.path}: your ${describeRange(h.yours)} and the proposal's ${describeRange(h.proposed)} overlap (base ${describeRange(h.base)})\n`;
  }
  return out;
}

/** What is left to do, counted: conflicted, held back, markers to resolve. Empty when nothing is. */
function summary(reports: readonly ApplyReport[]): string {
  const conflicted = reports.filter((r) => r.state === 'conflicted').length;
  const markers = reports.filter((r) => r.state === 'conflicted-markers').length;
  const held = reports.filter((r) => r.heldBy?.length && (r.state === 'proposed' || r.state === 'conflicted')).length;
  const parts = [
    conflicted ? `${conflicted} ${conflicted === 1 ? 'patch' : 'patches'} still conflicted (edit the files, then apply again, or use --merge-markers)` : '',
    markers ? `${markers} ${markers === 1 ? 'patch has' : 'patches have'} conflict markers to resolve (edit them out, then apply again to record the patch merged)` : '',
    held ? `${held} held back by an upstream patch (--force applies anyway)` : '',
  ].filter(Boolean);
  return parts.join('; ');
}
