/**
 * Runs the same in-host suite as run-in-code-server.ts with @vscode/test-electron, for machines that can
 * download VS Code from Microsoft's update site (`npm run test:electron`). It CANNOT pass on the project's
 * own machines and CI, which reach no such site: there, `npm run test:integration` (code-server) is the
 * in-host run. Results are printed by mocha's spec reporter from inside VS Code.
 *
 * Usage: tsx test/host/run-in-electron.ts [--version 1.96.4] [--workspace-trust]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from './lib/paths';

const { values: opts } = parseArgs({
  options: {
    version: { type: 'string', default: '1.96.4' },
    'workspace-trust': { type: 'boolean', default: false },
  },
});

async function main(): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agensflow-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.join(REPO_ROOT, 'test', 'integration', 'fixtures', 'workspace'), workspace, { recursive: true });
  try {
    return await runTests({
      version: opts.version,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'integration'),
      launchArgs: [workspace, '--disable-extensions', '--user-data-dir', path.join(tmp, 'user-data'), ...(opts['workspace-trust'] ? [] : ['--disable-workspace-trust'])],
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`[run-in-electron] ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    process.stderr.write('[run-in-electron] this needs a VS Code download; on machines without one use `npm run test:integration`.\n');
    process.exit(1);
  },
);
