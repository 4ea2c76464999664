/**
 * The one workspace lister: the planner's context, the repository overview, the agents' `list_files` and
 * `search`, and whatever else walks the user's files. It honours the project's ignore rules, so generated
 * bulk (a virtualenv, coverage reports, built docs, logs) never crowds out the source:
 *
 * - every `.gitignore` of the workspace, a nested one applying below its folder and overriding its parents
 *   (negations such as `!keep.log` included), as git reads them;
 * - `.git/info/exclude` (the repository's local rules; the common one for a linked worktree);
 * - `.agensflowignore` files, in gitignore syntax, read last so the user's own rules win (an agent can never
 *   write one: it is a protected path);
 * - built-in skips (version control, dependency and build folders, our own state), whatever the rules say.
 *
 * Patterns are matched by the `ignore` package, the gitignore matcher eslint and prettier use. Secrets
 * (`.env*`, files or folders, at any depth) are never listed, whatever the ignore files say: a `!.env` cannot
 * bring one back. Symlinks are listed but never followed (a link to a folder outside the workspace must not
 * widen the listing). Output is sorted and bounded.
 */
import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { isSecretPath } from '../plan/paths';

/** Folders never listed: version control, dependencies, build output and caches, our own state. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  'node_modules', '.git', '.hg', '.svn', '.agensflow', 'dist', 'out', 'build', '.venv', 'venv', '__pycache__',
  '.mypy_cache', '.pytest_cache', '.tox', '.next', '.cache', 'target', '.idea', '.vscode-test', 'coverage',
]);

/** Ignore files read in every folder, in this order (a later file's rules override an earlier one's). */
export const IGNORE_FILE_NAMES = ['.gitignore', '.agensflowignore'] as const;

/** Ignore files larger than this are read only up to it (a rules file is small; a huge one is not rules). */
const MAX_IGNORE_FILE_BYTES = 512 * 1024;

/** Git matches names case-insensitively where the file system does (macOS, Windows). */
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

export interface WorkspaceListing {
  /** Workspace-relative paths with `/` separators. */
  files: string[];
  /** True when the limit cut the list short. */
  truncated: boolean;
}

/** A listed file with what the overview's cache keys on. */
export interface ListedFile {
  path: string;
  /** Bytes (of the link itself for a symlink). */
  size: number;
  mtimeMs: number;
  /** A symbolic link: listed, but never read through (it may lead outside the workspace or to a secret). */
  link?: true;
}

export interface ListOptions {
  /** A workspace-relative folder to list (default: the whole workspace). Ignore rules above it still apply. */
  dir?: string;
  /** At most this many files (default 300). */
  limit?: number;
}

/** The rules of one folder's ignore files, matched against paths relative to that folder. */
interface FolderRules {
  /** The folder, workspace-relative with a trailing `/` (`''` for the root). */
  base: string;
  matcher: Ignore;
}

async function readBounded(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(st.size, MAX_IGNORE_FILE_BYTES));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** The git folder's `info/exclude`: `.git/` itself, or for a linked worktree (`.git` is a file) its common folder. */
async function gitExcludeFile(root: string): Promise<string | undefined> {
  const dotGit = path.join(root, '.git');
  const st = await fs.lstat(dotGit).catch(() => undefined);
  if (!st) return undefined;
  if (st.isDirectory()) return path.join(dotGit, 'info', 'exclude');
  if (!st.isFile()) return undefined;
  const text = await readBounded(dotGit);
  const m = text && /^gitdir:\s*(.+?)\s*$/m.exec(text);
  if (!m?.[1]) return undefined;
  const gitDir = path.resolve(root, m[1]);
  const common = (await readBounded(path.join(gitDir, 'commondir')))?.trim();
  return path.join(common ? path.resolve(gitDir, common) : gitDir, 'info', 'exclude');
}

/** The rules a folder's ignore files hold, or `undefined` when it has none. `names` are the folder's entries. */
async function folderRules(root: string, base: string, names: ReadonlySet<string>): Promise<FolderRules | undefined> {
  const texts: string[] = [];
  if (base === '') {
    const exclude = await gitExcludeFile(root);
    const text = exclude ? await readBounded(exclude) : undefined;
    if (text) texts.push(text);
  }
  for (const name of IGNORE_FILE_NAMES) {
    if (!names.has(name)) continue;
    const text = await readBounded(path.join(root, base, name));
    if (text) texts.push(text);
  }
  if (!texts.length) return undefined;
  const matcher = ignore({ ignorecase: IGNORE_CASE, allowRelativePaths: true });
  for (const t of texts) matcher.add(t);
  return { base, matcher };
}

