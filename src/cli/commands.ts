import type { CliCommand } from './command';
import { metricsCommand } from './metrics';
import { validateCommand } from './validate';
import { runCommand } from './run';
import { planCommand } from './plan';
import { runsCommand } from './runs';
import { applyCommand } from './apply';
import { undoCommand } from './undo';

/**
 * The command table: name -> command, in the order the global help lists them.
 * To add a command, write it in its own file under src/cli/ and add one line here.
 */
export const commands: Readonly<Record<string, CliCommand>> = {
  validate: validateCommand,
  metrics: metricsCommand,
  plan: planCommand,
  run: runCommand,
  runs: runsCommand,
  apply: applyCommand,
  undo: undoCommand,
};
