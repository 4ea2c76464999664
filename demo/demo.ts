/**
 * `npm run demo [-- --live] [--out DIR] [--provider P] [--base-url URL] [--model NAME]`: runs AgensFlow on
 * the paper's gobang task into ./demo-out. Without --live a scripted model server answers (no key, no
 * network); the output says so. Expects `npm run build` to have made dist/cli.js (npm run demo does).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DemoUsageError, runDemo } from './demoRun';

const ROOT = path.resolve(__dirname, '..');

function runCli(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...argv], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      live: { type: 'boolean', default: false },
      out: { type: 'string', default: 'demo-out' },
      provider: { type: 'string' },
      'base-url': { type: 'string' },
      model: { type: 'string' },
    },
  });
  try {
    const r = await runDemo({
      out: values.out,
      live: values.live || values['base-url'] !== undefined,
      ...(values.provider ? { provider: values.provider } : {}),
      ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
      ...(values.model ? { model: values.model } : {}),
      env: process.env,
      cli: runCli,
      write: (t) => void process.stderr.write(t),
    });
    return r.exitCode;
  } catch (e) {
    if (e instanceof DemoUsageError) {
      process.stderr.write(`demo: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

// Ctrl+C reaches the CLI child (same process group) which cancels its run; the demo waits for it.
process.on('SIGINT', () => undefined);
main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
