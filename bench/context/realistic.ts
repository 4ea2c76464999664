/**
 * Makes a public repository "realistic" the way a working copy is: the repository as committed, plus the
 * gitignored bulk a developer's folder holds (a virtualenv or node_modules, coverage HTML, built docs,
 * caches, logs, generated code), with the ignore patterns appended to its .gitignore. Then measures what the
 * planner would be shown of it. Nothing here fetches: the developer provides the repositories.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface RepoSpec {
  /** Folder name under AGENSFLOW_CONTEXT_REPOS (a checkout, or a bare clone named `<name>.git`). */
  name: string;
  /** Where it comes from, for the report. */
  github: string;
  shape: string;
  /** The kind of bulk a developer's copy holds. */
  ecosystem: 'python' | 'node';
}

export const REPOS: readonly RepoSpec[] = [
  { name: 'click', github: 'pallets/click', shape: 'Python library (src/ layout, tests/, docs/, examples/)', ecosystem: 'python' },
  { name: 'express', github: 'expressjs/express', shape: 'JavaScript web framework (lib/, test/, examples/)', ecosystem: 'node' },
  { name: 'vite', github: 'vitejs/vite', shape: 'TypeScript monorepo (pnpm workspace: packages/*, docs/, playground/)', ecosystem: 'node' },
];

/** The source of `spec` under `reposDir`: a checkout (files copied) or a bare clone (HEAD exported), or undefined. */
export function findSource(reposDir: string, spec: RepoSpec): { kind: 'checkout' | 'bare'; path: string } | undefined {
  for (const candidate of [path.join(reposDir, spec.name), path.join(reposDir, `${spec.name}.git`)]) {
    if (!existsSync(candidate)) continue;
    if (existsSync(path.join(candidate, 'HEAD')) && existsSync(path.join(candidate, 'objects'))) return { kind: 'bare', path: candidate };
    return { kind: 'checkout', path: candidate };
  }
  return undefined;
}

/** The commit of a bare clone or a checkout with history, else undefined. */
export function commitOf(source: { kind: 'checkout' | 'bare'; path: string }): string | undefined {
  const args = source.kind === 'bare' ? ['--git-dir', source.path, 'rev-parse', 'HEAD'] : ['-C', source.path, 'rev-parse', 'HEAD'];
  const r = spawnSync('git', args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Writes the repository as committed (or the checkout's files, without .git) to `dest`. */
export function materialise(source: { kind: 'checkout' | 'bare'; path: string }, dest: string): void {
  mkdirSync(dest, { recursive: true });
  if (source.kind === 'bare') {
    const tar = execFileSync('git', ['--git-dir', source.path, 'archive', '--format=tar', 'HEAD'], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dest], { input: tar });
  } else {
    execFileSync('cp', ['-R', `${source.path}/.`, dest]);
    execFileSync('rm', ['-rf', path.join(dest, '.git')]);
  }
}

function put(root: string, rel: string, text: string): void {
  const abs = path.join(root, ...rel.split('/'));
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

/** The first top-level folder holding code (where generated code would land), e.g. `src`, `lib`, `packages`. */
function sourceRoot(root: string): string {
  for (const name of ['src', 'lib', 'packages']) if (existsSync(path.join(root, name))) return name;
  return 'src';
}

/**
 * Adds the bulk of a developer's working copy and the patterns that ignore it (appended to .gitignore, as a
 * project's own .gitignore would carry them). Returns the number of files added.
 */
export function addBulk(root: string, ecosystem: RepoSpec['ecosystem']): number {
  let added = 0;
  const many = (dir: string, count: number, ext: string, body: (i: number) => string): void => {
    for (let i = 0; i < count; i++) {
      put(root, `${dir}/${'sub' + (i % 20)}/f${i}${ext}`, body(i));
      added++;
    }
  };
  const src = sourceRoot(root);
  const patterns: string[] = ['', '# a developer working copy (added by bench/context/realistic.ts)'];
  if (ecosystem === 'python') {
    many('.venv/lib/python3.12/site-packages', 3000, '.py', (i) => `def vendored_${i}():\n    return ${i}\n`);
    many('.nox/tests-3-12/lib', 600, '.py', (i) => `def nox_${i}(): pass\n`);
    many('htmlcov', 300, '.html', (i) => `<html><body>coverage ${i}</body></html>\n`);
    many('docs/_build/html', 200, '.html', (i) => `<html><body>page ${i}</body></html>\n`);
    many(`${src}/_generated`, 40, '.py', (i) => `class Generated${i}:\n    pass\n`);
    patterns.push('.venv/', '.nox/', 'htmlcov/', 'docs/_build/', `/${src}/_generated/`, '*.log');
  } else {
    many('node_modules/some-dependency/lib', 3000, '.js', (i) => `module.exports.vendored${i} = function () { return ${i}; };\n`);
    many('.nyc_output/processinfo', 300, '.json', (i) => `{"n": ${i}}\n`);
    many('coverage-html/lcov-report', 300, '.html', (i) => `<html><body>coverage ${i}</body></html>\n`);
    many('docs/.vitepress/dist-site', 200, '.html', (i) => `<html><body>page ${i}</body></html>\n`);
    many('.turbo-cache', 400, '.log', (i) => `cached ${i}\n`);
    many(`${src}/__generated__`, 40, '.js', (i) => `export class Generated${i} {}\n`);
    patterns.push('node_modules/', '.nyc_output/', 'coverage-html/', 'docs/.vitepress/dist-site/', '.turbo-cache/', `/${src}/__generated__/`, '*.log');
  }
  put(root, 'debug.log', 'DEBUG a log the developer left behind\n'.repeat(200));
  added++;
  appendFileSync(path.join(root, '.gitignore'), `${patterns.join('\n')}\n`);
  return added;
}

/** Every file under `root` (relative, `/`-separated), skipping nothing: the raw truth for the oracles. */
export function allFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...allFiles(root, child));
    else out.push(child);
  }
  return out;
}

/** The paths git itself ignores among `paths` (in a fresh repository at `root`): an oracle independent of ours. */
export function gitIgnored(root: string, paths: readonly string[]): Set<string> {
  if (!existsSync(path.join(root, '.git'))) execFileSync('git', ['init', '-q'], { cwd: root });
  const r = spawnSync('git', ['check-ignore', '--stdin'], { cwd: root, input: paths.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
  return new Set(r.stdout.split('\n').filter(Boolean));
}

export function isDir(root: string, rel: string): boolean {
  try {
    return statSync(path.join(root, rel)).isDirectory();
  } catch {
    return false;
  }
}
