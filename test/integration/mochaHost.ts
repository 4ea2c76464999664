/**
 * Mocha inside the extension host, for the in-host suites (test/integration, test/lm): the JSON reporter
 * writes to the file named by `AGENSFLOW_TEST_RESULTS` (set in the server's environment by the driver,
 * test/host/run-in-code-server.ts); the file appears, by an atomic rename, only when the run is over, so the
 * driver can wait for it. Without the variable (test-electron) mocha's spec reporter prints instead.
 */
import * as fs from 'node:fs';
import Mocha from 'mocha';

function writeResults(file: string, json: string): void {
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, json);
  fs.renameSync(partial, file);
}

/**
 * Runs `suites` (each declares its tests once mocha's globals exist) in the extension host; rejects when a test
 * failed (test-electron turns that into a non-zero exit).
 */
export async function runInHost(name: string, suites: readonly (() => void)[]): Promise<void> {
  const results = process.env.AGENSFLOW_TEST_RESULTS;
  const grep = process.env.AGENSFLOW_TEST_GREP;
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: 30_000,
    ...(grep ? { grep } : {}),
    ...(results ? { reporter: 'json', reporterOptions: { output: `${results}.partial` } } : { reporter: 'spec' }),
  });
  try {
    mocha.suite.emit('pre-require', globalThis, name, mocha);
    for (const register of suites) register();
  } catch (e) {
    // A suite that cannot even load is a failure the driver must see, not a timeout.
    const err = e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) };
    if (results) {
      writeResults(results, JSON.stringify({ stats: { tests: 1, passes: 0, failures: 1, pending: 0 }, tests: [], passes: [], pending: [], failures: [{ title: 'loading the in-host suites', fullTitle: 'loading the in-host suites', err }] }));
    }
    throw e;
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (results) fs.renameSync(`${results}.partial`, results);
  if (failures > 0) throw new Error(`${failures} in-host test(s) failed`);
}
