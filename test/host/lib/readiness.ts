/**
 * Readiness signals of the extension under test, read from code-server's log folder (the extension host
 * runs on the server, so its logs are files in the server's user-data dir), and what to print when a host
 * step fails: the extension's log, the extension-host log and the screenshots, so the reader of a CI log
 * sees why without rerunning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTIVATED_LINE, type ActivationTiming } from '../../../src/vscode/readiness';
import { SignalTimeoutError, until } from './poll';

/** The extension under test (design.md: extension id `agensflow.agensflow`). */
export const EXTENSION_ID = 'agensflow.agensflow';

/** The extension's own log: its `AgensFlow` LogOutputChannel (code-server 4.96 writes `exthost1/agensflow.agensflow/AgensFlow.log`; older VS Code `<n>-AgensFlow.log`). */
const EXTENSION_LOG = /(^|-)AgensFlow\.log$/;
/** The extension host's log (`remoteexthost.log` in code-server, `exthost.log` in desktop VS Code). */
const EXTHOST_LOG = /^(remote)?exthost\.log$/;

/** Log files under `<userDataDir>/logs` whose name matches `name`, oldest first. */
function logFiles(userDataDir: string, name: RegExp): string[] {
  const root = path.join(userDataDir, 'logs');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && name.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** The extension's log files (one per extension-host start). */
export function extensionLogFiles(userDataDir: string): string[] {
  return logFiles(userDataDir, EXTENSION_LOG);
}

/** The extension host's log files. */
export function extensionHostLogFiles(userDataDir: string): string[] {
  return logFiles(userDataDir, EXTHOST_LOG);
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Whether the extension's log says `activate()` of `extensionId` finished. */
export function hasActivated(userDataDir: string, extensionId = EXTENSION_ID): boolean {
  return extensionLogFiles(userDataDir).some((f) => read(f).split('\n').some((l) => ACTIVATED_LINE.exec(l)?.[1] === extensionId));
}

/**
 * The activation times the extension logged (src/vscode/readiness.ts: from the startup bundle's first module
 * to the end of `activate()`, and where they went), by log file: one file per extension-host start.
 */
export function activationTimes(userDataDir: string, extensionId = EXTENSION_ID): Map<string, ActivationTiming> {
  const out = new Map<string, ActivationTiming>();
  for (const f of extensionLogFiles(userDataDir)) {
    for (const l of read(f).split('\n')) {
      const m = ACTIVATED_LINE.exec(l);
      if (m?.[1] === extensionId) out.set(f, { totalMs: Number(m[2]), loadMs: Number(m[3] ?? NaN), waitMs: Number(m[4] ?? NaN), activateMs: Number(m[5] ?? NaN) });
    }
  }
  return out;
}

/** What the extension's log showed last, for an error message. */
function lastLogLine(userDataDir: string): string {
  const files = extensionLogFiles(userDataDir);
  if (files.length === 0) return 'no AgensFlow log was written: activation never started';
  const file = files[files.length - 1];
  const lines = read(file).trimEnd().split('\n');
  return `its log ${path.basename(file)} ends with: ${lines[lines.length - 1] || '(empty)'}`;
}

/** The extension never reported that its activation finished. */
export class ActivationSignalError extends SignalTimeoutError {
  override readonly name = 'ActivationSignalError';
}

/**
 * Resolves once the extension logged that `activate()` finished (src/vscode/readiness.ts); rejects with
 * {@link ActivationSignalError} naming the missing signal and the log's last line otherwise. Before this, the
 * workbench may not list the extension's commands yet.
 */
export async function waitForActivation(userDataDir: string, timeoutMs: number, extensionId = EXTENSION_ID): Promise<void> {
  try {
    await until(`the "[extension] activated ${extensionId}" line in the extension's log`, () => hasActivated(userDataDir, extensionId), {
      timeoutMs,
      intervalMs: 250,
      lastSeen: () => lastLogLine(userDataDir),
    });
  } catch (e) {
    if (e instanceof SignalTimeoutError) throw new ActivationSignalError(`the extension never reported activation: ${e.message}`);
    throw e;
  }
}

/** The last `max` lines of `file`. */
function tail(file: string, max: number): string[] {
  const lines = read(file).trimEnd().split('\n');
  return lines.length > max ? [`… (${lines.length - max} earlier lines in the file)`, ...lines.slice(-max)] : lines;
}

/**
 * After a failed host step: names the screenshots and prints the extension's log and the extension-host log
 * (their last lines), so a CI log shows why without a rerun. Writes to stderr, like the drivers' notes.
 */
export function printFailureContext(userDataDir: string, screenshots: readonly string[], maxLines = 60): void {
  const out: string[] = [];
  const rel = (p: string): string => path.relative(process.cwd(), p) || p;
  for (const s of screenshots) out.push(`screenshot of the failure: ${rel(s)}`);
  const logs = [...extensionLogFiles(userDataDir), ...extensionHostLogFiles(userDataDir)];
  if (logs.length === 0) out.push(`no extension or extension-host log under ${path.join(userDataDir, 'logs')}`);
  for (const file of logs) {
    out.push(`----- ${path.relative(userDataDir, file)} -----`, ...tail(file, maxLines).map((l) => `  ${l}`));
  }
  if (logs.length > 0) out.push('----- end of logs -----');
  process.stderr.write(`${out.join('\n')}\n`);
}
