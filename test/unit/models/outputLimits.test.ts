/**
 * Output limits: each known model is asked for its published output limit (not one small default), the user's
 * setting overrides the table, and the value is what goes on the wire (`max_completion_tokens` to OpenAI,
 * `max_tokens` to compatible servers and to Anthropic), through the CLI flag, the config file and the VS Code
 * setting alike.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { captureIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { knownOutputLimit, maxOutputTokensFor } from '../../../src/core/models/outputLimits';
import { AGENSFLOW_SETTINGS } from '../../../src/vscode/settings';
import { buildRoleModel, type Settings, type SettingsReader } from '../../../src/vscode/run/runConfig';
import { reply, type FakeModelServer, type RecordedRequest } from '../../fixtures/fake-servers';
import { tempDirs } from '../run/tmp';
import { modelFor, SENTINEL_KEY, useFakeServer } from './helpers';

/** The output limit a recorded request asked for, under the field its protocol uses. */
function asked(r: RecordedRequest): { field: string; value: unknown } | undefined {
  const body = r.body as Record<string, unknown>;
  for (const field of ['max_completion_tokens', 'max_tokens']) if (body[field] !== undefined) return { field, value: body[field] };
  return undefined;
}

describe('output limits: the table', () => {
  it('knows the published limits by family, dated snapshots and routed names included', () => {
    const cases: [string, number | undefined][] = [
      ['claude-3-5-sonnet-20241022', 8192],
      ['claude-3-5-sonnet-latest', 8192],
      ['claude-3-7-sonnet-20250219', 64000],
      ['claude-sonnet-4-20250514', 64000],
      ['claude-sonnet-4-5', 64000],
      ['claude-opus-4-20250514', 32000],
      ['claude-opus-4-1', 32000],
      ['claude-3-5-haiku-20241022', 8192],
      ['gpt-4o', 16384],
      ['gpt-4o-2024-08-06', 16384],
      ['gpt-4o-mini', 16384],
      ['gpt-4.1', 32768],
      ['gpt-4.1-mini', 32768],
      ['o3', 100000],
      ['o4-mini', 100000],
      ['anthropic/claude-3-7-sonnet', 64000],
      // Unknown, or only a prefix without a name boundary: no entry.
      ['qwen2.5-coder:7b', undefined],
      ['gpt-4', undefined],
      ['gpt-4.5-preview', undefined],
      ['o30', undefined],
    ];
    for (const [name, limit] of cases) assert.equal(knownOutputLimit(name), limit, name);
  });

  it('the override wins, then the table, then the provider default', () => {
    assert.equal(maxOutputTokensFor('gpt-4o', 1234, undefined), 1234);
    assert.equal(maxOutputTokensFor('gpt-4o', undefined, undefined), 16384);
    assert.equal(maxOutputTokensFor('mystery', undefined, 8192), 8192);
    assert.equal(maxOutputTokensFor('mystery', undefined, undefined), undefined);
    assert.equal(maxOutputTokensFor('gpt-4o', 0, undefined), 16384, '0 is "not set"');
  });
});

