import { parseArgs } from 'node:util';
import { version } from '../../package.json';
import { isRunSetupError } from '../core/session';
import { isUsageError } from './args';
import type { CliCommand } from './command';
import { commands as defaultCommands } from './commands';
import type { CliIo } from './io';

/** The version from package.json, inlined by the bundler. */
export const CLI_VERSION: string = version;

function globalHelp(commands: Readonly<Record<string, CliCommand>>): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'Usage: agensflow <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${commands[n].summary}`),
    '',
    'Options:',
    '  -h, --help     show this help, or a command\'s with `agensflow <command> --help`',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves to the exit code: 2 for bad
 * usage, with a one-line hint on stderr. `commands` defaults to the table in commands.ts.
 */
export async function main(argv: readonly string[], io: CliIo, commands: Readonly<Record<string, CliCommand>> = defaultCommands): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(globalHelp(commands));
    return 2;
  }
  if (name === '-h' || name === '--help') {
    io.stdout(globalHelp(commands));
    return 0;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      io.stdout(globalHelp(commands));
      return 0;
    }
    if (!Object.hasOwn(commands, topic)) return unknownCommand(topic, io);
    io.stdout(`${commands[topic].usage}\n`);
    return 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout(`${CLI_VERSION}\n`);
    return 0;
  }
  if (!Object.hasOwn(commands, name)) return unknownCommand(name, io);

  const command = commands[name];
  const hint = `Run 'agensflow ${name} --help' for usage.`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...command.flags, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    // node:util's messages run to several sentences; the first names the problem.
    const first = (e instanceof Error ? e.message : String(e)).split('. ')[0].replace(/\.$/, '');
    io.stderr(`agensflow ${name}: ${first}. ${hint}\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.stdout(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (e) {
    if (isUsageError(e)) {
      io.stderr(`agensflow ${name}: ${e.message}. ${hint}\n`);
      return 2;
    }
    // Settings the user must change (e.g. a provider that exists only inside VS Code): exit 2, no stack.
    if (isRunSetupError(e)) {
      io.stderr(`agensflow ${name}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function unknownCommand(name: string, io: CliIo): number {
  io.stderr(`agensflow: unknown command "${name}". Run 'agensflow --help' for the list.\n`);
  return 2;
}
