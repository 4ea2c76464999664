/** `agensflow apply RUN_ID [TASK_ID...]`: applies reviewed patches, each all or nothing, never over user edits. */
import { applyReviewedPatches, isJournalWriteError, processWrites } from '../core/run';
import { interruptHandler } from './interrupt';
import { boolFlag } from './args';
import { UsageError } from './args';
import type { CliCommand } from './command';
import { STATE_FLAG, stateDirOf } from './run';

export const applyCommand: CliCommand = {
  summary: "Apply a run's reviewed patches to the workspace",
  usage: [
    'Usage: agensflow apply RUN_ID [TASK_ID...] [--state DIR] [--json]',
    '',
    'Applies the patches of the given tasks (default: every proposed patch), each all or nothing. A patch',
    'whose files changed since the run read them is marked conflicted and not applied. Files decided in',
    'review (per-file accept/reject in VS Code) are honoured: a rejected file is never written.',
    'Exit 0 when every patch applied, 1 when one is conflicted or failed, 2 for an unknown run or task.',
    '',
    'Options:',
    '  --state DIR  the state folder (default $XDG_STATE_HOME/agensflow)',
    '  --json       one JSON array of {taskId, state, files, reason?, rejected?} on stdout',
  ].join('\n'),
  flags: { ...STATE_FLAG, json: { type: 'boolean' } },
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
      reports = await applyReviewedPatches(stateDirOf(args, io), runId, taskIds, undefined, { signal: ac.signal });
    } catch (e) {
      if (e instanceof Error && e.name === 'JournalError') {
        io.stderr(`agensflow apply: ${e.message}\n`);
        return 2;
      }
      if (isJournalWriteError(e)) {
        // The workspace holds what the patches did; the journal could not record it (a later apply will).
        io.stderr(`agensflow apply: ${e.message}\n`);
        return 1;
      }
      throw e;
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (boolFlag(args.values, 'json')) io.stdout(`${JSON.stringify(reports)}\n`);
    else if (!reports.length) io.stderr('nothing to apply\n');
    for (const r of reports) {
      if (boolFlag(args.values, 'json')) break;
      const skipped = r.rejected?.length ? `; not applied, rejected in review: ${r.rejected.join(', ')}` : '';
      io.stderr(`${r.taskId}: ${r.state}${r.files.length ? ` (${r.files.join(', ')})` : ''}${r.reason ? `: ${r.reason}` : ''}${skipped}\n`);
    }
    if (ac.signal.aborted) {
      io.stderr('cancelled: the patches not listed above were not applied\n');
      return 130;
    }
    return reports.every((r) => r.state === 'applied') ? 0 : 1;
  },
};
