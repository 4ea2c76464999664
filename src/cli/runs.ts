/** `agensflow runs`: past runs in the state folder, newest first. */
import { listRuns } from '../core/run';
import { boolFlag, expectPositionals } from './args';
import type { CliCommand } from './command';
import { STATE_FLAG, stateDirOf } from './run';

export const runsCommand: CliCommand = {
  summary: 'List past runs (id, date, goal, status, tasks)',
  usage: ['Usage: agensflow runs [--state DIR] [--json]', '', 'Options:', '  --state DIR  the state folder (default $XDG_STATE_HOME/agensflow)', '  --json       one JSON array on stdout'].join('\n'),
  flags: { ...STATE_FLAG, json: { type: 'boolean' } },
  async run(args, io) {
    expectPositionals(args, []);
    const runs = await listRuns(stateDirOf(args, io));
    if (boolFlag(args.values, 'json')) {
      io.stdout(`${JSON.stringify(runs)}\n`);
      return 0;
    }
    if (!runs.length) {
      io.stderr('no runs yet\n');
      return 0;
    }
    for (const r of runs) {
      const date = new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19);
      const counts = Object.entries(r.counts)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ');
      const goal = (r.goal ?? '').replace(/\s+/g, ' ');
      io.stdout(`${r.runId}  ${date}  ${r.status.padEnd(9)}  ${r.tasks} tasks (${counts})  ${goal.length > 60 ? `${goal.slice(0, 57)}...` : goal}\n`);
    }
    return 0;
  },
};
