/**
 * The workspace's file list given to the planner as context: breadth-first, sorted, bounded, skipping
 * dependency and build folders, VCS data, our own state and secrets (`.env*`). Symlinks are not followed.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

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

/** Lists up to `limit` files under `dir` (default 300). Unreadable folders are skipped. */
export async function listWorkspaceFiles(dir: string, limit = 300): Promise<WorkspaceListing> {
  const files: string[] = [];
  const queue: string[] = [''];
  while (queue.length > 0) {
    const rel = queue.shift()!;
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) queue.push(path);
      } else if (e.isFile() && !e.name.toLowerCase().startsWith('.env')) {
        if (files.length >= limit) return { files, truncated: true };
        files.push(path);
      }
    }
  }
  return { files, truncated: false };
}
