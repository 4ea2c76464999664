/**
 * What the updater is told. Its first user message opens with `Task <id>: <title>` of the failing task.
 * It sees objectives, statuses, summaries and findings, never other tasks' file contents: the
 * failing task and its editable descendants in full, the direct parents as context, the rest of the plan in
 * one line of ids, statuses and files (so a new task does not claim a file another owns).
 */
import type { ChatMessage } from '../models/types';
import type { Task } from '../plan';
import { findingList } from '../run/findings';
import type { UpdateRequest } from '../run/hooks';
import { rulesSection, type RuleFile } from '../run/projectRules';
import { taskOpening } from '../run/promptOpening';

export const UPDATER_SYSTEM_PROMPT = [
  'You are the updater of a coding agent system. A plan of tasks (a DAG) is running; one task failed its checks even after a retry.',
  'Repair the plan locally so the failing task can succeed: clarify or simplify its objective and acceptance criteria using the findings, fix its files or dependencies, or split it into smaller tasks.',
  'Rules: you may replace or remove only the tasks listed as changeable; you must replace or remove the failing task; keep task ids stable; a new task needs a new id; every file is owned by at most one task, so never claim a file another task owns; a task removed must not leave others depending on it.',
  'Prefer the smallest change that fixes the failure. Finished tasks stay as they are; you only see their summaries.',
  'Answer only by calling submit_update.',
].join('\n');

const taskJson = (t: Task): string => JSON.stringify({ id: t.id, title: t.title, objective: t.objective, role: t.role, deps: t.deps, files: t.files, acceptance: t.acceptance });

/** Why the failing task failed, and what the checks found: the same words for the updater and a full re-plan. */
export function failureLines(req: Pick<UpdateRequest, 'reason' | 'findings'>): string[] {
  return [`Why: ${req.reason}`, 'Findings of the checks:', req.findings.length ? findingList(req.findings) : '(none)'];
}

/** The updater's conversation for one failure. */
export function updaterMessages(req: Pick<UpdateRequest, 'plan' | 'taskId' | 'editable' | 'statuses' | 'summaries' | 'reason' | 'findings' | 'attempts'>, rules: readonly RuleFile[] = []): ChatMessage[] {
  const byId = new Map(req.plan.tasks.map((t) => [t.id, t]));
  const failing = byId.get(req.taskId);
  if (!failing) throw new Error(`updaterMessages: no task ${req.taskId} in the plan`);
  const editable = new Set(req.editable);
  const parents = new Set(failing.deps);
  const status = (id: string): string => req.statuses[id] ?? 'pending';
  const lines = [
    ...taskOpening(failing, req.plan.goal),
    `# The failing task (failed after ${req.attempts} attempt${req.attempts === 1 ? '' : 's'})`,
    taskJson(failing),
    ...failureLines(req),
    '',
    '# Tasks you may change (replace or remove): the failing task and its descendants not yet done',
    ...req.plan.tasks.filter((t) => editable.has(t.id)).map((t) => `${taskJson(t)}  status: ${status(t.id)}`),
    '',
    '# Direct parents of the failing task (context: do not change them)',
    ...(parents.size
      ? req.plan.tasks.filter((t) => parents.has(t.id)).map((t) => `- ${t.id}: ${t.title}. Objective: ${t.objective}. Status: ${status(t.id)}. Files: ${t.files.join(', ') || '(none)'}. Summary: ${req.summaries[t.id] ?? '(none)'}`)
      : ['(none)']),
    '',
    // Outside the neighbourhood only what a valid update needs: ids (for deps) and the files already taken.
    '# Other tasks: id (status): files (do not change them or claim their files)',
    req.plan.tasks.filter((t) => !editable.has(t.id) && !parents.has(t.id)).map((t) => `${t.id} (${status(t.id)}): ${t.files.join(', ') || '-'}`).join('; ') || '(none)',
    '',
    ...(rules.length ? [rulesSection(rules, 'Updated tasks must respect them.'), ''] : []),
    'Call submit_update with {reason, replace, add, remove}.',
  ];
  return [
    { role: 'system', content: UPDATER_SYSTEM_PROMPT },
    { role: 'user', content: lines.join('\n') },
  ];
}
