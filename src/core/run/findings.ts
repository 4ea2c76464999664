/** Findings as text: one line each for feedback to an agent, the run report and the CLI. */
import type { Finding } from './events';
import type { StagedView } from './staging';
import type { Task } from '../plan/schema';

/** `file:line: message (tool)`, leaving out what is unknown. */
export function findingLine(f: Finding): string {
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}: ` : '';
  return `${where}${f.message}${f.tool ? ` (${f.tool})` : ''}`;
}

/** The findings as a bulleted list, at most `max` of them (the rest counted). */
export function findingList(findings: readonly Finding[], max = 20): string {
  const lines = findings.slice(0, max).map((f) => `- ${findingLine(f)}`);
  if (findings.length > max) lines.push(`- ... and ${findings.length - max} more`);
  return lines.join('\n');
}

/** The feedback a retried agent gets: why the attempt failed and what the checks found. */
export function retryFeedback(reason: string, findings: readonly Finding[]): string {
  return findings.length ? `${reason}. The checks found:\n${findingList(findings)}\nFix these problems. Your previous changes were discarded: make every change of your task again.` : `${reason}.`;
}

/** A one-line summary for a task's `reason`: the reason and the first three findings. */
export function summarizeFindings(reason: string, findings: readonly Finding[]): string {
  const first = findings.slice(0, 3).map(findingLine);
  return first.length ? `${reason}: ${first.join('; ')}${findings.length > 3 ? ` (+${findings.length - 3} more)` : ''}` : reason;
}

/**
 * Files the task owns that are absent after its agent finished (neither staged nor in the workspace), unless
 * the agent deleted them on purpose: a task that owns a file must leave one (a "missing file" fault).
 */
export async function missingOwnedFiles(task: Pick<Task, 'files'>, view: StagedView): Promise<Finding[]> {
  const missing: Finding[] = [];
  for (const file of task.files) {
    if (view.own.get(file) === null) continue;
    if ((await view.readFile(file)) === undefined) missing.push({ file, message: 'the task owns this file but did not write it', tool: 'agensflow' });
  }
  return missing;
}

/**
 * A task that owns files must change at least one of them: finishing with none changed (or only rewritten
 * to the same bytes) is a failure, not a pass. `changed` is the number of files its patch holds.
 */
export function noChangesFinding(task: Pick<Task, 'files'>, changed: number): Finding[] {
  return task.files.length > 0 && changed === 0 ? [{ message: 'no changes made: the task owns files but finished without changing any of them', tool: 'agensflow' }] : [];
}
