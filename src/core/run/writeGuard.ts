/**
 * Critical sections that must not be cut off: a patch being applied together with the journal writes that
 * record it. A front end about to quit (a second Ctrl+C) waits for {@link WriteGuard.idle}, so it never leaves
 * a patch half applied, nor a journal saying "proposed" about an applied one. One guard per process
 * ({@link processWrites}): a signal handler is per process too.
 */
export class WriteGuard {
  private active = 0;
  private waiters: Array<() => void> = [];

  get busy(): boolean {
    return this.active > 0;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await fn();
    } finally {
      if (--this.active === 0) for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Resolves once nothing is in a critical section. */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }
}

/** This process's guard: the engine's `--apply auto` and `applyReviewedPatches` run their applies in it. */
export const processWrites = new WriteGuard();
