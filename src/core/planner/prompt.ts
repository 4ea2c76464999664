/** The planner's conversation: a system prompt with the rules and the file list; the task as first user turn. */
import type { ChatMessage } from '../models/types';
import type { Plan } from '../plan';
import { rulesSection, type RuleFile } from '../run/projectRules';

export interface PlannerPromptInput {
  task: string;
  files: readonly string[];
  filesTruncated: boolean;
  /** The repository overview (see core/context/overview.ts); when given, it replaces the file list. */
  overview?: string;
  maxTasks: number;
  /** The project's rule files (all of them: the plan covers the whole workspace). */
  rules?: readonly RuleFile[];
  /** Turns the planner may spend looking with list_files, read_file and search (none: it plans at once). */
  exploreTurns?: number;
  /** The user's feedback on a plan they were shown (the plan gate's Re-plan): a new plan must follow it. */
  feedback?: PlanFeedback;
}

/** The user's words on a plan they reviewed, and that plan. */
export interface PlanFeedback {
  text: string;
  previous: Plan;
}

/** The user turn that carries the feedback: the words first, then the plan they are about. */
export function feedbackMessage(feedback: PlanFeedback): string {
  return [
    `Feedback on the previous plan: ${feedback.text}`,
    '',
    'Make a new plan for the same task that follows this feedback, and submit it with submit_workflow. The previous plan was:',
    JSON.stringify({ tasks: feedback.previous.tasks }, null, 2),
  ].join('\n');
}

export function plannerMessages(input: PlannerPromptInput): ChatMessage[] {
  const listing =
    input.overview !== undefined
      ? input.overview
      : input.files.length === 0
      ? '(the workspace is empty)'
      : `${input.files.join('\n')}${input.filesTruncated ? `\n(... more files not shown: only the first ${input.files.length} are listed)` : ''}`;
  const system = [
    'You are the planner of AgensFlow, a coding agent. Break the user\'s task into an AOV graph: a DAG whose',
    'vertices are subtasks that separate agents will carry out in parallel. Answer by calling submit_workflow once',
    'with the plan.',
    '',
    'Rules for a good plan:',
    '- Make every subtask self-contained: an agent sees only its own task, the workspace and its dependencies\' output.',
    '- Maximise parallelism: add a dependency only when a task really needs another task\'s files; every extra',
    '  dependency makes the run slower and more fragile. Prefer a wide, shallow graph.',
    '- Each task owns the files it writes (workspace-relative paths such as "src/game/board.py"); a file is owned by',
    '  at most one task. Tasks may read any file. A task that only reviews may own no files.',
    '- Give each task concrete acceptance criteria a reviewer can check.',
    `- ids: 1-64 characters of a-z, 0-9, "_" and "-", unique. At most ${input.maxTasks} tasks. No cycles.`,
    '- role: a short description of the specialist, e.g. "python developer", "latex writer", "web designer".',
    '- Never own .git/, .vscode/, .github/workflows/, .agensflow/, .env files or *.code-workspace files.',
    '',
    input.overview !== undefined ? 'The repository (ignored files left out):' : 'Workspace files:',
    listing,
  ].join('\n');
  const look = input.exploreTurns
    ? [
        '',
        `Before you plan you may look at the workspace with list_files, read_file and search (read-only; at most ${input.exploreTurns} turns): read the`,
        'files the task touches so that the plan names real paths, functions and conventions. Then call submit_workflow.',
      ].join('\n')
    : '';
  const rules = rulesSection(input.rules ?? [], 'Plan so that the tasks can follow them; each agent is also given those that apply to its files.');
  return [
    { role: 'system', content: `${system}${look}${rules ? `\n\n${rules}` : ''}` },
    { role: 'user', content: input.task },
    ...(input.feedback ? [{ role: 'user' as const, content: feedbackMessage(input.feedback) }] : []),
  ];
}
