/**
 * What an agent is told (Flow's four sections): the goal, its task with acceptance
 * criteria, the summaries and files of its direct upstream tasks, the objectives of its downstream tasks, and
 * a budgeted overview of the repository (its tools look further). The first user message's first line is
 * `Task <id>: <title>`.
 */
import type { Plan, Task } from '../plan/schema';
import { rulesSection, type RuleFile } from './projectRules';
import { taskOpening } from './promptOpening';
import { AGENT_TOOL_LIST, agentToolsFor, type EditFormat } from './tools';

/** One line per tool of the registry: the prompt never names a tool the agent is not offered. */
export function toolSentences(tools: ReadonlyArray<{ name: string; description: string }> = AGENT_TOOL_LIST): string {
  return tools.map((t) => `- ${t.name}: ${t.description}`).join('\n');
}

/** How the prompt tells the agent to change files, per edit format (the tools offered match it). */
const CHANGE_FILES: Readonly<Record<EditFormat, string>> = {
  'search-replace':
    'Look before you change: search for the symbols you need and read the lines around them. Change an existing file with edit_file (small exact replacements); use write_file for new files and full rewrites.',
  whole:
    'Look before you change: search for the symbols you need and read the files you will change. Change a file by writing it whole with write_file: its complete new content, every line you keep included.',
};

/** What every agent is told after how to change files. */
const CLOSING = [
  'Write complete, working code (no placeholders, no TODOs). You may only change the files your task owns; other tasks own the rest.',
  'Your changes are staged and reviewed; the files of the tasks you depend on are already visible to read_file and search.',
  'When your files are changed, call run_checks to run the checks that will verify your task and fix what they find; then call finish with a short summary that the tasks depending on yours can rely on.',
];

/** The agent's system prompt for an edit format: the offered tools, one line each, and how to change files. */
export function agentSystemPrompt(format: EditFormat = 'search-replace'): string {
  return [
    'You are one of several software agents working in parallel on a shared plan. You own one task.',
    'Work only through the tools:',
    toolSentences(agentToolsFor(format)),
    CHANGE_FILES[format],
    ...CLOSING,
  ].join('\n');
}

/** The system prompt of the default edit format (`search-replace`). */
export const AGENT_SYSTEM_PROMPT = agentSystemPrompt();

export interface UpstreamInfo {
  task: Task;
  summary?: string;
  /** Files it staged (created or modified). */
  files: string[];
}

export interface AgentContext {
  plan: Plan;
  task: Task;
  upstream: UpstreamInfo[];
  downstream: Task[];
  /** The repository overview within the agent's token budget (see core/context/overview.ts). */
  overview: string;
  /** The project's rule files that apply to the task's files (AGENTS.md and the like). */
  rules?: readonly RuleFile[];
  /** Findings from a failed verification, when retrying. */
  feedback?: string;
  /** The task's own files as it sees them now (see {@link OwnFile}), so its first turn can change them. */
  ownFiles?: readonly OwnFile[];
}

/** One of the task's files for its first message: its numbered text, or why it is not shown. */
export type OwnFile =
  | { path: string; shown: 'text'; numbered: string; lines: number }
  | { path: string; shown: 'new' }
  | { path: string; shown: 'too-long'; lines?: number }
  | { path: string; shown: 'unreadable'; reason: string };

/** The section of the task's own files, or '' when it owns none. */
export function ownFilesSection(files: readonly OwnFile[]): string {
  if (files.length === 0) return '';
  const parts = ['# Your files as they are now (numbered as read_file shows them; the numbers are not part of the files)'];
  for (const f of files) {
    if (f.shown === 'text') parts.push(`## ${f.path} (${f.lines} line${f.lines === 1 ? '' : 's'})`, f.numbered || '(empty)');
    else if (f.shown === 'new') parts.push(`## ${f.path}: new (it does not exist yet)`);
    else if (f.shown === 'too-long') parts.push(`## ${f.path}${f.lines !== undefined ? ` (${f.lines} lines)` : ''}: too long to show here; search finds the lines you need and read_file shows them`);
    else parts.push(`## ${f.path}: not shown (${f.reason})`);
  }
  return parts.join('\n');
}

const bullet = (items: readonly string[], none = '(none)'): string => (items.length ? items.map((i) => `- ${i}`).join('\n') : none);

/** The first user message of the task's conversation. */
export function agentUserMessage(ctx: AgentContext): string {
  const { task } = ctx;
  const parts = [
    ...taskOpening(task, ctx.plan.goal),
    '# Your task',
    `Objective: ${task.objective}`,
    `Role: ${task.role}`,
    'Files you own (the only ones you may write):',
    bullet(task.files, '(none: read and report only)'),
    'Acceptance criteria:',
    bullet(task.acceptance),
    '',
    '# Context from upstream tasks (done before yours)',
    ctx.upstream.length
      ? ctx.upstream
          .map((u) => `## ${u.task.id}: ${u.task.title}\nSummary: ${u.summary ?? '(none)'}\nFiles: ${u.files.length ? u.files.join(', ') : '(none)'}`)
          .join('\n\n')
      : '(none)',
    '',
    '# Objectives of downstream tasks (they will build on your work)',
    bullet(ctx.downstream.map((d) => `${d.id}: ${d.objective}`)),
    '',
    '# The repository (an overview; list_files, search and read_file show the rest)',
    ctx.overview || '(empty workspace)',
  ];
  const rules = rulesSection(ctx.rules ?? []);
  if (rules) parts.push('', rules);
  const own = ownFilesSection(ctx.ownFiles ?? []);
  if (own) parts.push('', own);
  if (ctx.feedback) parts.push('', '# Problems found in your previous attempt', ctx.feedback);
  return parts.join('\n');
}
