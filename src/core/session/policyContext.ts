/**
 * Facts about a task the policy's decisions depend on but its features do not hold: whether a task is risky
 * (no exploration, no skipped check), and what kind of failure an attempt met (the recovery point's context).
 */
import type { FailureKind } from '../policy';
import type { Plan, Task } from '../plan/schema';
import type { Finding } from '../run/events';

const RISKY: ReadonlyArray<[RegExp, string]> = [
  [/(^|\/)\.github\/|(^|\/)\.gitlab-ci|(^|\/)(jenkinsfile|\.circleci\/)/i, 'CI configuration'],
  [/(^|\/)(dockerfile|makefile|package\.json|package-lock\.json|yarn\.lock|pnpm-lock\.yaml|pyproject\.toml|setup\.py|setup\.cfg|cargo\.toml|go\.mod|requirements[^/]*\.txt)$/i, 'build or dependency file'],
  [/\.(sh|bash|ps1|bat|cmd)$/i, 'shell script'],
  [/(^|\/)[^/]*(auth|secur|crypt|secret|password|passwd|token|permission)[^/]*(\/|$)/i, 'security-sensitive file'],
  [/(^|\/)(migrations?|schema)\//i, 'data migration'],
];

/** Why a task is risk-flagged (the first reason found), or `undefined`. */
export function riskOf(task: Pick<Task, 'files'>): string | undefined {
  for (const file of task.files) for (const [pattern, why] of RISKY) if (pattern.test(file)) return `${why}: ${file}`;
  return undefined;
}

const TEST_TOOLS = /^(pytest|unittest|jest|mocha|vitest|npm test|test|go test|cargo test)/i;
const COMPILE_TOOLS = /^(py_compile|python|tsc|typescript|node|javac|gcc|cc|clang|go|rustc|cargo|latexmk|pdflatex|html-validate|css|json|yaml|eslint|ruff|flake8|mypy)/i;

/** The kind of failure behind an attempt's findings and reason. */
export function failureKindOf(reason: string, findings: readonly Finding[]): FailureKind {
  const text = `${reason} ${findings.map((f) => f.message).join(' ')}`.toLowerCase();
  if (/timed? ?out|timeout/.test(text)) return 'timeout';
  if (findings.some((f) => f.tool === 'inspector')) return 'inspector';
  if (/conflict/.test(text)) return 'conflict';
  if (findings.some((f) => f.tool !== undefined && TEST_TOOLS.test(f.tool))) return 'test';
  if (findings.some((f) => f.tool !== undefined && COMPILE_TOOLS.test(f.tool))) return 'compile';
  if (/syntax|compile|cannot find|undefined|not defined|import/.test(text)) return 'compile';
  return 'other';
}

/**
 * Links of a chain that merging could shorten: `second` depends on `first` alone and is `first`'s only
 * dependant, so merging them loses no parallelism.
 */
export function chainLinks(plan: Pick<Plan, 'tasks'>): Array<[string, string]> {
  const dependants = new Map<string, string[]>();
  for (const t of plan.tasks) for (const d of t.deps) dependants.set(d, [...(dependants.get(d) ?? []), t.id]);
  const out: Array<[string, string]> = [];
  for (const t of plan.tasks) {
    const [only] = t.deps;
    if (t.deps.length === 1 && only !== undefined && dependants.get(only)?.length === 1) out.push([only, t.id]);
  }
  return out;
}
