/**
 * What a CLI command may touch of its process: output streams, the working folder, the environment.
 * Commands take it as an argument so tests run them in-process and read what they printed.
 *
 * Everything written to stdout and stderr passes {@link terminalSafe}: model output (paths, titles, roles,
 * reasons) reaches both, and a raw `ESC ]52` would set the clipboard, `ESC [2J` clear the screen. The live
 * view's own cursor movements go through `control`, the one raw channel.
 */
export interface CliIo {
  /** Machine-readable output (results, `--json` events). */
  readonly stdout: (text: string) => void;
  /** Human-readable progress, warnings and errors. */
  readonly stderr: (text: string) => void;
  /** Terminal control sequences of the live view, written to stderr as they are; absent: no live redraw. */
  readonly control?: (sequence: string) => void;
  /** The folder relative paths are resolved against. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Characters a terminal may act on: C0 controls but newline and tab (ESC, CR, BEL, backspace...), DEL, C1
 * controls (U+009B is a one-character CSI), and the bidirectional overrides and isolates, which reorder what
 * is shown (Trojan Source) and the line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every character a terminal could act on written as a visible `\uXXXX` escape. The escape is
 * JSON's, so a JSON line stays valid JSON meaning the same value (inside a JSON string the escape decodes
 * to the same character).
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The real process's streams, folder and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(terminalSafe(text)),
    stderr: (text) => void process.stderr.write(terminalSafe(text)),
    control: (sequence) => void process.stderr.write(sequence),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** An io that records output in memory, for tests. */
export interface CapturedIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
}

/** Builds a {@link CapturedIo} that records what a user would see; `cwd` and `env` default to the process's. */
export function captureIo(opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: (text) => void (out += terminalSafe(text)),
    stderr: (text) => void (err += terminalSafe(text)),
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    out: () => out,
    err: () => err,
  };
}
