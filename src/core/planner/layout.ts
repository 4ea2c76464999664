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

/**
 * The files of `plan` that do not fit `layout`, one problem per file naming its task and what would fit.
 * Paths must already be valid (the plan's own validation runs first).
 */
export function layoutProblems(plan: PlanInput, layout: WorkspaceLayout): string[] {
  if (layout.topFolders.length === 0) return [];
  const problems: string[] = [];
  for (const task of plan.tasks) {
    for (const raw of task.files) {
      const file = path.posix.normalize(raw.replace(/\\/g, '/')).replace(/^\.\//, '');
      const parent = path.posix.dirname(file);
      if (parent === '.' || layout.exists(file) || layout.isFolder(parent)) continue;
      const top = file.split('/')[0]!;
      if (layout.isFolder(top)) continue;
      problems.push(
        `task "${task.id}" owns ${file}, a new file in a folder that does not exist (${top}/ is not a folder of the workspace): ` +
          `use an existing folder or a new one under an existing top-level folder (${layout.topFolders.map((t) => `${t}/`).join(', ')})`,
      );
    }
  }
  return problems;
}
