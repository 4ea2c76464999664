/**
 * Models listed from an OpenAI-compatible server (`GET /v1/models`) and from Ollama's own list (`/api/tags`),
 * against the loopback fake server, through the registry's `listModels` seam with the key rules of
 * `createModel`; a server that cannot list fails with a typed error naming the address, never the key.
 */
import { strict as assert } from 'node:assert';
import { FakeModelServer } from '../../fixtures/fake-servers';
import { listModels, PLACEHOLDER_KEY } from '../../../src/core/models/create';
import { isModelConfigError, isProviderError } from '../../../src/core/models/errors';
import { ollamaTagsUrl } from '../../../src/core/models/listing';
import { openaiCompatibleProvider, openaiProvider } from '../../../src/core/models/openai';
import { modelChoices } from '../../../src/vscode/commands/modelChoices';

const KEY = 'sk-LISTING-SENTINEL-1234567890';

describe('listing the models of an OpenAI-compatible server', () => {
  let server: FakeModelServer;
  beforeEach(async () => {
    server = await FakeModelServer.start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('lists GET /v1/models, sorted by name, sending the stored key', async () => {
    server.setCatalog({ models: ['zephyr-7b', 'llama-3.1-8b', 'qwen2.5-coder-7b'] });
    const models = await listModels(openaiCompatibleProvider, { baseUrl: server.openaiBaseUrl, apiKey: KEY, env: {} });
    assert.deepEqual(models?.map((m) => m.id), ['llama-3.1-8b', 'qwen2.5-coder-7b', 'zephyr-7b']);
    const list = server.requests.find((r) => r.path === '/v1/models');
    assert.equal(list?.method, 'GET');
    assert.equal(list.apiKey, KEY);
  });

  it('sends the placeholder, never a key from the environment, when no key is stored', async () => {
    server.setCatalog({ models: ['m1'] });
    await listModels(openaiCompatibleProvider, { baseUrl: server.openaiBaseUrl, env: { OPENAI_API_KEY: KEY } });
    assert.ok(server.requests.length > 0);
    for (const r of server.requests) assert.equal(r.apiKey, PLACEHOLDER_KEY);
  });

  it("prefers Ollama's own list, with each model's family, size and quantisation, where the server is Ollama", async () => {
    server.setCatalog({ models: ['qwen2.5-coder:7b', 'llama3.1:8b'], ollama: true });
    const models = await listModels(openaiCompatibleProvider, { baseUrl: server.openaiBaseUrl, env: {} });
    assert.deepEqual(models?.map((m) => m.id), ['llama3.1:8b', 'qwen2.5-coder:7b']);
    assert.match(models?.[0]?.detail ?? '', /^Ollama · qwen2 · 7\.6B · Q4_K_M · \d+\.\d GB$/);
    assert.ok(server.requests.some((r) => r.path === '/api/tags'));
  });

  it('falls back to /v1/models when /api/tags is not there (a server that is not Ollama)', async () => {
    server.setCatalog({ models: ['vllm-model'] });
    const models = await listModels(openaiCompatibleProvider, { baseUrl: server.openaiBaseUrl, env: {} });
    assert.deepEqual(models?.map((m) => m.id), ['vllm-model']);
    assert.equal(models?.[0]?.detail, 'owned by fake');
  });

  it('asks Ollama only beside a /v1 base URL', () => {
    assert.equal(ollamaTagsUrl('http://localhost:11434/v1'), 'http://localhost:11434/api/tags');
    assert.equal(ollamaTagsUrl('http://localhost:11434/v1/'), 'http://localhost:11434/api/tags');
    assert.equal(ollamaTagsUrl('http://host/proxy/v1'), 'http://host/proxy/api/tags');
    assert.equal(ollamaTagsUrl('http://localhost:8000/openai'), undefined);
  });

  it('fails with a typed error naming the address (and not the key) when neither list answers', async () => {
    server.setHandler(() => ({ kind: 'error', status: 404, message: 'no such route' }));
    await assert.rejects(listModels(openaiCompatibleProvider, { baseUrl: server.openaiBaseUrl, apiKey: KEY, env: {} }), (e: unknown) => {
      assert.ok(isProviderError(e));
      assert.equal(e.kind, 'not-found');
      assert.equal(e.message, `GET ${server.openaiBaseUrl}/models answered HTTP 404`);
      assert.ok(!e.message.includes(KEY));
      return true;
    });
  });

  it('fails as bad-response when the server answers something that is not a model list', async () => {
    server.setHandler(() => ({ kind: 'raw', contentType: 'text/html', body: '<html>login</html>' }));
    await assert.rejects(listModels(openaiCompatibleProvider, { baseUrl: server.openaiBaseUrl, env: {} }), (e: unknown) => isProviderError(e) && e.kind === 'bad-response');
  });

  it('gives up on a server that never answers, as a timeout', async () => {
    server.setHandler(() => ({ kind: 'hang' }));
    await assert.rejects(listModels(openaiCompatibleProvider, { baseUrl: server.openaiBaseUrl, env: {}, timeoutMs: 200 }), (e: unknown) => isProviderError(e) && e.kind === 'timeout');
  });

  it('refuses a base URL with credentials before any request, as createModel does', async () => {
    const url = server.openaiBaseUrl.replace('http://', 'http://user:secret@');
    await assert.rejects(listModels(openaiCompatibleProvider, { baseUrl: url, env: {} }), (e: unknown) => isModelConfigError(e) && e.setting === 'base-url' && !e.message.includes('secret'));
    assert.equal(server.requests.length, 0);
  });

  it('is undefined for a provider that cannot list (its suggestions are offered)', async () => {
    assert.equal(await listModels(openaiProvider, { env: {} }), undefined);
  });
});

describe('the model picker choices', () => {
  let server: FakeModelServer;
  beforeEach(async () => {
    server = await FakeModelServer.start();
  });
  afterEach(async () => {
    await server.close();
  });

  it("are the server's models, live", async () => {
    server.setCatalog({ models: ['b', 'a'] });
    const c = await modelChoices(openaiCompatibleProvider, 'a', { baseUrl: server.openaiBaseUrl });
    assert.deepEqual(c, { models: [{ id: 'a', detail: 'owned by fake' }, { id: 'b', detail: 'owned by fake' }], live: true });
  });

  it('fall back to the current name, with the reason, when the server cannot list', async () => {
    server.setHandler(() => ({ kind: 'error', status: 500 }));
    const c = await modelChoices(openaiCompatibleProvider, 'my-model', { baseUrl: server.openaiBaseUrl });
    assert.deepEqual(c.models, [{ id: 'my-model' }]);
    assert.equal(c.live, false);
    assert.equal(c.problem, `GET ${server.openaiBaseUrl}/models answered HTTP 500`);
  });

  it('fall back with the reason when no base URL is set', async () => {
    const c = await modelChoices(openaiCompatibleProvider, '', {});
    assert.equal(c.live, false);
    assert.match(c.problem ?? '', /base.url/);
  });

  it("are a provider's suggestions, the current name first, when it cannot list", async () => {
    const c = await modelChoices(openaiProvider, 'custom-model', {});
    assert.equal(c.live, false);
    assert.equal(c.models[0]?.id, 'custom-model');
    assert.ok(c.models.length > 1);
  });
});
