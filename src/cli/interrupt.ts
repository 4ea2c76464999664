/**
 * Ctrl+C for `run` and `apply`: the first cancels (the run stops, a patch being applied is finished or rolled
 * back); the second quits, but never in the middle of applying a patch: it waits for the patch and the journal
 * entry that records it (core/run's processWrites), and says so; a third quits at once, saying how to finish a
 * patch cut off then (its journal entry is marked, and the next `apply` or `--resume` completes it).
 */
import type { WriteGuard } from '../core/run';

export interface InterruptDeps {
  /** Cancels the work (the first Ctrl+C). */
  cancel: () => void;
  /** Ends the process. */
  exit: (code: number) => void;
  /** The critical sections to wait for. */
  writes: WriteGuard;
  /** A line for the user. */
  say: (line: string) => void;
  /** How to finish a patch cut off by a forced quit. */
  finishHint: string;
}

/** The SIGINT handler (one per command invocation). */
export function interruptHandler(d: InterruptDeps): () => void {
  let count = 0;
  return () => {
    count++;
    if (count === 1) {
      d.say('cancelling (press Ctrl+C again to quit)...');
      d.cancel();
      return;
    }
    if (count === 2 && d.writes.busy) {
      d.say('finishing the patch being applied (all or nothing) and recording it, then quitting; Ctrl+C again to quit at once');
      void d.writes.idle().then(() => d.exit(130));
      return;
    }
    if (d.writes.busy) d.say(`quitting now: a patch was cut off while being applied; ${d.finishHint} finishes it`);
    d.exit(130);
  };
}
