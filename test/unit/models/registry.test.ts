/**
 * Providers as a registry: the core registers its three, a front end adds one without touching the core, the
 * CLI refuses the extension's own provider with the reason (exit 2), and package.json's provider enum, the
 * settings schema and the extension's registry list the same ids.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { createModel, PROVIDERS } from '../../../src/core/models/create';
import { isModelConfigError, modelErrorExitCode } from '../../../src/core/models/errors';
import { coreProviderRegistry, CORE_PROVIDERS } from '../../../src/core/models/providers';
import { ProviderRegistry, type ProviderDefinition, type ProviderModelOptions } from '../../../src/core/models/provider';
import { UsageMeter, meteredModel } from '../../../src/core/models/usage';
import type { Model } from '../../../src/core/models/types';
import { EXTENSION_PROVIDER_IDS, extensionProviders } from '../../../src/vscode/providers';
import { AGENSFLOW_SETTINGS } from '../../../src/vscode/settings';
import { fakeLm } from '../vscode-lm/fakeLm';

const reply = { text: 'ok', toolCalls: [], usage: { inputTokens: 1000, outputTokens: 500 }, stopReason: 'stop' as const };

/** A provider that needs no key and no URL, recording what `create` was given. */
function keylessProvider(seen: ProviderModelOptions[]): ProviderDefinition {
  return {
    id: 'in-process',
    label: 'In-process',
    detail: 'a model the front end hosts',
    key: { kind: 'none' },
    baseUrl: { used: false },
    pricing: 'included',
    suggestedModels: [],
    create(o): Model {
      seen.push(o);
      return { provider: 'in-process', name: o.model, pricing: 'included', call: async () => ({ ...reply, model: o.model }) };
    },
  };
}

describe('provider registry', () => {
  it('the core registers openai, openai-compatible and anthropic, each with its key and URL rules', () => {
    const reg = coreProviderRegistry();
    assert.deepEqual(reg.ids(), ['openai', 'openai-compatible', 'anthropic']);
    assert.deepEqual([...PROVIDERS], reg.ids());
    assert.deepEqual(reg.get('openai')?.key, { kind: 'required', env: 'OPENAI_API_KEY' });
    assert.deepEqual(reg.get('anthropic')?.key, { kind: 'required', env: 'ANTHROPIC_API_KEY' });
    assert.equal(reg.get('openai-compatible')?.key.kind, 'optional');
    assert.equal(reg.get('openai-compatible')?.baseUrl.default, undefined, 'a local server has no default URL');
    for (const def of CORE_PROVIDERS) assert.equal(def.pricing, 'per-token');
    // Each front end owns its registry: extending one leaves the core's list as it was.
    coreProviderRegistry().register(keylessProvider([]));
    assert.deepEqual(coreProviderRegistry().ids(), ['openai', 'openai-compatible', 'anthropic']);
    assert.throws(() => coreProviderRegistry().register(CORE_PROVIDERS[0]!), /registered twice/);
  });

  it('a front end registers a provider of its own: built through createModel with no key, no URL, no environment read', async () => {
    const seen: ProviderModelOptions[] = [];
    const reg = coreProviderRegistry().register(keylessProvider(seen));
    const model = createModel({ providers: reg, provider: 'in-process', model: 'm-1', baseUrl: 'http://ignored.invalid', env: { OPENAI_API_KEY: 'sk-must-not-travel' } });
    assert.equal(model.provider, 'in-process');
    assert.equal(model.pricing, 'included', 'the retry layer keeps the pricing kind');
    const result = await model.call({ messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(result.text, 'ok');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.apiKey, undefined);
    assert.equal(seen[0]!.baseUrl, undefined);
    // Without the front end's registry, the same id is unknown (the core never knew it).
    assert.throws(() => createModel({ provider: 'in-process', model: 'm-1' }), (e: unknown) => isModelConfigError(e) && e.setting === 'provider' && /use one of openai, openai-compatible, anthropic/.test(e.message));
  });

  it('a refused provider says why it cannot be built here (a config error, exit 2)', () => {
    const reg = new ProviderRegistry(CORE_PROVIDERS).refuse('hosted', 'it exists only in the other front end');
    const e = (() => {
      try {
        createModel({ providers: reg, provider: 'hosted', model: 'x' });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    assert.ok(isModelConfigError(e));
    assert.match(e.message, /cannot be used here: it exists only in the other front end/);
    assert.equal(modelErrorExitCode(e), 2);
  });

  it('calls of an "included" model cost nothing, even under a model name the price table prices', async () => {
    const meter = new UsageMeter();
    const included = createModel({ providers: coreProviderRegistry().register(keylessProvider([])), provider: 'in-process', model: 'gpt-4o' });
    await meteredModel(included, meter, { role: 'agent' }).call({ messages: [{ role: 'user', content: 'hi' }] });
    const perToken: Model = { provider: 'openai', name: 'gpt-4o', call: async () => ({ ...reply, model: 'gpt-4o' }) };
    await meteredModel(perToken, meter, { role: 'agent' }).call({ messages: [{ role: 'user', content: 'hi' }] });
    const [a, b] = meter.all();
    assert.equal(a!.cost, 0);
    assert.ok(b!.cost !== undefined && b!.cost > 0, 'the same name at a per-token provider is priced');
    assert.equal(meter.totals().inputTokens, 2000, 'tokens still count');
  });
});

describe('provider registry: front ends', () => {
  it("package.json's agensflow.provider enum, the settings schema and the extension's registry agree", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { enum?: string[]; enumDescriptions?: string[] }> } };
    };
    const entry = manifest.contributes.configuration.properties['agensflow.provider'];
    assert.ok(entry?.enum);
    const ids = extensionProviders(fakeLm([]).api).ids();
    assert.deepEqual(entry.enum, ids, 'package.json enum vs the extension registry');
    assert.deepEqual([...EXTENSION_PROVIDER_IDS], ids);
    assert.equal(entry.enumDescriptions?.length, ids.length, 'one description per provider');
    for (const id of ids) assert.ok(AGENSFLOW_SETTINGS.provider.schema.safeParse(id).success, id);
    assert.equal(AGENSFLOW_SETTINGS.provider.schema.safeParse('nope').success, false);
  });

  it('the CLI refuses vscode-lm: it exists only inside VS Code (exit 2, before any request)', async () => {
    const io = captureIo({ env: {} });
    const code = await main(['plan', 'a task', '--out', 'plan.json', '--provider', 'vscode-lm', '--model', 'copilot-gpt-4o'], io);
    assert.equal(code, 2);
    assert.match(io.err(), /vscode-lm.*only inside VS Code/s);
    const unknown = captureIo({ env: {} });
    assert.equal(await main(['plan', 'a task', '--out', 'plan.json', '--provider', 'nope', '--model', 'm'], unknown), 2);
    assert.match(unknown.err(), /unknown provider "nope": use one of openai, openai-compatible, anthropic/);
  });
});
