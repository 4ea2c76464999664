/**
 * How the agent's, the updater's and the full re-plan's first user messages open: `Task <id>: <title>` as
 * the first line (fake servers and users' integrations recognise the task by it), then the plan's
 * overall goal.
 */
import type { Task } from '../plan/schema';

/** The opening lines, ending with a blank line before the message's own sections. */
export function taskOpening(task: Pick<Task, 'id' | 'title'>, goal: string | undefined): string[] {
  return [`Task ${task.id}: ${task.title}`, '', '# The overall goal', goal ?? '(not given; see the tasks)', ''];
}