/**
 * True when `rel` (a file, or a folder when `isDir`) is ignored by `rules` (outermost first): the deepest
 * folder whose rules say anything about it decides, as in git.
 */
function ignoredBy(rules: readonly FolderRules[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const r of rules) {
    const sub = rel.slice(r.base.length) + (isDir ? '/' : '');
    const t = r.matcher.test(sub);
    if (t.ignored) ignored = true;
    else if (t.unignored) ignored = false;
  }
  return ignored;
}

/** True when a folder named `name` is never listed, whatever the ignore files say. */
export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name);
}

/**
 * Walks the workspace in sorted, depth-first order, yielding what the rules let through, until `limit`
 * files. `stats` adds sizes and modification times (one `lstat` per file).
 */
async function walk(root: string, opts: ListOptions & { stats: boolean }): Promise<{ files: ListedFile[]; truncated: boolean }> {
  const limit = opts.limit ?? 300;
  const files: ListedFile[] = [];
  let truncated = false;

  const readFolder = async (rel: string): Promise<Dirent[] | undefined> => {
    try {
      const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
      return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return undefined;
    }
  };

  // The rules above the listed folder: each ancestor's ignore files, and the ancestors themselves must pass.
  const start = (opts.dir ?? '').split('/').filter((s) => s !== '' && s !== '.');
  const rules: FolderRules[] = [];
  let rel = '';
  let entries: Dirent[] | undefined;
  for (let i = 0; ; i++) {
    entries = await readFolder(rel);
    if (!entries) return { files, truncated };
    const r = await folderRules(root, rel ? `${rel}/` : '', new Set(entries.map((e) => e.name)));
    if (r) rules.push(r);
    if (i === start.length) break;
    const name = start[i] as string;
    const next = rel ? `${rel}/${name}` : name;
    if (isSkippedDir(name) || isSecretPath(next) || ignoredBy(rules, next, true)) return { files, truncated };
    rel = next;
  }

  const visit = async (folder: string, entries: Dirent[], folderRulesList: FolderRules[]): Promise<void> => {
    const keep: Array<{ child: string; dir: boolean; link: boolean }> = [];
    for (const e of entries) {
      const child = folder ? `${folder}/${e.name}` : e.name;
      // A linked worktree's `.git` is a file: version-control data all the same.
      if (isSecretPath(e.name) || e.name === '.git') continue;
      const dir = e.isDirectory();
      if (dir ? isSkippedDir(e.name) : !(e.isFile() || e.isSymbolicLink())) continue;
      if (ignoredBy(folderRulesList, child, dir)) continue;
      keep.push({ child, dir, link: e.isSymbolicLink() });
    }
    // Sizes for this folder's files at once (the walk itself stays in order).
    const fileStats = opts.stats
      ? await Promise.all(keep.map((k) => (k.dir ? undefined : fs.lstat(path.join(root, k.child)).catch(() => undefined))))
      : [];
    for (let i = 0; i < keep.length; i++) {
      if (truncated) return;
      const { child, dir, link } = keep[i] as { child: string; dir: boolean; link: boolean };
      if (dir) {
        const sub = await readFolder(child);
        if (!sub) continue;
        const r = await folderRules(root, `${child}/`, new Set(sub.map((e) => e.name)));
        await visit(child, sub, r ? [...folderRulesList, r] : folderRulesList);
        continue;
      }
      if (files.length >= limit) {
        truncated = true;
        return;
      }
      const st = fileStats[i];
      files.push({ path: child, size: st?.size ?? 0, mtimeMs: st?.mtimeMs ?? 0, ...(link ? { link: true as const } : {}) });
    }
  };
  await visit(rel, entries, rules);
  return { files, truncated };
}

/** Files under `opts.dir` of `root` (default: all of it), at most `opts.limit` (default 300), ignore rules applied. */
export async function listWorkspaceFiles(root: string, opts: ListOptions = {}): Promise<WorkspaceListing> {
  const r = await walk(root, { ...opts, stats: false });
  return { files: r.files.map((f) => f.path), truncated: r.truncated };
}

/** As {@link listWorkspaceFiles}, with each file's size and modification time. */
export async function listWorkspaceFileStats(root: string, opts: ListOptions = {}): Promise<{ files: ListedFile[]; truncated: boolean }> {
  return walk(root, { ...opts, stats: true });
}
