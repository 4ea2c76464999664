/** Small helpers for the words the core and the views show to people (counts, lists, repeated errors). */

/** `1 task`, `3 tasks`; `many` for an irregular plural. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function series(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The errors of several candidates drawn from one request (plans, plan updates), each distinct text once:
 * `all 3 candidates: X`, or `candidates 1 and 3: X; candidate 2: Y`. The candidates of a failing request
 * usually fail alike (an unreachable server, a refused key), and one message three times reads as three
 * problems. An absent error reads "invalid".
 */
export function distinctErrors(errors: readonly (string | undefined)[]): string {
  const groups = new Map<string, number[]>();
  errors.forEach((e, i) => {
    const key = e?.trim() || 'invalid';
    groups.set(key, [...(groups.get(key) ?? []), i + 1]);
  });
  if (groups.size === 1 && errors.length > 1) {
    const [only] = groups.keys();
    return `${errors.length === 2 ? 'both' : `all ${errors.length}`} candidates: ${only}`;
  }
  return [...groups].map(([e, ns]) => `${ns.length === 1 ? 'candidate' : 'candidates'} ${series(ns.map(String))}: ${e}`).join('; ');
}
