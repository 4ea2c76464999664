import { planMetrics } from '../core/plan';
import { MAX_TASKS_FLAG, expectPositionals, intFlag } from './args';
import type { CliCommand } from './command';
import { loadPlanFile, printErrors } from './planFile';

/** `agensflow metrics PLAN.json`: one JSON object of the plan's metrics on stdout. */
export const metricsCommand: CliCommand = {
  summary: 'Print a plan\'s metrics (tasks, edges, depth, parallelism, C_dep, critical path) as JSON',
  usage: [
    'Usage: agensflow metrics PLAN.json [--max-tasks N]',
    '',
    'Prints {"tasks","edges","depth","parallelism","dependencyComplexity","criticalPath"} on stdout,',
    'numbers unrounded. An invalid plan exits 1 with its errors on stderr, as validate does.',
    '',
    'Options:',
    '  --max-tasks N  the largest number of tasks allowed (default 64)',
  ].join('\n'),
  flags: { ...MAX_TASKS_FLAG },
  async run(args, io) {
    const [file] = expectPositionals(args, ['PLAN.json']);
    const loaded = await loadPlanFile(file, io, intFlag(args.values, 'max-tasks'));
    if (!loaded.ok) {
      printErrors(file, loaded.errors, io);
      return loaded.exitCode;
    }
    io.stdout(`${JSON.stringify(planMetrics(loaded.plan))}\n`);
    return 0;
  },
};
