/**
 * Token estimates for budgets. Tokenizers differ by model; for English prose about four characters make a
 * token, for code and paths fewer. We count 3.5 so a budget is rarely exceeded in practice.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}
