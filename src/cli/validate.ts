import { MAX_TASKS_FLAG, boolFlag, expectPositionals, intFlag } from './args';
import { plural } from '../core/words';
import type { CliCommand } from './command';
import { loadPlanFile, printErrors } from './planFile';

/** `agensflow validate PLAN.json`: exit 0 valid, 1 invalid (errors on stderr), 2 unreadable or not JSON. */
export const validateCommand: CliCommand = {
  summary: 'Check a plan file against the schema and the graph rules',
  usage: [
    'Usage: agensflow validate PLAN.json [--max-tasks N] [--json]',
    '',
    'Checks the plan and reports every error at once, each as FILE:LINE:COLUMN: code: message on stderr.',
    'Exit 0 when valid, 1 when invalid, 2 when the file cannot be read or is not JSON.',
    '',
    'Options:',
    '  --max-tasks N  the largest number of tasks allowed (default 64)',
    '  --json         print {"valid", "errors"} as one JSON object on stdout instead',
  ].join('\n'),
  flags: { ...MAX_TASKS_FLAG, json: { type: 'boolean' } },
  async run(args, io) {
    const [file] = expectPositionals(args, ['PLAN.json']);
    const loaded = await loadPlanFile(file, io, intFlag(args.values, 'max-tasks'));
    if (boolFlag(args.values, 'json')) {
      io.stdout(`${JSON.stringify({ valid: loaded.ok, errors: loaded.ok ? [] : loaded.errors })}\n`);
      return loaded.ok ? 0 : loaded.exitCode;
    }
    if (!loaded.ok) {
      printErrors(file, loaded.errors, io);
      if (loaded.exitCode === 1) io.stderr(`${file}: invalid plan, ${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}\n`);
      return loaded.exitCode;
    }
    const edges = loaded.plan.tasks.reduce((n, t) => n + t.deps.length, 0);
    io.stdout(`${file}: valid plan, ${plural(loaded.plan.tasks.length, 'task')}, ${plural(edges, 'dependency', 'dependencies')}\n`);
    return 0;
  },
};
