import { z } from 'zod';
import type { Features } from './features';

/**
 * The user's pins: "at this decision point, in contexts matching `when`, always choose `option`". A pinned
 * decision is still recorded (its outcome teaches the policy) but makes no learned choice.
 */
export const PinSchema = z.object({
  point: z.string().min(1),
  /** Features the context must have (empty: every context of the point). */
  when: z.record(z.string(), z.string()).default({}),
  option: z.string().min(1),
});
export type Pin = z.output<typeof PinSchema>;
export const PinsSchema = z.array(PinSchema);

/** The pinned option for a decision, if any applies and is offered: the most specific matching pin wins. */
export function pinFor(pins: readonly Pin[], point: string, features: Features, offered: readonly string[]): string | undefined {
  let best: Pin | undefined;
  for (const pin of pins) {
    if (pin.point !== point || !offered.includes(pin.option)) continue;
    if (!Object.entries(pin.when).every(([k, v]) => features[k] === v)) continue;
    if (!best || Object.keys(pin.when).length >= Object.keys(best.when).length) best = pin;
  }
  return best?.option;
}

/** The pins with `pin` added (replacing one for the same point and context) or, with `remove`, taken out. */
export function updatePins(pins: readonly Pin[], pin: Pin, remove = false): Pin[] {
  const same = (p: Pin): boolean => p.point === pin.point && JSON.stringify(Object.entries(p.when).sort()) === JSON.stringify(Object.entries(pin.when).sort());
  const rest = pins.filter((p) => !same(p));
  return remove ? rest : [...rest, pin];
}
