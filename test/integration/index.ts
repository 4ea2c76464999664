/**
 * The in-host test suite: VS Code (code-server here, or @vscode/test-electron elsewhere) loads this module
 * from `extensionTestsPath` inside the extension host and calls `run()`. Mocha runs the suites with its JSON
 * reporter writing to the file named by `AGENSFLOW_TEST_RESULTS` (set in the server's environment by the
 * driver, test/host/run-in-code-server.ts); the file appears, by an atomic rename, only when the run is over,
 * so the driver can wait for it. Without the variable (test-electron) mocha's spec reporter prints instead.
 */
import * as fs from 'node:fs';
import Mocha from 'mocha';
import { registerActivationTests } from './activation.test';
import { registerPolicyTests } from './policy.test';
import { registerRunTests } from './run.test';
import { registerValidatePlanFileTests } from './validatePlanFile.test';

/** The suites, declared after mocha's globals exist. */
const suites: readonly (() => void)[] = [registerActivationTests, registerValidatePlanFileTests, registerRunTests, registerPolicyTests];

function writeResults(file: string, json: string): void {
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, json);
  fs.renameSync(partial, file);
}

/** Runs every suite; rejects when a test failed (test-electron turns that into a non-zero exit). */
export async function run(): Promise<void> {
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
    mocha.suite.emit('pre-require', globalThis, 'agensflow-integration', mocha);
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
