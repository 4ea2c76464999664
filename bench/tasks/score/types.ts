/** What a scorer of one of the paper's tasks returns: each criterion 0 or 1, the task's score their mean. */

/** The paper's three tasks (paper-tasks.md). */
export type PaperTask = 'gobang' | 'slides' | 'website';

/** One criterion of one trial. */
export interface Criterion {
  /** The paper's name for it, e.g. "Compilable". */
  readonly name: string;
  readonly ok: boolean;
  /** Why, in a line: what was checked and what was found. */
  readonly why: string;
}

export interface TaskScore {
  readonly task: PaperTask;
  readonly criteria: readonly Criterion[];
  /** The mean of the criteria, 0..1. */
  readonly score: number;
}

/** Builds a score from its criteria. */
export function scoreOf(task: PaperTask, criteria: readonly Criterion[]): TaskScore {
  return { task, criteria, score: criteria.length ? criteria.filter((c) => c.ok).length / criteria.length : 0 };
}
