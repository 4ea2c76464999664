/** The workspace's file list given to agents as context and behind `list_files` (bounded, skips heavy folders). */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Folders never listed: version control, dependencies, build caches, our own state. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.agensflow', '__pycache__', '.venv', 'venv', '.mypy_cache', '.pytest_cache', 'dist', 'out', '.next', 'target', '.tox']);

/**
 * Files under `dir` (workspace-relative, `/`-separated, sorted), at most `limit` of them. Symlinks are not
 * followed (a link to a folder outside the workspace must not widen the listing).
 */
export async function listWorkspaceFiles(root: string, dir = '', limit = 2000): Promise<{ files: string[]; truncated: boolean }> {
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
      if (files.length >= limit) {
        truncated = true;
        return;
      }
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) await walk(child);
      } else if (e.isFile() || e.isSymbolicLink()) {
        files.push(child);
      }
    }
  };
  await walk(dir);
  return { files, truncated };
}
