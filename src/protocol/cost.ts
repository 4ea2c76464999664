/** Cost for display, shared by the CLI and the views. */

/**
 * Dollars for display: `$0.0042`, `$1.23`; "price unknown" when no call was priced (a model missing from
 * the price table costs an unknown amount, not nothing), and a "+" with a note when only some calls were.
 */
export function formatCostText(usd: number, unpricedCalls = 0): string {
  if (unpricedCalls > 0 && usd === 0) return 'price unknown';
  const money = usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
  return unpricedCalls > 0 ? `${money}+ (some prices unknown)` : money;
}
