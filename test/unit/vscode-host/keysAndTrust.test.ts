/**
 * Keys, trust and workspace kinds under attack, in the stand-in host (./fakeVscode.ts) against a loopback
 * fake model server: P7 (pasted keys), S8 (keyring unavailable), S9 (key deleted in another window), T2 (trust
 * granted while open; a base URL the folder chose), W12 (virtual workspace).
 */
import './install';
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiKeyProblem } from '../../../src/core/models';
import { FakeModelServer, type FakeHandler, type RecordedRequest } from '../../fixtures/fake-servers';
import { taskOf } from '../cli-run/fakeAgent';
import { activate, deactivate } from '../../../src/extension';
import { ApiKeys, isInvalidApiKeyError, isKeyringUnavailableError, KEYCHAIN_HELP_URL, secretKeyOf } from '../../../src/vscode/secrets';
import { BASE_URL_CONSENT_KEY, confirmBaseUrl, setByFolder } from '../../../src/vscode/run/baseUrlConsent';
import type { RunResult } from '../../../src/vscode/run/runController';
import * as fake from './fakeVscode';

const EXTENSION_ROOT = resolve(__dirname, '../../..');
const SENTINEL = 'sk-TEST-SENTINEL-keys-0123456789abcdef';

describe('vscode keys, trust and workspaces under attack (stand-in host)', function () {
  this.timeout(60_000);
  let base: string;
  let server: FakeModelServer | undefined;
  let context: ReturnType<typeof fake.extensionContext> | undefined;
  let savedEnv: Record<string, string | undefined>;

  beforeEach(() => {
    fake.resetHost();
    base = mkdtempSync(join(tmpdir(), 'af-keys-'));
    savedEnv = { OPENAI_API_KEY: process.env.OPENAI_API_KEY, ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY };
    delete process.env.OPENAI_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
  });
  afterEach(async () => {
    await deactivate();
    for (const d of context?.subscriptions.splice(0).reverse() ?? []) d.dispose();
    context = undefined;
    await server?.close();
    server = undefined;
    for (const [k, v] of Object.entries(savedEnv)) if (v !== undefined) process.env[k] = v;
    rmSync(base, { recursive: true, force: true });
  });

  /** Activates the extension on a workspace folder, with `agensflow.*` settings (user-level unless said). */
  async function start(handler: FakeHandler, secrets = new fake.MemorySecrets()) {
    server = await FakeModelServer.start({ handler });
    const root = join(base, 'ws');
    mkdirSync(root, { recursive: true });
    fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(root), name: 'ws', index: 0 }];
    fake.state.config.set('agensflow.provider', 'openai');
    fake.state.config.set('agensflow.baseUrl', server.openaiBaseUrl);
    fake.state.config.set('agensflow.models.agent', 'gpt-4o-mini');
    fake.state.config.set('agensflow.recovery.maxRetries', 0);
    context = fake.extensionContext(join(base, 'storage'), EXTENSION_ROOT, secrets);
    const exports = activate(context as never);
    const plan = join(base, 'plan.json');
    writeFileSync(plan, JSON.stringify({ goal: 'g', tasks: [{ id: 'one', title: 'One', objective: 'o', files: ['one.txt'] }] }));
    return { exports, root, plan: fake.Uri.file(plan) };
  }

  const agent = (req: RecordedRequest) => {
    const t = taskOf(req);
    if (req.forcedTool === 'submit_verdict') return { kind: 'message' as const, toolCalls: [{ name: 'submit_verdict', arguments: { pass: true, reasons: ['ok'] } }] };
    if (t?.turn === 1) return { kind: 'message' as const, toolCalls: t.owned.map((p) => ({ name: 'write_file', arguments: { path: p, content: 'x\n' } })) };
    return { kind: 'message' as const, toolCalls: [{ name: 'finish', arguments: { summary: 'done' } }] };
  };

  describe('P7: a pasted key', () => {
    it('is trimmed of spaces and newlines; one with an inner space or a non-ASCII character is refused at save time, by code point, without echoing the key', async () => {
      const secrets = new fake.MemorySecrets();
      const keys = new ApiKeys(secrets);
      await keys.set('openai', '  sk-abc123\r\n');
      assert.equal(secrets.values.get(secretKeyOf('openai')), 'sk-abc123');
      for (const bad of ['sk-abc\u00a0123', 'sk-\u201cabc\u201d', 'sk-abc 123', 'sk-abc\u0000']) {
        await assert.rejects(keys.set('openai', bad), (e: unknown) => isInvalidApiKeyError(e) && /U\+[0-9A-F]{4} at position \d+/.test(e.message) && !e.message.includes(bad));
      }
      assert.equal(secrets.values.get(secretKeyOf('openai')), 'sk-abc123', 'the stored key is kept');
      assert.equal(apiKeyProblem('\tsk-ok\n'), undefined);
    });

    it('the Set API Key command refuses it as typed and when passed as an argument, and stores nothing', async () => {
      const { exports } = await start(agent);
      assert.deepEqual(exports.failedContributions, []);
      fake.state.inputBoxAnswers.push('sk-\u00e9t\u00e9');
      assert.equal(await fake.commands.executeCommand('agensflow.setApiKey', 'openai'), false);
      assert.match(fake.state.messages.at(-1)?.text ?? '', /input refused: the API key contains spaces, control or non-ASCII characters \(U\+00E9 at position 4/);
      assert.equal(await fake.commands.executeCommand('agensflow.setApiKey', 'openai', 'sk-\u00e9t\u00e9'), false);
      assert.match(fake.state.messages.at(-1)?.text ?? '', /API key for openai was not stored: the API key contains spaces, control or non-ASCII characters \(U\+00E9 at position 4/);
      assert.equal(context?.secrets.values.size, 0);
      assert.equal(await fake.commands.executeCommand('agensflow.setApiKey', 'openai', ' sk-good-key\n'), true);
      assert.equal(context?.secrets.values.get(secretKeyOf('openai')), 'sk-good-key');
      assert.ok(!fake.state.outputLines.join('\n').includes('sk-good-key'), 'the key is not logged');
    });
  });

  describe('S8: SecretStorage unavailable (OS keyring missing or locked)', () => {
    it('says "OS keyring unavailable" with the troubleshooting link; never falls back to settings, globalState or files', async () => {
      const secrets = new fake.MemorySecrets();
      secrets.failWith = new Error('Cannot create an item in a locked collection');
      const { plan, root } = await start(agent, secrets);
      fake.state.answers.push({ match: /OS keyring unavailable/, answer: 'Open Keychain Troubleshooting' });

      assert.equal(await fake.commands.executeCommand('agensflow.setApiKey', 'openai', SENTINEL), false);
      const error = fake.state.messages.find((m) => m.level === 'error' && /OS keyring unavailable \(see VS Code keychain troubleshooting\)/.test(m.text));
      assert.ok(error, 'the user is told the keyring is unavailable');
      assert.deepEqual(error.items, ['Open Keychain Troubleshooting']);
      await new Promise<void>((r) => setImmediate(r));
      const opened = fake.state.executed.find((e) => e.command === 'env.openExternal');
      assert.equal(String((opened?.args[0] as fake.Uri | undefined)?.toString()).includes('troubleshooting-keychain-issues'), true);
      assert.ok(KEYCHAIN_HELP_URL.startsWith('https://code.visualstudio.com/'));

      // A run cannot read the key: the same message, and no request goes out.
      fake.state.messages = [];
      const result = (await fake.commands.executeCommand('agensflow.runPlanFile', plan)) as RunResult | undefined;
      assert.equal(result?.status, 'failed');
      assert.ok(fake.state.messages.some((m) => m.level === 'error' && /OS keyring unavailable/.test(m.text)));
      assert.equal(server?.requests.length, 0, 'no request without the key');

      // Nowhere else: not in settings, globalState, workspaceState, the workspace or the extension's storage.
      const everywhere = JSON.stringify([[...fake.state.config.entries()], fake.state.configUpdates, context?.globalState.writes, context?.workspaceState.writes]);
      assert.ok(!everywhere.includes(SENTINEL));
      assert.deepEqual(fake.state.configUpdates, []);
      assert.deepEqual(context?.globalState.writes, []);
      for (const dir of [root, join(base, 'storage')]) {
        for (const file of readdirRecursive(dir)) assert.ok(!readFileSync(file, 'utf8').includes(SENTINEL), file);
      }
      assert.ok(!fake.state.outputLines.join('\n').includes(SENTINEL));
    });

    it('ApiKeys turns every rejection into KeyringUnavailableError (read, store, delete)', async () => {
      const secrets = new fake.MemorySecrets();
      secrets.failWith = new Error('no keyring daemon');
      const keys = new ApiKeys(secrets);
      await assert.rejects(keys.get('anthropic'), (e: unknown) => isKeyringUnavailableError(e) && e.action === 'read');
      await assert.rejects(keys.set('anthropic', 'sk-x'), (e: unknown) => isKeyringUnavailableError(e) && e.action === 'store');
      await assert.rejects(keys.set('anthropic', ''), (e: unknown) => isKeyringUnavailableError(e) && e.action === 'delete');
      assert.equal(await keys.stored('anthropic'), undefined, 'labels say "unknown", not "no key"');
    });
  });

  describe('S9: the key is deleted in another window', () => {
    it('stops the run using it at once (no 401 storm) and the next run says "no key configured" without a request', async () => {
      const secrets = new fake.MemorySecrets();
      secrets.values.set(secretKeyOf('openai'), SENTINEL);
      let arrived: () => void = () => undefined;
      const first = new Promise<void>((r) => {
        arrived = r;
      });
      const { plan } = await start(() => {
        arrived();
        return { kind: 'hang' };
      }, secrets);
      const running = Promise.resolve(fake.commands.executeCommand('agensflow.runPlanFile', plan));
      await first;
      const stopped = new Promise<fake.ShownMessage>((r) => {
        fake.state.onMessage = (m) => {
          if (/the API key for OpenAI was removed/.test(m.text)) r(m);
        };
      });

      secrets.changeElsewhere(secretKeyOf('openai'), undefined);

      const message = await stopped;
      assert.deepEqual(message.items, ['Set API Key']);
      const result = (await running) as RunResult;
      assert.equal(result.status, 'cancelled');
      await server?.idle();
      assert.equal(server?.requests.length, 1, 'no further request after the key went');
      assert.equal(server?.requests[0].closedByClient, true);

      fake.state.messages = [];
      assert.equal(((await fake.commands.executeCommand('agensflow.runPlanFile', plan)) as RunResult | undefined)?.status, 'failed');
      const error = fake.state.messages.find((m) => m.level === 'error');
      assert.match(error?.text ?? '', /^AgensFlow: No API key for OpenAI\. /);
      assert.doesNotMatch(error?.text ?? '', /--api-key/);
      assert.deepEqual(error?.items, ['Set API Key']);
      assert.equal(server?.requests.length, 1, 'the next run sent nothing');
    });
  });

  describe('T2: trust granted while the window is open', () => {
    it('enables runs without a reload; the folder\'s base URL is named and asked about before its first use, and a decline sends nothing', async () => {
      fake.workspace.isTrusted = false;
      fake.state.restricted = new Set(['agensflow.baseUrl', 'agensflow.verifiers', 'agensflow.testCommand']);
      const secrets = new fake.MemorySecrets();
      secrets.values.set(secretKeyOf('openai'), SENTINEL);
      const { plan } = await start(agent, secrets);
      // The folder's own .vscode/settings.json chose the address (the fake server stands for the attacker).
      fake.state.configOrigin.set('agensflow.baseUrl', 'workspace');
      const url = server?.openaiBaseUrl ?? '';

      assert.equal(await fake.commands.executeCommand('agensflow.runPlanFile', plan), undefined);
      assert.match(fake.state.messages.at(-1)?.text ?? '', /Restricted Mode/);

      // The user trusts the folder: no reload. The folder's address takes effect now, so it is named at once.
      fake.state.messages = [];
      fake.workspace.isTrusted = true;
      fake.emitters.grantTrust.fire();
      assert.ok(fake.state.outputLines.some((l) => /workspace trusted: settings re-read/.test(l)));
      const notice = fake.state.messages.find((m) => m.level === 'warning' && m.text.includes(url));
      assert.ok(notice, 'a notice names the folder\'s address as soon as the folder is trusted');
      assert.match(notice.text, /with your openai API key/);
      assert.match(notice.text, /asked before the first one is sent/);
      assert.deepEqual(notice.items, ['Open Settings']);
      assert.equal(server?.requests.length, 0, 'nothing sent on trust alone');

      fake.state.messages = [];
      assert.equal(((await fake.commands.executeCommand('agensflow.runPlanFile', plan)) as RunResult | undefined)?.status, 'failed', 'declined (dismissed)');
      const question = fake.state.messages.find((m) => m.modal);
      assert.ok(question, 'asked, modally');
      assert.ok(question.text.includes(url), 'names the address');
      assert.match(question.text, /with your openai API key/);
      assert.equal(server?.requests.length, 0, 'nothing sent to the folder\'s address');
      assert.match(fake.state.messages.find((m) => m.level === 'error')?.text ?? '', /did not approve it/);

      fake.state.answers.push({ match: /Use this address\?/, answer: 'Use This Address' });
      const result = (await fake.commands.executeCommand('agensflow.runPlanFile', plan)) as RunResult;
      assert.equal(result.status, 'completed');
      assert.ok((server?.requests.length ?? 0) > 0);
      assert.deepEqual(context?.workspaceState.get(BASE_URL_CONSENT_KEY), [url]);

      // Approved once: the next run is not asked again; a changed address is.
      fake.state.messages = [];
      await fake.commands.executeCommand('agensflow.runPlanFile', plan);
      assert.equal(fake.state.messages.filter((m) => m.modal).length, 0);
      // An approved address is not announced again.
      fake.emitters.grantTrust.fire();
      assert.ok(!fake.state.messages.some((m) => m.text.includes('now that the folder is trusted')));
    });

    it('a base URL from the user\'s settings is never asked about; one from the folder always is until approved', async () => {
      const asked: string[] = [];
      const memento = new fake.MemoryMemento();
      const deps = (origin: object) => ({
        inspect: () => origin,
        memento: { get: () => memento.get(BASE_URL_CONSENT_KEY), update: (v: string[]) => memento.update(BASE_URL_CONSENT_KEY, v) },
        ask: async (q: string) => {
          asked.push(q);
          return false;
        },
      });
      assert.equal(await confirmBaseUrl(deps({ globalValue: 'http://u.example/v1' }), 'openai', 'http://u.example/v1'), true);
      assert.equal(await confirmBaseUrl(deps({ globalValue: 'http://u.example/v1', workspaceFolderValue: 'http://evil.example/v1' }), 'openai', 'http://evil.example/v1'), false);
      assert.equal(asked.length, 1);
      assert.equal(setByFolder('http://x/v1', { workspaceValue: 'http://x/v1' }), true);
      assert.equal(setByFolder('http://x/v1', { workspaceValue: 'http://y/v1' }), false);
      await memento.update(BASE_URL_CONSENT_KEY, 'not an array');
      assert.equal(await confirmBaseUrl(deps({ workspaceValue: 'http://x/v1' }), 'openai-compatible', 'http://x/v1'), false, 'a malformed record approves nothing');
      assert.doesNotMatch(asked.at(-1) ?? '', /API key/, 'openai-compatible sends no key of the user\'s');
    });
  });

  describe('the walkthrough ticks steps done through buttons', () => {
    const contextSet = (key: string): boolean => fake.state.executed.some((e) => e.command === 'setContext' && e.args[0] === key && e.args[1] === true);
    const until = async (key: string): Promise<void> => {
      // The key is set after an awaited SecretStorage read: wait on the commands the host runs, not on time.
      while (!contextSet(key)) await new Promise<void>((r) => setImmediate(r));
    };

    it('"Store your API key" (agensflow.keyStored) when a key is stored from a button, and "Review the changes" (agensflow.reviewed) on a verdict', async () => {
      const { plan } = await start(agent);
      await new Promise<void>((r) => setImmediate(r));
      assert.equal(contextSet('agensflow.keyStored'), false, 'no key yet');
      // A notification's Set API Key button runs the command inside the extension host, where the walkthrough's onCommand cannot see it.
      assert.equal(await fake.commands.executeCommand('agensflow.setApiKey', 'openai', 'sk-from-a-button'), true);
      await until('agensflow.keyStored');
      const manifest = JSON.parse(readFileSync(join(EXTENSION_ROOT, 'package.json'), 'utf8')) as { contributes: { walkthroughs: { steps: { id: string; completionEvents: string[] }[] }[] } };
      const steps = new Map(manifest.contributes.walkthroughs[0]?.steps.map((st) => [st.id, st.completionEvents]));
      assert.ok(steps.get('key')?.includes('onContext:agensflow.keyStored'));
      assert.ok(steps.get('review')?.includes('onContext:agensflow.reviewed'));

      assert.equal(contextSet('agensflow.reviewed'), false);
      assert.equal(((await fake.commands.executeCommand('agensflow.runPlanFile', plan)) as RunResult).status, 'completed');
      assert.equal(contextSet('agensflow.reviewed'), false, 'a run alone is not a review');
      // The sidebar's and the graph's buttons run the reject in the extension host too.
      assert.equal(await fake.commands.executeCommand('agensflow.rejectTask', 'one'), true);
      await until('agensflow.reviewed');
    });
  });

  describe('W12: a virtual workspace', () => {
    it('the manifest declares virtual workspaces limited, with a description', () => {
      const manifest = JSON.parse(readFileSync(join(EXTENSION_ROOT, 'package.json'), 'utf8')) as { capabilities: { virtualWorkspaces: { supported: unknown; description?: string } } };
      assert.equal(manifest.capabilities.virtualWorkspaces.supported, 'limited');
      assert.match(manifest.capabilities.virtualWorkspaces.description ?? '', /runs no task/);
    });

    it('a run invoked anyway says "not supported in virtual workspaces" and writes nothing', async () => {
      const { plan } = await start(agent);
      fake.workspace.workspaceFolders = [{ uri: fake.Uri.from({ scheme: 'vscode-vfs', authority: 'github', path: '/owner/repo' }), name: 'repo', index: 0 }];
      assert.equal(await fake.commands.executeCommand('agensflow.runPlanFile', plan), undefined);
      const error = fake.state.messages.find((m) => m.level === 'error');
      assert.match(error?.text ?? '', /not supported in virtual workspaces \(this folder is vscode-vfs:/);
      assert.equal(server?.requests.length, 0);
      assert.equal(await fake.commands.executeCommand('agensflow.newTask', 'build a thing'), undefined);
      assert.match(fake.state.messages.at(-1)?.text ?? '', /not supported in virtual workspaces/);
    });
  });
});

function readdirRecursive(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
