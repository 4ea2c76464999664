/**
 * How many output tokens to ask a model for. One small default cuts off long answers (a whole file written
 * by an agent runs past 8,192 tokens from ~32 KB), so each known model gets its published output limit, and
 * the user's setting overrides the table.
 */

/**
 * Known output limits by model family, matched by prefix (the longest wins) at a name boundary, so dated
 * snapshots (`claude-3-5-sonnet-20241022`), `-latest`, and sizes (`gpt-4.1-mini`) share their family's.
 * Values are the provider's published maximum without beta headers (Claude 3.7 Sonnet reaches 128k only with
 * one: 64000 here).
 */
export const KNOWN_OUTPUT_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  'claude-3-haiku': 4096,
  'claude-3-opus': 4096,
  'claude-3-sonnet': 4096,
  'claude-3-5-haiku': 8192,
  'claude-3-5-sonnet': 8192,
  'claude-3-7-sonnet': 64000,
  'claude-sonnet-4': 64000,
  'claude-opus-4': 32000,
  'claude-opus-4-5': 64000,
  'claude-haiku-4-5': 64000,
  'gpt-3.5-turbo': 4096,
  'gpt-4-turbo': 4096,
  'gpt-4o': 16384,
  'gpt-4o-mini': 16384,
  'gpt-4.1': 32768,
  'gpt-5': 128000,
  o1: 100000,
  'o1-mini': 65536,
  o3: 100000,
  'o3-mini': 100000,
  'o4-mini': 100000,
});

/** The characters that may follow a family's name in a longer model name. */
const BOUNDARY = /^[-:@_]/;

/**
 * The known output limit of `model`, or undefined. A routed name (`anthropic/claude-3-5-sonnet`, as
 * OpenRouter and LiteLLM write it) is looked up by its last segment.
 */
export function knownOutputLimit(model: string): number | undefined {
  const name = model.trim().toLowerCase().split('/').pop() ?? '';
  let best: string | undefined;
  for (const family of Object.keys(KNOWN_OUTPUT_LIMITS)) {
    if (!name.startsWith(family)) continue;
    const rest = name.slice(family.length);
    if (rest !== '' && !BOUNDARY.test(rest)) continue;
    if (best === undefined || family.length > best.length) best = family;
  }
  return best === undefined ? undefined : KNOWN_OUTPUT_LIMITS[best];
}

/**
 * The output tokens to ask for: the user's `override` (a positive whole number) wins, else the model's known
 * limit, else the provider's default (undefined: send none and let the server decide).
 */
export function maxOutputTokensFor(model: string, override: number | undefined, providerDefault: number | undefined): number | undefined {
  if (override !== undefined && Number.isInteger(override) && override > 0) return override;
  return knownOutputLimit(model) ?? providerDefault;
}
