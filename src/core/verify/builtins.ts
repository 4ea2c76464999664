/**
 * Built-in checks chosen by file type, each with the real tool. Which tool runs depends only on the file
 * extension and on tools resolved before the run (PATH and the user's workspace as it was), never on files
 * the agents wrote: `python3 -I` ignores an agent's `py_compile.py`, `latexmk -norc` its `latexmkrc`, and
 * no script of an agent-written `package.json` is ever run.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runProcessCheck, unverifiedCheck, type CheckEnv } from './check-runner';
import { checkCss, checkHtml, checkJson, type HostPath } from './inprocess';
import { parseNodeCheck, parsePython, parseTex, parseTscAll } from './parsers';
import { pathArg, resolveNode, resolveTscScript, tscNoWriteArgs, whichOnPath } from './tools';
import type { CheckResult } from './types';

/** A check to run: its id and files are known before it runs. */
export interface PlannedCheck {
  id: string;
  tool: string;
  files: string[];
  /**
   * The checker checks the whole project (tsc on a tsconfig, a verifier marked so), not only these files:
   * its errors are compared with those of the unchanged workspace, and only new ones and those in the task's
   * own files count.
   */
  wholeProject?: true;
  run(ce: CheckEnv): Promise<CheckResult>;
}

const ext = (f: string): string => path.posix.extname(f).toLowerCase();
const abs = (root: string, rel: string): string => path.join(root, ...rel.split('/'));

/**
 * In bubblewrap's sandbox, compiled files go to its private /tmp rather than next to the sources: the view
 * may hold a `__pycache__` link to a place the sandbox does not show, and a cache write there would fail the
 * check for a reason that is not the task's.
 */
function pycachePrefix(ce: CheckEnv): string[] {
  return ce.view.mode.sandbox === 'bwrap' ? ['-X', 'pycache_prefix=/tmp/pycache'] : [];
}

/** The nearest folder (workspace-relative, '' for the root) holding a tsconfig.json, in the view. */
async function nearestTsconfig(hostPath: HostPath, rel: string): Promise<string | undefined> {
  let dir = path.posix.dirname(rel);
  for (;;) {
    const d = dir === '.' ? '' : dir;
    const at = hostPath(d ? `${d}/tsconfig.json` : 'tsconfig.json');
    try {
      if (at !== undefined && (await fs.stat(at)).isFile()) return d;
    } catch {
      // keep walking up
    }
    if (d === '') return undefined;
    dir = path.posix.dirname(d);
  }
}

async function isLatexMain(hostPath: HostPath, rel: string): Promise<boolean> {
  const at = hostPath(rel);
  if (at === undefined) return false;
  const text = await fs.readFile(at, 'utf8');
  // A chapter included by \input has no \documentclass: its owner's main document compiles it.
  return /^[^%\n]*\\documentclass/m.test(text);
}

/**
 * Plans the built-in checks for `files` (workspace-relative, existing in the view that commands see at
 * `root` and this process reads through `hostPath`). Tools are resolved here, from PATH and the user's
 * `workspaceDir`.
 */
