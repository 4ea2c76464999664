import * as fs from 'node:fs';
import * as path from 'node:path';

/** One test as mocha's JSON reporter writes it. */
export interface MochaTest {
  readonly title: string;
  readonly fullTitle: string;
  readonly duration?: number;
  readonly err?: { readonly message?: string; readonly stack?: string };
}

/** The file mocha's JSON reporter writes (the fields the driver reads). */
export interface MochaResults {
  readonly stats: { readonly tests: number; readonly passes: number; readonly failures: number; readonly pending: number };
  /** Every test in run order. */
  readonly tests?: readonly MochaTest[];
  readonly passes: readonly MochaTest[];
  readonly failures: readonly MochaTest[];
  readonly pending: readonly MochaTest[];
}

/** The run was not over in time. */
export class ResultsTimeoutError extends Error {
  override readonly name = 'ResultsTimeoutError';
}

/**
 * Resolves when `file` exists (the suite renames it into place when the run is over), watching its folder
 * rather than polling; rejects after `timeoutMs` or as soon as `abort` fires (the server or browser died).
 */
export function waitForFile(file: string, timeoutMs: number, abort: Promise<string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const dir = path.dirname(file);
    const name = path.basename(file);
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watcher.close();
      if (error) reject(error);
      else resolve();
    };
    const watcher = fs.watch(dir, (_event, changed) => {
      if (changed === name && fs.existsSync(file)) finish();
    });
    const timer = setTimeout(() => finish(new ResultsTimeoutError(`no results after ${timeoutMs / 1000} s`)), timeoutMs);
    void abort.then((why) => finish(new Error(why)));
    // It may have appeared before the watcher started.
    if (fs.existsSync(file)) finish();
  });
}

/** Mocha-style report lines, ending with the plain closing line `N passed, N failed[, N skipped]`. */
export function formatResults(results: MochaResults): string {
  const lines: string[] = [];
  const failed = new Map(results.failures.map((t, i) => [t.fullTitle, i + 1]));
  const skipped = new Set(results.pending.map((t) => t.fullTitle));
  const inOrder = results.tests && results.tests.length > 0 ? results.tests : [...results.passes, ...results.pending, ...results.failures];
  for (const t of inOrder) {
    const n = failed.get(t.fullTitle);
    if (n !== undefined) lines.push(`  ${n}) ${t.fullTitle}`);
    else if (skipped.has(t.fullTitle)) lines.push(`  - ${t.fullTitle} (skipped)`);
    else lines.push(`  ✔ ${t.fullTitle}${t.duration && t.duration > 75 ? ` (${t.duration}ms)` : ''}`);
  }
  // A failure outside any test (a hook, or the suite failing to load) is in failures only.
  const listed = new Set(inOrder.map((t) => t.fullTitle));
  for (const t of results.failures) if (!listed.has(t.fullTitle)) lines.push(`  ${failed.get(t.fullTitle)}) ${t.fullTitle}`);
  lines.push('');
  results.failures.forEach((t, i) => {
    lines.push(`  ${i + 1}) ${t.fullTitle}:`);
    lines.push(`     ${(t.err?.stack ?? t.err?.message ?? 'failed').split('\n').join('\n     ')}`, '');
  });
  const { passes, failures, pending } = results.stats;
  lines.push(`${passes} passed, ${failures} failed${pending > 0 ? `, ${pending} skipped` : ''}`);
  return lines.join('\n');
}
