import { DEFAULT_MAX_TASKS, parsePlanText, planMetrics, type PlanMetrics } from '../../core/plan';
import { locatePlanErrors, syntaxErrorRange, type LocatedProblem } from './locate';

/** The outcome of checking a plan text, independent of VS Code (offsets, not positions). */
export type PlanCheck =
  | { readonly kind: 'valid'; readonly metrics: PlanMetrics }
  | { readonly kind: 'invalid'; readonly problems: readonly LocatedProblem[] }
  | { readonly kind: 'malformed'; readonly problem: LocatedProblem; readonly line: number; readonly column: number };

/** Options of {@link checkPlanText}. */
export interface CheckOptions {
  readonly maxTasks?: number;
}

/**
 * Parses and validates a plan text with the plan core, and places what is wrong in the text: every
 * validation error at its task or JSON path, or the malformed-JSON error at its position.
 */
export function checkPlanText(text: string, options: CheckOptions = {}): PlanCheck {
  const result = parsePlanText(text, { maxTasks: options.maxTasks ?? DEFAULT_MAX_TASKS });
  if (result.ok) return { kind: 'valid', metrics: planMetrics(result.plan) };
  if ('syntaxError' in result) {
    const e = result.syntaxError;
    // The core parses the text without a leading byte-order mark; its offsets count from after it.
    const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    return {
      kind: 'malformed',
      problem: { code: 'json', message: e.message, range: syntaxErrorRange(text, e.offset + bom), related: [] },
      line: e.line,
      column: e.column,
    };
  }
  return { kind: 'invalid', problems: locatePlanErrors(text, result.errors) };
}

/** Rounds for display: at most `digits` decimals, no trailing zeros (1.5, 1.33, 2). */
function round(n: number, digits = 2): string {
  return String(Number(n.toFixed(digits)));
}

/**
 * The one-line summary shown after a successful validation: tasks, edges, depth, parallelism, C_dep and
 * the critical path (core/plan/metrics.ts).
 */
export function formatMetrics(m: PlanMetrics): string {
  return (
    `${m.tasks} task${m.tasks === 1 ? '' : 's'}, ${m.edges} edge${m.edges === 1 ? '' : 's'}, depth ${m.depth}, ` +
    `parallelism ${round(m.parallelism)}, C_dep ${round(m.dependencyComplexity)}, ` +
    `critical path ${m.criticalPath.join(' → ')}`
  );
}
