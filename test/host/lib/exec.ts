import { spawn } from 'node:child_process';

/** A child process that exited non-zero or could not start. */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`${command} failed (exit ${exitCode ?? 'signal'})${output ? `:\n${output.slice(-4000)}` : ''}`);
  }
}

export interface ExecOptions {
  cwd: string;
  /** Print the child's output as it comes (else it is kept and shown only on failure). */
  echo?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * The environment for a nested `npm`: this script may itself run under `npm run`, whose `npm_*` variables
 * (config such as `npm_config_omit`, the user agent, the package's own fields) must not leak into an install
 * of another package tree.
 */
export function cleanNpmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a program without a shell; resolves with its combined output, rejects with {@link CommandFailedError}. */
export function exec(file: string, args: readonly string[], options: ExecOptions): Promise<string> {
  const label = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const onData = (b: Buffer): void => {
      chunks.push(b);
      if (options.echo) process.stderr.write(b);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => reject(new CommandFailedError(label, null, e.message)));
    child.on('close', (code) => {
      const out = Buffer.concat(chunks).toString('utf8');
      if (code === 0) resolve(out);
      else reject(new CommandFailedError(label, code, out));
    });
  });
}
