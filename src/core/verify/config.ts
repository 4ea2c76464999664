/**
 * Configuration of verification: user verifiers, the whole-run test command, limits.
 *
 * These come only from the user (VS Code settings `agensflow.verifiers`, `agensflow.testCommand`,
 * `agensflow.verifyTimeoutMs`, or the CLI's `--config` file) and from the built-in defaults, never from model
 * output or from files the agents wrote. Every command is an argv array that is
 * spawned without a shell, so `;`, `&&`, `$(...)` and backticks are inert argument text.
 */
import { z } from 'zod';

/** Default time a verification process may run before its whole process tree is killed. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 120_000;
/** Default number of output bytes kept per check (the tail: errors are usually at the end). */
export const DEFAULT_OUTPUT_CAP_BYTES = 64 * 1024;

const argv = z
  .array(z.string().min(1, 'an empty argument is not allowed as the program'))
  .min(1, 'a command needs at least the program name')
  .refine((a) => a.length === 0 || a[0]!.trim() === a[0], 'the program name may not have surrounding spaces');

const relativeDir = z
  .string()
  .refine((p) => !/^([a-zA-Z]:)?[\\/]/.test(p), 'cwd must be relative to the workspace root')
  .refine((p) => !p.split(/[\\/]/).includes('..'), 'cwd may not leave the workspace');

const timeout = z.number().int().positive().max(24 * 3600 * 1000);

/**
 * A verifier the user configured: when one of a task's files matches `glob` (picomatch, matched against the
 * workspace-relative path; dotfiles included), `command` runs in the materialised copy. An argument that is
 * exactly `{files}` is replaced by the matching files (paths relative to `cwd`, each beginning with `./` or
 * `../` so that no file name can read as an option).
 */
export const UserVerifierSchema = z
  .object({
    /** Optional name shown in results; defaults to the program name. */
    id: z.string().min(1).max(64).optional(),
    glob: z.string().min(1),
    command: argv,
    /** Workspace-relative folder to run in (inside the materialised copy); default the root. */
    cwd: relativeDir.optional(),
    timeoutMs: timeout.optional(),
    /**
     * The command checks the whole project (`mypy .`, `pyright`, `eslint -f unix .`): the errors it prints
     * as `path:line[:col]: message` are compared with its errors on the unchanged workspace, and only new ones
     * and those in the task's own files fail the task.
     */
    wholeProject: z.boolean().optional(),
  })
  .refine((v) => !(v.wholeProject && v.command.includes('{files}')), { message: 'a whole-project verifier checks the project, not the task\'s files: drop {files}', path: ['command'] });
export type UserVerifier = z.infer<typeof UserVerifierSchema>;

/** The whole-run test command, e.g. `["npm","test"]` or `["pytest","-q"]`, run once after all tasks. */
export const TestCommandSchema = z.union([
  argv,
  z.object({ command: argv, cwd: relativeDir.optional(), timeoutMs: timeout.optional() }),
]);
export type TestCommand = z.infer<typeof TestCommandSchema>;

/** Everything verification reads from configuration. All fields optional; defaults apply. */
export const VerifyConfigSchema = z.object({
  verifiers: z.array(UserVerifierSchema).default([]),
  testCommand: TestCommandSchema.optional(),
  /** Default timeout per process (ms). */
  timeoutMs: timeout.default(DEFAULT_VERIFY_TIMEOUT_MS),
  /** Bytes of output kept per check (the tail). */
  outputCapBytes: z.number().int().min(256).max(64 * 1024 * 1024).default(DEFAULT_OUTPUT_CAP_BYTES),
  /** Turn the built-in checks (by file type) off, e.g. when user verifiers cover everything. */
  builtins: z.boolean().default(true),
});
/** Parsed configuration (defaults filled in). */
export type VerifyConfig = z.infer<typeof VerifyConfigSchema>;
/** Configuration as a user writes it (every field optional). */
export type VerifyConfigInput = z.input<typeof VerifyConfigSchema>;

/** Parses user configuration, filling defaults; throws a `ZodError` naming every problem. */
export function parseVerifyConfig(input: unknown): VerifyConfig {
  return VerifyConfigSchema.parse(input ?? {});
}

/** Normalises the two accepted shapes of the test command. */
export function normaliseTestCommand(t: TestCommand): { command: string[]; cwd?: string; timeoutMs?: number } {
  return Array.isArray(t) ? { command: t } : t;
}
