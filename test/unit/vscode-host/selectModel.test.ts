/**
 * Select Provider and Model for an OpenAI-compatible server, in the stand-in host (./fakeVscode.ts) against
 * the loopback fake server: the picker lists the server's own models (its `/v1/models`, or Ollama's list), and
 * falls back to a typed name, saying why in the log, when the server cannot list them.
 */
import './install';
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeModelServer } from '../../fixtures/fake-servers';
import { activate, deactivate, type AgensFlowExports } from '../../../src/extension';
import * as fake from './fakeVscode';

const EXTENSION_ROOT = resolve(__dirname, '../../..');
const COMPATIBLE = 'OpenAI-compatible server';

describe('Select Provider and Model: the models of an OpenAI-compatible server', function () {
  this.timeout(30_000);
  let base: string;
  let server: FakeModelServer;
  let context: ReturnType<typeof fake.extensionContext> | undefined;
  let exports: AgensFlowExports;

  beforeEach(async () => {
    fake.resetHost();
    base = mkdtempSync(join(tmpdir(), 'af-select-'));
    mkdirSync(join(base, 'ws'));
    fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(join(base, 'ws')), name: 'ws', index: 0 }];
    server = await FakeModelServer.start();
    context = fake.extensionContext(join(base, 'storage'), EXTENSION_ROOT);
    exports = activate(context as never);
  });
  afterEach(async () => {
    await deactivate();
    for (const d of context?.subscriptions.splice(0).reverse() ?? []) d.dispose();
    context = undefined;
    await server.close();
    rmSync(base, { recursive: true, force: true });
  });

  const updates = (): Record<string, unknown> => Object.fromEntries(fake.state.configUpdates.map((u) => [u.key, u.value]));

  it("lists Ollama's models from the base URL just entered and writes the one picked", async () => {
    server.setCatalog({ models: ['qwen2.5-coder:7b', 'llama3.1:8b'], ollama: true });
    fake.state.quickPickAnswers = [COMPATIBLE, 'qwen2.5-coder:7b'];
    fake.state.inputBoxAnswers = [server.openaiBaseUrl];
    assert.equal(await fake.commands.executeCommand('agensflow.selectModel'), true);
    assert.equal(updates()['agensflow.models.agent'], 'qwen2.5-coder:7b');
    assert.equal(updates()['agensflow.baseUrl'], server.openaiBaseUrl);
    assert.ok(server.requests.some((r) => r.method === 'GET' && r.path === '/api/tags'), 'Ollama was asked for its list');
  });

  it('a model the server does not list cannot be picked from the list', async () => {
    server.setCatalog({ models: ['only-this'] });
    fake.state.quickPickAnswers = [COMPATIBLE, 'gpt-4o'];
    fake.state.inputBoxAnswers = [server.openaiBaseUrl];
    assert.equal(await fake.commands.executeCommand('agensflow.selectModel'), false);
    assert.equal(updates()['agensflow.models.agent'], undefined);
  });

  it('falls back to a typed name when the server cannot list, and logs why', async () => {
    server.setHandler(() => ({ kind: 'error', status: 404 }));
    // No quick pick for the model: the box for a typed name comes straight after the base URL.
    fake.state.quickPickAnswers = [COMPATIBLE];
    fake.state.inputBoxAnswers = [server.openaiBaseUrl, 'typed-model'];
    assert.equal(await fake.commands.executeCommand('agensflow.selectModel'), true);
    assert.equal(updates()['agensflow.models.agent'], 'typed-model');
    assert.ok(fake.state.outputLines.some((l) => l.startsWith('warn') && l.includes(`GET ${server.openaiBaseUrl}/models answered HTTP 404`)), fake.state.outputLines.join('\n'));
  });

  it("P13: listing for another extension (the exports) never sends the stored key to a base URL the folder's settings chose", async () => {
    const attacker = await FakeModelServer.start({ catalog: { models: ['bait'] } });
    try {
      fake.state.config.set('agensflow.baseUrl', attacker.openaiBaseUrl);
      fake.state.configOrigin.set('agensflow.baseUrl', 'workspace');
      await context?.secrets.store('agensflow.apiKey.openai-compatible', 'sk-STORED-SENTINEL-0123456789');
      const listed = await exports.modelChoices('openai-compatible');
      assert.equal(attacker.requests.length, 0, 'a request reached the folder-chosen address');
      assert.ok(!listed.some((m) => m.id === 'bait'));
    } finally {
      await attacker.close();
    }
  });
});
