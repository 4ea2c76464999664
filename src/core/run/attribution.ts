/**
 * Which tasks a failing whole-run check (the test command) is put down to, so that they, not the whole run,
 * retry or re-plan: the tasks whose files the failing output names (a traceback's frames, a test runner's
 * failing file, a compiler's error), or, when it names none of them, the tasks changed since the last check
 * that passed.
 */
import type { Finding } from './events';

/** One task a failing check is put down to, and why. */
export interface CheckAttribution {
  taskId: string;
  /** `output`: the failing output names files of the task; `changed`: it names none, the task changed since the last passing check. */
  by: 'output' | 'changed';
  /** The task's files the output names (for `output`). */
  files: string[];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * True when `text` mentions the workspace-relative path `file` as a path of its own: as it is, or as the end
 * of a longer path (`/abs/ws/src/a.py`, `file:///ws/src/a.js`), not as part of another name (`src/a.py`
 * does not match `src/a.pyc`, `lib/src/a.py.bak` or `my_src/a.py`).
 */
export function mentionsFile(text: string, file: string): boolean {
  return new RegExp(`(?:^|[^\\w.-])${escape(file)}(?=$|[^\\w/.-]|\\.(?!\\w))`, 'm').test(text.replace(/\\/g, '/'));
}

/**
 * The tasks `output` and `findings` of a failing check are put down to. `tasks` are the finished tasks with
 * their owned files; `changed` the ids of those changed since the last passing check (in plan order when
 * used). Names win: the changed tasks are the fallback only when no task's file is named.
 */
export function attributeCheckFailure(findings: readonly Finding[], output: string, tasks: ReadonlyArray<{ id: string; files: readonly string[] }>, changed: ReadonlySet<string>): CheckAttribution[] {
  const text = [output, ...findings.map((f) => `${f.file ?? ''} ${f.message}`)].join('\n');
  const named: CheckAttribution[] = [];
  for (const t of tasks) {
    const files = t.files.filter((f) => mentionsFile(text, f));
    if (files.length > 0) named.push({ taskId: t.id, by: 'output', files });
  }
  if (named.length > 0) return named;
  return tasks.filter((t) => changed.has(t.id) && t.files.length > 0).map((t) => ({ taskId: t.id, by: 'changed', files: [] }));
}

/** The lines of `output` that name one of `files` (at most `max`), as findings for the task's retry. */
export function namingLines(output: string, files: readonly string[], tool: string | undefined, max = 10): Finding[] {
  const out: Finding[] = [];
  for (const line of output.split(/\r?\n/)) {
    const file = files.find((f) => mentionsFile(line, f));
    if (file === undefined || !line.trim()) continue;
    out.push({ file, message: line.trim().slice(0, 500), ...(tool !== undefined ? { tool } : {}) });
    if (out.length >= max) break;
  }
  return out;
}
