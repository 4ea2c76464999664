/**
 * How the host scripts report: named steps printed like mocha (`✔`/`✘`), the plain closing line
 * `N passed, N failed`, and an exit code that says the same.
 */

/** A `[tag] message` line on stderr, keeping stdout for the results. */
export function sayer(tag: string): (msg: string) => void {
  return (msg) => {
    process.stderr.write(`[${tag}] ${msg}\n`);
  };
}

/** Runs one named step: prints `✔`/`✘` (with the first line of the error), records the outcome, rethrows. */
export async function runStep(results: boolean[], title: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    results.push(true);
    process.stdout.write(`  ✔ ${title}\n`);
  } catch (e) {
    results.push(false);
    process.stdout.write(`  ✘ ${title}\n     ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    throw e;
  }
}

/**
 * The verdict on a run of `expected` steps and its closing line. A run that stopped early failed, even if
 * every step it reached passed.
 */
export function stepVerdict(results: readonly boolean[], expected: number): { ok: boolean; line: string } {
  const passed = results.filter(Boolean).length;
  const ok = passed === expected && !results.includes(false);
  return { ok, line: `${passed} passed, ${ok ? 0 : Math.max(results.length - passed, 1)} failed` };
}

/**
 * Runs a script's `main` and exits with its code; a throw is said on stderr and counts as one failure on
 * stdout (`0 passed, 1 failed`), so a caller reading the closing line sees it too.
 */
export function exitWithResult(main: () => Promise<number>, say: (msg: string) => void): void {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      say(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      process.stdout.write('0 passed, 1 failed\n');
      process.exit(1);
    },
  );
}
