/**
 * The baseline a local update is measured against (bench/recovery.bench.ts): a Flow-style full re-plan of
 * the same failure, where the model sees every task in full with its status and summary and answers with
 * the whole plan through `submit_workflow`. The product does not run it; it is here so the comparison uses
 * the same wording and the same facts as {@link updaterMessages}.
 */
import type { ChatMessage, ToolSpec } from '../models/types';
import { PlanSchema, type Plan } from '../plan';
import type { UpdateRequest } from '../run/hooks';
import { taskOpening } from '../run/promptOpening';
import { failureLines, UPDATER_SYSTEM_PROMPT } from './prompt';

/** The planner's tool: the whole plan. */
export const SUBMIT_WORKFLOW: ToolSpec<Plan> = {
  name: 'submit_workflow',
  description: 'Submit the whole plan: {goal, tasks: [{id, title, objective, role, deps, files, acceptance}]}.',
  schema: PlanSchema,
};

/** The conversation of a full re-plan after the failure described by `req`. */
export function fullReplanMessages(req: Pick<UpdateRequest, 'plan' | 'taskId' | 'statuses' | 'summaries' | 'reason' | 'findings' | 'attempts'>): ChatMessage[] {
  const failing = req.plan.tasks.find((t) => t.id === req.taskId);
  if (!failing) throw new Error(`fullReplanMessages: no task ${req.taskId} in the plan`);
  const lines = [
    ...taskOpening(failing, req.plan.goal),
    `# The failing task: ${failing.id} (failed after ${req.attempts} attempts)`,
    ...failureLines(req),
    '',
    '# The whole plan, with each task\'s status and summary',
    ...req.plan.tasks.map((t) => `${JSON.stringify(t)}  status: ${req.statuses[t.id] ?? 'pending'}; summary: ${req.summaries[t.id] ?? '(none)'}`),
    '',
    'Call submit_workflow with the whole updated plan.',
  ];
  return [
    { role: 'system', content: UPDATER_SYSTEM_PROMPT.replace('Answer only by calling submit_update.', 'Answer only by calling submit_workflow with the whole plan.') },
    { role: 'user', content: lines.join('\n') },
  ];
}