describe('output limits: on the wire (fake servers)', () => {
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));

  const cases: { provider: 'openai' | 'openai-compatible' | 'anthropic'; model: string; field: string; value: number | undefined }[] = [
    { provider: 'openai', model: 'gpt-4o', field: 'max_completion_tokens', value: 16384 },
    { provider: 'openai', model: 'o4-mini', field: 'max_completion_tokens', value: 100000 },
    { provider: 'openai', model: 'gpt-unknown', field: '', value: undefined },
    { provider: 'openai-compatible', model: 'gpt-4.1-mini', field: 'max_tokens', value: 32768 },
    { provider: 'openai-compatible', model: 'qwen2.5-coder:7b', field: '', value: undefined },
    { provider: 'anthropic', model: 'claude-sonnet-4-20250514', field: 'max_tokens', value: 64000 },
    { provider: 'anthropic', model: 'claude-opus-4-1', field: 'max_tokens', value: 32000 },
    { provider: 'anthropic', model: 'claude-3-5-haiku-latest', field: 'max_tokens', value: 8192 },
    { provider: 'anthropic', model: 'claude-unknown', field: 'max_tokens', value: 8192 },
  ];
  for (const stream of [true, false]) {
    for (const c of cases) {
      it(`${c.provider} ${c.model} (${stream ? 'streamed' : 'plain'}): ${c.value === undefined ? 'no limit sent (the server decides)' : `${c.field} ${c.value}`}`, async () => {
        server.enqueue(reply.text('ok'));
        await modelFor(server, c.provider, stream, { model: c.model }).model.call({ messages: [{ role: 'user', content: 'hi' }] });
        assert.equal(server.requests.length, 1);
        assert.deepEqual(asked(server.requests[0]!), c.value === undefined ? undefined : { field: c.field, value: c.value });
      });
    }
  }

  it("the user's limit overrides the table; a request's own limit wins over both", async () => {
    server.enqueue(reply.text('a'), reply.text('b'), reply.text('c'));
    await modelFor(server, 'anthropic', true, { model: 'claude-sonnet-4-5', maxOutputTokens: 20000 }).model.call({ messages: [{ role: 'user', content: 'hi' }] });
    await modelFor(server, 'openai', false, { model: 'gpt-unknown', maxOutputTokens: 3000 }).model.call({ messages: [{ role: 'user', content: 'hi' }] });
    await modelFor(server, 'openai', false, { model: 'gpt-4o', maxOutputTokens: 3000 }).model.call({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 77 });
    assert.deepEqual(server.requests.map(asked), [
      { field: 'max_tokens', value: 20000 },
      { field: 'max_completion_tokens', value: 3000 },
      { field: 'max_completion_tokens', value: 77 },
    ]);
  });

  it('the VS Code setting agensflow.models.maxOutputTokens reaches the wire (0: the table)', async () => {
    const reader = (values: Partial<Settings>): SettingsReader => <K extends keyof Settings & string>(k: K): Settings[K] => (k in values ? values[k] : AGENSFLOW_SETTINGS[k].default) as Settings[K];
    server.enqueue(reply.text('a'), reply.text('b'));
    const base = { provider: 'anthropic', baseUrl: server.url, 'models.agent': 'claude-sonnet-4' } as const;
    await buildRoleModel(reader({ ...base, 'models.maxOutputTokens': 12345 }), 'agent', SENTINEL_KEY, {}).call({ messages: [{ role: 'user', content: 'hi' }] });
    await buildRoleModel(reader(base), 'agent', SENTINEL_KEY, {}).call({ messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual(server.requests.map(asked), [{ field: 'max_tokens', value: 12345 }, { field: 'max_tokens', value: 64000 }]);
  });
});

describe('output limits: CLI', function () {
  this.timeout(60_000);
  let server: FakeModelServer;
  useFakeServer((s) => (server = s));
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  /** `plan` against the fake server (one plan candidate), returning the limits its requests asked for. */
  async function planAsks(extra: string[], config?: object): Promise<unknown[]> {
    const base = tmp.make('af-maxtok-');
    mkdirSync(path.join(base, 'ws'));
    const plan = { tasks: [{ id: 'a', title: 'A', objective: 'write a', files: ['a.txt'] }] };
    server.setHandler(() => reply.tool('submit_workflow', plan));
    const args = ['plan', 'x', '--out', path.join(base, 'plan.json'), '--dir', path.join(base, 'ws'), '--candidates', '1', '--provider', 'anthropic', '--base-url', server.url, '--model', 'claude-sonnet-4-5', '--api-key', SENTINEL_KEY];
    if (config) {
      writeFileSync(path.join(base, 'config.json'), JSON.stringify(config));
      args.push('--config', path.join(base, 'config.json'));
    }
    const io = captureIo({ env: {} });
    assert.equal(await main([...args, ...extra], io), 0, io.err());
    return server.requests.map((r) => asked(r)?.value);
  }

  it('--max-output-tokens and the config file\'s maxOutputTokens are sent; without them the table', async () => {
    assert.deepEqual(await planAsks([]), [64000]);
    server.reset();
    assert.deepEqual(await planAsks(['--max-output-tokens', '4000']), [4000]);
    server.reset();
    assert.deepEqual(await planAsks([], { maxOutputTokens: 5000 }), [5000]);
    server.reset();
    assert.deepEqual(await planAsks(['--max-output-tokens', '4000'], { maxOutputTokens: 5000 }), [4000], 'the flag wins');
  });
});
