/**
 * What VS Code says about a setup problem (src/vscode/run/setupNotice.ts): VS Code's words, never the CLI's
 * flags, and the buttons that fix it, chosen by kind and typed cause.
 */
import { strict as assert } from 'node:assert';
import { ProviderError } from '../../../src/core/models';
import { RunSetupError, setupErrorOf } from '../../../src/core/session';
import { ModelConfigError } from '../../../src/core/models';
import { OPEN_SETTINGS, setupNotice, type SetupAction } from '../../../src/vscode/run/setupNotice';
import { COMMANDS } from '../../../src/vscode/commands/commandIds';

const CLI_WORDS = /--api-key|--base-url|--model|pass --|CLI/;
const labels = (actions: SetupAction[]): string[] => actions.map((a) => a.label);
const ctx = { provider: 'openai', providerLabel: 'OpenAI', keyEnv: 'OPENAI_API_KEY', canRetry: true };

describe('vscode run: setup notices in VS Code\'s words', () => {
  it('a missing key: "No API key for OpenAI." with Set API Key for that provider, whatever words the core used', () => {
    const fromCore = setupErrorOf(new ModelConfigError('no API key for openai: pass --api-key or set OPENAI_API_KEY', 'key'));
    assert.ok(fromCore);
    const notice = setupNotice(fromCore, ctx);
    assert.match(notice.text, /^AgensFlow: No API key for OpenAI\. /);
    assert.doesNotMatch(notice.text, CLI_WORDS);
    assert.equal(notice.level, 'error');
    assert.deepEqual(notice.actions, [{ label: 'Set API Key', kind: 'command', command: COMMANDS.setApiKey, args: ['openai'] }]);
  });

  it('a rejected key names the provider and the status, not the CLI flag; a refused model offers another model', () => {
    const auth = new ProviderError({ kind: 'auth', provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o', status: 401, message: 'openai rejected the API key (HTTP 401) at https://api.openai.com/v1: set a valid key with --api-key or OPENAI_API_KEY' });
    const rejected = setupNotice(setupErrorOf(auth) as RunSetupError, ctx);
    assert.equal(rejected.text, 'AgensFlow: OpenAI rejected the API key (HTTP 401). Store a valid key.');
    assert.deepEqual(labels(rejected.actions), ['Set API Key', 'Retry']);
    const denied = setupNotice(setupErrorOf(new ProviderError({ kind: 'permission', provider: 'openai', baseUrl: 'u', model: 'o1', status: 403, message: 'x' })) as RunSetupError, ctx);
    assert.match(denied.text, /refused access to model 'o1' \(HTTP 403\)/);
    assert.deepEqual(labels(denied.actions), ['Select Provider and Model…', 'Set API Key']);
  });

  it('an unreachable server offers Open Settings at agensflow.baseUrl and Retry, not only Show Log', () => {
    const down = new ProviderError({ kind: 'connection', provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', message: 'connect ECONNREFUSED 127.0.0.1:9' });
    const notice = setupNotice(setupErrorOf(down) as RunSetupError, { provider: 'openai-compatible', providerLabel: 'OpenAI-compatible server', canRetry: true });
    assert.match(notice.text, /^AgensFlow: cannot reach OpenAI-compatible server at http:\/\/127\.0\.0\.1:9\/v1: the connection failed\./);
    assert.deepEqual(labels(notice.actions), ['Open Settings', 'Retry', 'Show Log']);
    assert.deepEqual(notice.actions[0], { label: 'Open Settings', kind: 'command', command: OPEN_SETTINGS, args: ['agensflow.baseUrl'] });
    // Without a start to repeat (nothing to retry), no Retry button.
    assert.deepEqual(labels(setupNotice(setupErrorOf(down) as RunSetupError, { canRetry: false }).actions), ['Open Settings', 'Show Log']);
  });

  it('every kind has a notice without CLI words; Restricted Mode and a busy window are warnings with their fix', () => {
    const kinds = ['no-model', 'unavailable-provider', 'no-key', 'rejected-key', 'bad-endpoint', 'unreachable', 'no-consent', 'model-unavailable', 'untrusted', 'no-folder', 'busy', 'bad-settings'] as const;
    for (const kind of kinds) {
      const notice = setupNotice(new RunSetupError(kind, `AgensFlow: something about ${kind}`), ctx);
      assert.match(notice.text, /^AgensFlow: /, kind);
      assert.doesNotMatch(notice.text, /^AgensFlow: AgensFlow/, kind);
      assert.doesNotMatch(notice.text, CLI_WORDS, kind);
    }
    const untrusted = setupNotice(new RunSetupError('untrusted', 'AgensFlow cannot run a task in Restricted Mode'), ctx);
    assert.equal(untrusted.level, 'warning');
    assert.deepEqual(untrusted.actions, [{ label: 'Manage Workspace Trust', kind: 'command', command: 'workbench.trust.manage', args: [] }]);
    assert.deepEqual(labels(setupNotice(new RunSetupError('no-consent', 'not allowed'), ctx).actions), ['Try Again']);
  });
});
