/**
 * The Language Model suite (`npm run test:lm`): AgensFlow's `vscode-lm` provider against VS Code's real
 * Language Model API, in a current VS Code (code-server, `--release current`), with a fake chat-model
 * provider extension (test/lm/provider) loaded beside ours. VS Code loads this module from
 * `extensionTestsPath` and calls `run()`.
 */
import { runInHost } from '../integration/mochaHost';
import { registerLmTests } from './lm.test';

export function run(): Promise<void> {
  return runInHost('agensflow-lm', [registerLmTests]);
}
