/**
 * The one rule for adding a model call to usage totals (a run's, a task's, a role's), shared by the journal
 * and the views' reducer. Pure and free of Node modules: the webview bundles it.
 */

/** Usage totals: tokens, dollars over the priced calls, and the calls counted apart. */
export interface UsageFigures {
  inputTokens: number;
  outputTokens: number;
  /** Dollars over the priced calls. */
  cost: number;
  /** Calls of a model with no known price: their cost is unknown, not zero. */
  unpricedCalls?: number;
  /** Calls paid by the user's plan (e.g. VS Code's language models): no price, and none owed. */
  includedCalls?: number;
}

/** One call: `cost` absent when its model has no price; `included` when the user's plan pays for it. */
export interface CallFigures {
  inputTokens: number;
  outputTokens: number;
  cost?: number;
  included?: boolean;
}

/** Adds one call to `totals` in place. */
export function addCallUsage(totals: UsageFigures, call: CallFigures): void {
  totals.inputTokens += call.inputTokens;
  totals.outputTokens += call.outputTokens;
  totals.cost += call.cost ?? 0;
  if (call.cost === undefined) totals.unpricedCalls = (totals.unpricedCalls ?? 0) + 1;
  if (call.included) totals.includedCalls = (totals.includedCalls ?? 0) + 1;
}
