import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import treeKill from 'tree-kill';
import { exec } from './exec';
import { HOST_RELEASES, REPO_ROOT, codeServerEntry, nodeFor, type HostRelease } from './paths';

/** code-server did not start, or stopped before the run was over. */
export class CodeServerError extends Error {
  override readonly name = 'CodeServerError';
}

/** Folders of one code-server instance, all temporary and private to it. */
export interface ServerDirs {
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** Its config file (so code-server writes none into the user's home). */
  readonly configFile: string;
  /** Where the server's output is written. */
  readonly logFile: string;
}

/** Creates the user-data dir with the settings that keep first-run UI out of the tests' way. */
export function prepareServerDirs(root: string): ServerDirs {
  const dirs: ServerDirs = {
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    configFile: path.join(root, 'config.yaml'),
    logFile: path.join(root, 'server.log'),
  };
  fs.mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(dirs.extensionsDir, { recursive: true });
  fs.writeFileSync(dirs.configFile, 'auth: none\n');
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
  };
  fs.writeFileSync(path.join(dirs.userDataDir, 'User', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return dirs;
}

/** Merges `values` into the user settings of {@link prepareServerDirs}' folders (before the server starts). */
export function setUserSettings(dirs: ServerDirs, values: Record<string, unknown>): void {
  const file = path.join(dirs.userDataDir, 'User', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, `${JSON.stringify({ ...settings, ...values }, null, 2)}\n`);
}

/**
 * Packages the extension in `dir` (a test's helper extension, e.g. a fake language-model provider) as a .vsix in
 * `outDir` with vsce, for {@link installVsix}: the workbench runs only one extension in development (its URL
 * payload keeps the last `extensionDevelopmentPath`), so helpers beside ours are installed instead.
 */
export async function packageExtension(dir: string, outDir: string): Promise<string> {
  const vsix = path.join(outDir, `${path.basename(dir)}.vsix`);
  const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  await exec(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: dir });
  return vsix;
}

/** Installs a packaged extension into `dirs.extensionsDir` with code-server's own CLI. */
export async function installVsix(serverDir: string, dirs: ServerDirs, vsix: string, release: HostRelease = HOST_RELEASES.minimum): Promise<string> {
  return exec(nodeFor(release), [codeServerEntry(serverDir), '--config', dirs.configFile, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir, '--install-extension', path.resolve(vsix)], {
    cwd: path.dirname(dirs.userDataDir),
  });
}

/** A running code-server. */
export interface RunningServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** Resolves when the process has exited (with its code, or null after a signal). */
  readonly exited: Promise<number | null>;
  /** Stops the server and every process it started (extension host, pty host), waiting for the exit. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly serverDir: string;
  readonly dirs: ServerDirs;
  /** The folder the workbench opens. */
  readonly folder: string;
  /** Drop `--disable-workspace-trust`, so the folder opens in Restricted Mode until trusted. */
  readonly workspaceTrust?: boolean;
  /** Added to the server's environment, which the extension host inherits. */
  readonly env?: NodeJS.ProcessEnv;
  readonly startTimeoutMs?: number;
  /** The release `serverDir` holds (which Node runs it); the minimum by default. */
  readonly release?: HostRelease;
}

/** code-server takes a few seconds to listen; on a loaded 2-core machine with a cold disk cache, far longer. */
const START_TIMEOUT_MS = 120_000;

const LISTENING = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//;

/**
 * Starts code-server on a free loopback port (port 0: the kernel picks it, no race with other runs) and
 * resolves once it reports the port it listens on.
 */
export function startCodeServer(options: StartOptions): Promise<RunningServer> {
  const { dirs } = options;
  const args = [
    codeServerEntry(options.serverDir),
    '--config', dirs.configFile,
    '--auth', 'none',
    '--bind-addr', '127.0.0.1:0',
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', dirs.userDataDir,
    '--extensions-dir', dirs.extensionsDir,
    options.folder,
  ];
  const child = spawn(nodeFor(options.release ?? HOST_RELEASES.minimum), args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = fs.createWriteStream(dirs.logFile);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      const pid = child.pid;
      await new Promise<void>((resolve) => treeKill(pid, 'SIGTERM', () => resolve()));
      // code-server exits within a second on SIGTERM; a hung one is killed outright.
      const timer = setTimeout(() => treeKill(pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => log.end(() => resolve()));
  };

  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      void stop().then(() => reject(new CodeServerError(`code-server did not start within ${options.startTimeoutMs ?? START_TIMEOUT_MS} ms; see ${dirs.logFile}`)));
    }, options.startTimeoutMs ?? START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      buffered += chunk.toString('utf8');
      const m = LISTENING.exec(buffered);
      if (m) {
        clearTimeout(timer);
        buffered = '';
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.stdout.on('data', (c: Buffer) => log.write(c));
        child.stderr.on('data', (c: Buffer) => log.write(c));
        resolve({ port: Number(m[1]), process: child, exited, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new CodeServerError(`code-server could not start: ${e.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new CodeServerError(`code-server exited (${code}) before listening; see ${dirs.logFile}`));
    });
  });
}

/**
 * The workbench URL that opens `folder`, optionally loading an extension in development and running an
 * in-host suite: the `payload` query carries extensionDevelopmentPath (and extensionTestsPath) as
 * `vscode-remote://` URIs of the server's file system.
 */
export function workbenchUrl(port: number, folder: string, payload?: { extensionDevelopmentPath: string; extensionTestsPath?: string }): string {
  const authority = `127.0.0.1:${port}`;
  const url = new URL(`http://${authority}/`);
  url.searchParams.set('folder', folder);
  if (payload) {
    const remote = (p: string): string => `vscode-remote://${authority}${path.resolve(p)}`;
    url.searchParams.set(
      'payload',
      JSON.stringify([
        ['extensionDevelopmentPath', remote(payload.extensionDevelopmentPath)],
        ...(payload.extensionTestsPath ? [['extensionTestsPath', remote(payload.extensionTestsPath)]] : []),
      ]),
    );
  }
  return url.toString();
}
