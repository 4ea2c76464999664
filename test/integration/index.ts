/**
 * The in-host test suite: VS Code (code-server here, or @vscode/test-electron elsewhere) loads this module
 * from `extensionTestsPath` inside the extension host and calls `run()`. Mocha runs the suites with its JSON
 * reporter writing to the file named by `AGENSFLOW_TEST_RESULTS` (set in the server's environment by the
 * driver, test/host/run-in-code-server.ts); the file appears, by an atomic rename, only when the run is over,
 * so the driver can wait for it. Without the variable (test-electron) mocha's spec reporter prints instead.
 */
import { registerActivationTests } from './activation.test';
import { runInHost } from './mochaHost';
import { registerPlanGateTests } from './planGate.test';
import { registerPolicyTests } from './policy.test';
import { registerReviewTests } from './review.test';
import { registerRunTests } from './run.test';
import { registerTaskEditorTests } from './taskEditor.test';
import { registerValidatePlanFileTests } from './validatePlanFile.test';

/** Runs every suite; rejects when a test failed (test-electron turns that into a non-zero exit). */
export function run(): Promise<void> {
  return runInHost('agensflow-integration', [registerActivationTests, registerValidatePlanFileTests, registerRunTests, registerTaskEditorTests, registerPlanGateTests, registerReviewTests, registerPolicyTests]);
}
