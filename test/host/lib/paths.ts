import * as os from 'node:os';
import * as path from 'node:path';

/** The code-server release these scripts install: VS Code 1.96.4, our `engines.vscode` minimum, on Node 20. */
export const CODE_SERVER_VERSION = '4.96.4';

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
export function codeServerDir(): string {
  return path.join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
}

/** Written last by the installer; its presence means the tree in {@link codeServerDir} is complete. */
export function codeServerMarker(): string {
  return path.join(codeServerDir(), '.agensflow-install-complete');
}

/** The server's entry point inside an installed tree. */
export function codeServerEntry(dir: string = codeServerDir()): string {
  return path.join(dir, 'out', 'node', 'entry.js');
}

/** Debian's Chromium, the only browser these machines have (`npx playwright install` cannot work here). */
export const CHROMIUM_PATH = process.env.AGENSFLOW_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots and logs of failed host runs (git-ignored). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
