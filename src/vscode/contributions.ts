import type { IDisposable } from './lifecycle';
import type { Logger } from './log';

/** Where contributions go: the extension's `context.subscriptions`. */
export interface ContributionOwner {
  readonly subscriptions: { push(...items: IDisposable[]): unknown };
}

/**
 * Starts one contribution and hands what it returns to `owner`. A contribution that throws is logged with
 * its name and skipped, so one broken feature does not take the others down (style habit 1). Returns whether
 * it started.
 */
export function contribute(owner: ContributionOwner, log: Logger, name: string, start: () => IDisposable): boolean {
  try {
    owner.subscriptions.push(start());
    log.debug(`started ${name}`);
    return true;
  } catch (e) {
    log.error(`${name} failed to start`, e);
    return false;
  }
}
