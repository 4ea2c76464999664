import type { ParseArgsConfig } from 'node:util';

/** The flags a command declares (node:util `parseArgs` options). */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed flag values, by long name. */
export type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** What a command receives: its flags and its positional arguments. */
export interface CommandArgs {
  readonly values: FlagValues;
  readonly positionals: readonly string[];
}

/** Bad usage (unknown flag, missing argument, a number that is not one): exit 2 with a one-line hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Type guard for {@link UsageError}. */
export function isUsageError(e: unknown): e is UsageError {
  return e instanceof Error && e.name === 'UsageError';
}

/** A string flag's value, or `undefined` when absent. */
export function stringFlag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} takes a value`);
  return v;
}

/** A boolean flag: true when given. */
export function boolFlag(values: FlagValues, name: string): boolean {
  return values[name] === true;
}

/** An integer flag of at least `min`, or `undefined` when absent. */
export function intFlag(values: FlagValues, name: string, min = 1): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim()) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`--${name} needs a whole number of at least ${min}, got "${raw}"`);
  }
  return Number(raw);
}

/** Exactly `count` positional arguments named by `names` (for the message), or a usage error. */
export function expectPositionals(args: CommandArgs, names: readonly string[]): readonly string[] {
  if (args.positionals.length < names.length) throw new UsageError(`missing ${names.slice(args.positionals.length).join(' ')}`);
  if (args.positionals.length > names.length) {
    throw new UsageError(`unexpected argument "${args.positionals[names.length]}"`);
  }
  return args.positionals;
}

/** Flags shared by commands that read a plan. */
export const MAX_TASKS_FLAG: FlagSpec = { 'max-tasks': { type: 'string' } };

/** `--overview-tokens N`: the planner's repository overview budget (an agent's is a quarter of it). */
export const OVERVIEW_TOKENS_FLAG: FlagSpec = { 'overview-tokens': { type: 'string' } };
export const OVERVIEW_TOKENS_HELP = '  --overview-tokens N  tokens of the repository overview the planner gets (default 4000; agents a quarter)';
