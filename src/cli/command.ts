import type { CommandArgs, FlagSpec } from './args';
import type { CliIo } from './io';

/** One CLI command: its help text, its flags and what it does. Registered in `commands.ts`. */
export interface CliCommand {
  /** One line for the global help. */
  readonly summary: string;
  /** The help shown by `agensflow <name> --help`: a `Usage:` line, then the options. */
  readonly usage: string;
  /** The flags it accepts besides `--help` (node:util `parseArgs` options). */
  readonly flags: FlagSpec;
  /** Runs the command; resolves to the process exit code. Throws {@link UsageError} for bad usage. */
  run(args: CommandArgs, io: CliIo): Promise<number>;
}
