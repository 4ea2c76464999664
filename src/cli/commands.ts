import type { CliCommand } from './command';
import { metricsCommand } from './metrics';
import { validateCommand } from './validate';
import { makeRunCommand } from './run';
import { planCommand, planForRun } from './plan';
import { runsCommand } from './runs';
import { applyCommand } from './apply';

/**
 * The command table: name -> command, in the order the global help lists them.
 * To add a command, write it in its own file under src/cli/ and add one line here.
 */
export const commands: Readonly<Record<string, CliCommand>> = {
  validate: validateCommand,
  metrics: metricsCommand,
  plan: planCommand,
  run: makeRunCommand(planForRun),
  runs: runsCommand,
  apply: applyCommand,
};
