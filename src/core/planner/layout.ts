/**
 * Owned files must fit the workspace: a file a plan assigns either exists, or is a new path in an existing
 * folder, or in a new folder under an existing top-level one. A path in a made-up top-level folder
 * (`src/utils/x.py` in a repository whose code lives in `lib/`) is a plan error the planner is asked to repair.
 * A workspace without top-level folders (empty, or files at its root and dot-folders only) takes any layout: a
 * new project.
 */
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { isSkippedDir } from '../context/workspaceFiles';
import type { PlanInput } from '../plan';

export interface WorkspaceLayout {
  /** The workspace's top-level folders, sorted, without dot-folders (tool state) and the lister's skipped folders (dependencies, builds): none means a new project. */
  readonly topFolders: readonly string[];
  /** True when `rel` (a checked, normalised workspace path) is an existing folder. */
  isFolder(rel: string): boolean;
  /** True when `rel` exists (a file or anything else). */
  exists(rel: string): boolean;
}

/** The layout of the workspace at `root` (its top-level folders are read now; deeper paths when asked). */
export async function workspaceLayout(root: string): Promise<WorkspaceLayout> {
  let top: string[] = [];
  try {
    top = (await fs.readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.') && !isSkippedDir(e.name)).map((e) => e.name).sort();
  } catch {
    top = [];
  }
  const stat = (rel: string) => {
    try {
      return statSync(path.join(root, ...rel.split('/')));
    } catch {
      return undefined;
    }
  };
  return { topFolders: top, isFolder: (rel) => stat(rel)?.isDirectory() === true, exists: (rel) => stat(rel) !== undefined };
}

/** How many of a made-up folder's files one problem names before it says how many more there are. */
const NAMED_FILES = 3;

/**
 * The files of `plan` that do not fit `layout`: one problem per made-up top-level folder, naming its first
 * files with their tasks (and how many more) and what would fit, so a plan that puts 30 files in `src/` gets
 * one sentence, not 30. Paths must already be valid (the plan's own validation runs first).
 */
export function layoutProblems(plan: PlanInput, layout: WorkspaceLayout): string[] {
  if (layout.topFolders.length === 0) return [];
  const byTop = new Map<string, string[]>();
  for (const task of plan.tasks) {
    for (const raw of task.files) {
      const file = path.posix.normalize(raw.replace(/\\/g, '/')).replace(/^\.\//, '');
      const parent = path.posix.dirname(file);
      if (parent === '.' || layout.exists(file) || layout.isFolder(parent)) continue;
      const top = file.split('/')[0]!;
      if (layout.isFolder(top)) continue;
      byTop.set(top, [...(byTop.get(top) ?? []), `task "${task.id}" owns ${file}`]);
    }
  }
  const fits = `use an existing folder or a new one under an existing top-level folder (${layout.topFolders.map((t) => `${t}/`).join(', ')})`;
  return [...byTop].map(([top, owned]) => {
    const more = owned.length - NAMED_FILES;
    const named = `${owned.slice(0, NAMED_FILES).join(', ')}${more > 0 ? ` and ${more} more file${more === 1 ? '' : 's'} there` : ''}`;
    const what = owned.length === 1 ? ', a new file in a folder that does not exist' : ': new files in a folder that does not exist';
    return `${named}${what} (${top}/ is not a folder of the workspace): ${fits}`;
  });
}
