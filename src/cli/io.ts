/**
 * What a CLI command may touch of its process: output streams, the working folder, the environment.
 * Commands take it as an argument so tests run them in-process and read what they printed.
 */
export interface CliIo {
  /** Machine-readable output (results, `--json` events). */
  readonly stdout: (text: string) => void;
  /** Human-readable progress, warnings and errors. */
  readonly stderr: (text: string) => void;
  /** The folder relative paths are resolved against. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The real process's streams, folder and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** An io that records output in memory, for tests. */
export interface CapturedIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
}

/** Builds a {@link CapturedIo}; `cwd` and `env` default to the process's. */
export function captureIo(opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    out: () => out,
    err: () => err,
  };
}
