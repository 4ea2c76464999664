/**
 * Prices in US dollars per one million tokens. The built-in table covers a few well-known models (list
 * prices when written; override them with `prices` in the config); unknown models count tokens only.
 */
export interface Price {
  /** Dollars per 1M input tokens. */
  input: number;
  /** Dollars per 1M output tokens. */
  output: number;
}

export type PriceTable = Readonly<Record<string, Price>>;

export const BUILTIN_PRICES: PriceTable = Object.freeze({
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
});

/** A dated snapshot name (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) priced as its family. */
const SNAPSHOT_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

/** The price of `model`: an exact entry of `table`, else of its family without a date suffix. */
export function priceOf(model: string, table: PriceTable): Price | undefined {
  return table[model] ?? table[model.replace(SNAPSHOT_SUFFIX, '')];
}

/** Dollars for `inputTokens`/`outputTokens` at `price`. */
export function costOf(price: Price, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}
