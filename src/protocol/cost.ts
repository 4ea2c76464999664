/** Cost for display, shared by the CLI and the views. */

/**
 * Dollars for display: `$0.0042`, `$1.23`; "price unknown" when no call was priced (a model missing from
 * the price table costs an unknown amount, not nothing), and a "+" with a note when only some calls were.
 * Calls paid by the user's plan (`includedCalls`, e.g. VS Code's language models) are "included in your
 * plan", not "$0": nothing is owed for them, but they count against the plan's quota.
 */
export function formatCostText(usd: number, unpricedCalls = 0, includedCalls = 0): string {
  if (includedCalls > 0 && usd === 0 && unpricedCalls === 0) return 'included in your plan';
  if (unpricedCalls > 0 && usd === 0) return includedCalls > 0 ? 'price unknown (some calls included in your plan)' : 'price unknown';
  const money = usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
  const notes = [unpricedCalls > 0 ? 'some prices unknown' : '', includedCalls > 0 ? 'some calls included in your plan' : ''].filter(Boolean);
  return `${money}${unpricedCalls > 0 ? '+' : ''}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** Usage totals as a cost text (see {@link formatCostText}). */
export function formatUsageCost(usage: { readonly cost: number; readonly unpricedCalls?: number; readonly includedCalls?: number }): string {
  return formatCostText(usage.cost, usage.unpricedCalls ?? 0, usage.includedCalls ?? 0);
}
