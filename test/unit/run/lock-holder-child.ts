/**
 * Another AgensFlow process for workspaceLock.test.ts: holds the workspace argv[2] for writing, with the
 * marker file argv[3] present while it holds it, prints "held", and lets go when a line arrives on stdin.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { withWorkspaceLock } from '../../../src/core/run/workspaceLock';

const [ws, marker] = process.argv.slice(2) as [string, string];
void withWorkspaceLock(ws, 'write', async () => {
  writeFileSync(marker, String(process.pid));
  process.stdout.write('held\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  rmSync(marker);
}).then(() => process.exit(0));
