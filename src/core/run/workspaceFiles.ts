/**
 * The workspace's file list: the planner's context, the agents' context and what `list_files` returns.
 * Sorted, bounded, skipping dependency and build folders, VCS data and our own state, and never naming
 * secrets (`.env*`, files or folders, at any depth). Symlinks are listed but not followed (a link to a folder
 * outside the workspace must not widen the listing).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Folders never listed: version control, dependencies, build output and caches, our own state. */
const SKIPPED_DIRS = new Set([
  'node_modules', '.git', '.hg', '.svn', '.agensflow', 'dist', 'out', 'build', '.venv', 'venv', '__pycache__',
  '.mypy_cache', '.pytest_cache', '.tox', '.next', '.cache', 'target', '.idea', '.vscode-test', 'coverage',
]);

export interface WorkspaceListing {
  /** Workspace-relative paths with `/` separators. */
  files: string[];
  /** True when the limit cut the list short. */
  truncated: boolean;
}

/** Files under `dir` of `root` (default: all of it), at most `limit` (default 300). Unreadable folders are skipped. */
export async function listWorkspaceFiles(root: string, opts: { dir?: string; limit?: number } = {}): Promise<WorkspaceListing> {
  const limit = opts.limit ?? 300;
  const files: string[] = [];
  let truncated = false;
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (truncated) return;
      if (e.name.toLowerCase().startsWith('.env')) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) await walk(child);
      } else if (e.isFile() || e.isSymbolicLink()) {
        if (files.length >= limit) {
          truncated = true;
          return;
        }
        files.push(child);
      }
    }
  };
  await walk(opts.dir ?? '');
  return { files, truncated };
}