export async function planBuiltinChecks(files: readonly string[], root: string, hostPath: HostPath, workspaceDir: string, env: NodeJS.ProcessEnv): Promise<PlannedCheck[]> {
  const by = (exts: string[]): string[] => files.filter((f) => exts.includes(ext(f))).sort();
  const checks: PlannedCheck[] = [];

  const py = by(['.py']);
  if (py.length > 0) {
    const python = whichOnPath('python3', env) ?? (process.platform === 'win32' ? whichOnPath('python', env) : undefined);
    checks.push({
      id: 'python:py_compile',
      tool: 'python3',
      files: py,
      run: (ce) =>
        runProcessCheck({ id: 'python:py_compile', tool: 'python3', files: py, file: python, args: ['-I', ...pycachePrefix(ce), '-m', 'py_compile', ...py.map(pathArg)], cwd: root, parse: parsePython }, ce),
    });
  }

  const node = resolveNode(env);
  for (const f of by(['.js', '.mjs', '.cjs'])) {
    const id = `node:check:${f}`;
    checks.push({
      id,
      tool: 'node',
      files: [f],
      run: (ce) =>
        runProcessCheck(
          { id, tool: 'node', files: [f], file: node?.file, extraEnv: node?.env ?? {}, args: ['--check', pathArg(f)], cwd: root, parse: (o, ctx) => parseNodeCheck(o, ctx, f) },
          ce,
        ),
    });
  }

  const projects = new Map<string, string[]>();
  for (const f of by(['.ts', '.tsx', '.mts', '.cts'])) {
    const project = await nearestTsconfig(hostPath, f);
    if (project === undefined) continue; // no project: nothing decides the compiler options
    projects.set(project, [...(projects.get(project) ?? []), f]);
  }
  for (const [project, tsFiles] of projects) {
    const id = `tsc:${project || '.'}`;
    const tsc = resolveTscScript(workspaceDir, project);
    const projectDir = abs(root, project);
    const noWrite = tscNoWriteArgs(tsc?.version);
    if (tsc && !noWrite) {
      const message = `tsc: TypeScript ${tsc.version ?? ''} is older than 4.1, which cannot be kept from writing the files its tsconfig names (tsBuildInfoFile, generateTrace); upgrade TypeScript in the workspace`;
      checks.push({ id, tool: 'tsc', files: tsFiles, run: () => Promise.resolve(unverifiedCheck({ id, tool: 'tsc', files: tsFiles }, message)) });
      continue;
    }
    checks.push({
      id,
      tool: 'tsc',
      files: tsFiles,
      wholeProject: true,
      run: async (ce) => {
        // Incremental only where the sandbox keeps its build information out of every other command's reach.
        const incremental = tsc && ce.view.mode.sandbox !== 'none' ? await ce.tscCache?.checkout(ce.root, projectDir) : undefined;
        try {
          const r = await runProcessCheck(
            {
              id,
              tool: 'tsc',
              files: tsFiles,
              file: tsc ? node?.file : undefined,
              extraEnv: node?.env ?? {},
              // The tsconfig is the agents' to write: every option that writes a file is switched off here,
              // but for the build information of an incremental run, written only to its private folder.
              args: tsc ? [tsc.script, '--noEmit', '--pretty', 'false', ...(incremental?.args ?? noWrite ?? []), '-p', projectDir] : [],
              cwd: projectDir,
              parse: parseTscAll,
              keepAll: true,
              ...(incremental ? { writable: [incremental.dir] } : {}),
            },
            ce,
          );
          // tsc's own exits: 0, or 1 and 2 with errors. A kill, a timeout or a crash leaves nothing to keep.
          if (incremental && r.exitCode !== undefined && r.exitCode <= 2 && !r.timedOut) await incremental.keep();
          return r;
        } finally {
          await incremental?.dispose();
        }
      },
    });
  }

  const json = by(['.json', '.jsonc']);
  if (json.length > 0) checks.push({ id: 'json', tool: 'json', files: json, run: (ce) => checkJson(json, (r) => ce.view.hostPath(r)) });
  const html = by(['.html', '.htm']);
  if (html.length > 0) checks.push({ id: 'html-validate', tool: 'html-validate', files: html, run: (ce) => checkHtml(html, (r) => ce.view.hostPath(r)) });
  const css = by(['.css']);
  if (css.length > 0) checks.push({ id: 'css-tree', tool: 'css-tree', files: css, run: (ce) => checkCss(css, (r) => ce.view.hostPath(r)) });

  const latexmk = whichOnPath('latexmk', env);
  for (const f of by(['.tex'])) {
    if (!(await isLatexMain(hostPath, f))) continue;
    const id = `latexmk:${f}`;
    checks.push({
      id,
      tool: 'latexmk',
      files: [f],
      run: (ce) =>
        runProcessCheck(
          {
            id,
            tool: 'latexmk',
            files: [f],
            file: latexmk,
            args: ['-norc', '-pdf', '-halt-on-error', '-interaction=nonstopmode', pathArg(path.posix.basename(f))],
            cwd: path.dirname(abs(root, f)),
            parse: (o) => parseTex(o, f),
          },
          ce,
        ),
    });
  }
  return checks;
}
