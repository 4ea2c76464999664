/**
 * Resolving verification tools to absolute paths before a run, from PATH and from the user's workspace as
 * it was (never from the materialised copy, which holds agent-written files), and the environment the
 * tools get.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Environment variable names that may carry secrets or change how our tools behave: never passed on. */
const SECRET_NAME =
  /(^|_)(API_?KEY|ACCESS_?KEY|AUTH|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|PRIVATE_?KEY)(_|$)|^VSCODE_|^ELECTRON_|^NODE_OPTIONS$|^AGENSFLOW_/i;

/** PATH entries that are absolute (relative ones would resolve inside the materialised copy). */
export function absolutePathEntries(pathValue: string | undefined): string[] {
  return (pathValue ?? '').split(path.delimiter).filter((p) => p.length > 0 && path.isAbsolute(p));
}

/**
 * The environment of verification processes: the parent's, minus secret-looking names (API keys, tokens,
 * `VSCODE_*`), with PATH reduced to its absolute entries.
 */
export function verifierEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || SECRET_NAME.test(k)) continue;
    env[k] = v;
  }
  const pathKey = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  env[pathKey] = absolutePathEntries(env[pathKey]).join(path.delimiter);
  return env;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (process.platform !== 'win32') accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `name` on the absolute entries of PATH; `undefined` when absent. */
export function whichOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pathValue = env.PATH ?? env.Path ?? '';
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';') : [''];
  for (const dir of absolutePathEntries(pathValue)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Finds `name` in `node_modules/.bin` of `fromDir` or its parents up to `workspaceDir` (both in the user's
 * workspace, as it was before the run), then on PATH.
 */
export function whichInWorkspace(
  name: string,
  workspaceDir: string,
  fromDir: string = workspaceDir,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const root = path.resolve(workspaceDir);
  let dir = path.resolve(fromDir);
  for (;;) {
    const exts = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];
    for (const ext of exts) {
      const candidate = path.join(dir, 'node_modules', '.bin', name + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
    if (dir === root || !dir.startsWith(root + path.sep)) break;
    dir = path.dirname(dir);
  }
  return whichOnPath(name, env);
}

/** How to run Node: `node` from PATH, else this process's binary (in Electron, run as Node). */
export function resolveNode(env: NodeJS.ProcessEnv = process.env): { file: string; env: NodeJS.ProcessEnv } | undefined {
  const onPath = whichOnPath('node', env);
  if (onPath) return { file: onPath, env: {} };
  if (process.versions.electron) return { file: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } };
  return { file: process.execPath, env: {} };
}

/** The TypeScript compiler a check runs: its entry script, where it came from, and its version when known. */
export interface TscScript {
  script: string;
  source: 'workspace' | 'bundled';
  /** From `typescript/package.json` next to the script; `undefined` when that cannot be read. */
  version?: string;
}

/**
 * The TypeScript compiler's entry script (`typescript/bin/tsc`): the user's own (from `node_modules` of the
 * tsconfig's folder or a parent, up to the workspace root, in the user's folder), else the one next to this
 * package. `undefined` when neither exists.
 */
export function resolveTscScript(workspaceDir: string, projectDir: string): TscScript | undefined {
  const root = path.resolve(workspaceDir);
  let dir = path.resolve(root, projectDir);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
    if (isFile(candidate)) return withVersion({ script: candidate, source: 'workspace' });
    if (dir === root || !dir.startsWith(root + path.sep)) break;
    dir = path.dirname(dir);
  }
  for (const candidate of bundledTscCandidates()) {
    if (isFile(candidate)) return withVersion({ script: candidate, source: 'bundled' });
  }
  return undefined;
}

function withVersion(t: TscScript): TscScript {
  try {
    const pkg: unknown = JSON.parse(readFileSync(path.join(path.dirname(t.script), '..', 'package.json'), 'utf8'));
    const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
    if (typeof version === 'string') return { ...t, version };
  } catch {
    // No readable package.json: the version stays unknown.
  }
  return t;
}

/**
 * Command-line options that switch off every file a tsconfig can make `tsc --noEmit` write: the build
 * info of `incremental`/`composite` (written even with `--noEmit`, to any `tsBuildInfoFile`, absolute
 * paths included) and `generateTrace`'s folder. `--noEmit` already covers `outDir`, `outFile`,
 * `declarationDir` and source maps; `generateCpuProfile` is read from the command line only; list and
 * diagnostic options print to stdout. A command-line value wins over the tsconfig (and what it `extends`).
 * `undefined` when the compiler is older than 4.1, which cannot switch these off from the command line.
 */
export function tscNoWriteArgs(version: string | undefined): string[] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (m && (Number(m[1]) < 4 || (Number(m[1]) === 4 && Number(m[2]) < 1))) return undefined;
  return ['--incremental', 'false', '--composite', 'false', '--tsBuildInfoFile', 'null', '--generateTrace', 'null'];
}

function bundledTscCandidates(): string[] {
  const out: string[] = [];
  try {
    out.push(path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc'));
  } catch {
    // Not resolvable from here (e.g. a packaged extension without node_modules).
  }
  // Bundled into dist/: the package root is one level up.
  out.push(path.join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc'));
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * A file path as a tool argument that no tool can read as an option (no path from a plan or a
 * model is ever read as a command option): absolute paths and paths beginning with `./` or `../` pass
 * unchanged, every other relative path gets `./` (`--require=x.js` becomes `./--require=x.js`, which names
 * the file). Every path the verification layer hands to a process goes through here.
 */
export function pathArg(p: string): string {
  const slashed = p.replace(/\\/g, '/');
  if (path.isAbsolute(p) || slashed.startsWith('./') || slashed.startsWith('../')) return p;
  return `./${p}`;
}

/** Install advice shown when a tool is missing (C4): name the tool and how to get it. */
export const INSTALL_HINTS: Readonly<Record<string, string>> = {
  python3: 'install Python 3 (Debian: apt-get install python3)',
  node: 'install Node.js 20 or later (https://nodejs.org)',
  tsc: 'install TypeScript in the workspace (npm install --save-dev typescript)',
  latexmk: 'install TeX Live (Debian: apt-get install latexmk texlive-latex-recommended texlive-pictures texlive-fonts-recommended)',
};

/** The message of an unverified check whose tool is missing. */
export function missingToolMessage(tool: string, hint?: string): string {
  const advice = hint ?? INSTALL_HINTS[tool] ?? `install ${tool} or put it on PATH`;
  return `${tool} not found: ${advice}`;
}
