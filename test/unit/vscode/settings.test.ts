import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { toDisposable } from '../../../src/vscode/lifecycle';
import { createLogger, type LogSink } from '../../../src/vscode/log';
import { AGENSFLOW_SETTINGS, RESTRICTED_SETTINGS, SettingsService, type ConfigurationSource, type SettingDefinitions } from '../../../src/vscode/settings';

/** A configuration store whose changes fire like `onDidChangeConfiguration`. */
class FakeConfiguration implements ConfigurationSource {
  readonly values = new Map<string, unknown>();
  private readonly listeners = new Set<(affects: (section: string) => boolean) => void>();
  reads = 0;
  get(key: string): unknown {
    this.reads++;
    return this.values.get(key);
  }
  onDidChange(listener: (affects: (section: string) => boolean) => void) {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }
  set(key: string, value: unknown): void {
    this.values.set(key, value);
    const full = `agensflow.${key}`;
    for (const l of this.listeners) l((section) => full === section || full.startsWith(`${section}.`));
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

function recordingSink(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (m: string | Error) => lines.push(`${level} ${String(m)}`);
  return { lines, trace: rec('trace'), debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}

const definitions = {
  maxAgents: { schema: z.number().int().min(1).max(32), default: 4 },
  'models.planner': { schema: z.string().min(1), default: 'gpt-4o' },
} satisfies SettingDefinitions;

describe('SettingsService', () => {
  it('declares each setting once in package.json with the same default, a description, and a valid default', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default?: unknown; description?: string; markdownDescription?: string }> } };
      capabilities: { untrustedWorkspaces: { restrictedConfigurations?: string[] } };
    };
    const declared = manifest.contributes.configuration.properties;
    const ours = Object.entries(AGENSFLOW_SETTINGS as SettingDefinitions);
    assert.ok(ours.length >= 15);
    for (const [key, def] of ours) {
      const entry = declared[`agensflow.${key}`];
      assert.ok(entry, `agensflow.${key} is not in package.json`);
      assert.deepEqual(entry.default, def.default, `agensflow.${key}: package.json default differs`);
      assert.ok(entry.description ?? entry.markdownDescription, `agensflow.${key} has no description`);
      assert.ok(def.schema.safeParse(def.default).success, `agensflow.${key}: default fails its own schema`);
    }
    for (const key of Object.keys(declared)) {
      // Settings other helpers add (policy.*) are read through their own tables; none is left unread.
      if (key.startsWith('agensflow.policy.')) continue;
      assert.ok(key.slice('agensflow.'.length) in AGENSFLOW_SETTINGS, `${key} is declared but never read`);
    }
    assert.deepEqual([...(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [])].sort(), [...RESTRICTED_SETTINGS].sort());
  });

  it('returns defaults when unset, and typed values when valid', () => {
    const config = new FakeConfiguration();
    const settings = new SettingsService(definitions, config, createLogger(recordingSink(), 'settings'));
    assert.equal(settings.get('maxAgents'), 4);
    config.set('maxAgents', 8);
    assert.equal(settings.get('maxAgents'), 8);
  });

  it('replaces an invalid value by the default and warns once', () => {
    const config = new FakeConfiguration();
    const sink = recordingSink();
    const settings = new SettingsService(definitions, config, createLogger(sink, 'settings'));
    config.set('maxAgents', 1000);
    assert.equal(settings.get('maxAgents'), 4);
    assert.equal(settings.get('maxAgents'), 4);
    assert.equal(sink.lines.filter((l) => l.startsWith('warn [settings] agensflow.maxAgents is invalid')).length, 1);
  });

  it('caches values and tells listeners exactly which keys changed', () => {
    const config = new FakeConfiguration();
    const settings = new SettingsService(definitions, config, createLogger(recordingSink(), 'settings'));
    settings.get('models.planner');
    settings.get('models.planner');
    assert.equal(config.reads, 1);
    const seen: string[][] = [];
    const sub = settings.onDidChange((keys) => seen.push([...keys]));
    config.set('models.planner', 'claude');
    assert.deepEqual(seen, [['models.planner']]);
    assert.equal(settings.get('models.planner'), 'claude');
    sub.dispose();
    config.set('maxAgents', 2);
    assert.equal(seen.length, 1);
  });

  it('stops listening to the configuration when disposed', () => {
    const config = new FakeConfiguration();
    const settings = new SettingsService(definitions, config, createLogger(recordingSink(), 'settings'));
    assert.equal(config.listenerCount, 1);
    settings.dispose();
    assert.equal(config.listenerCount, 0);
  });
});

describe('createLogger', () => {
  it('prefixes lines with the component and nests children', () => {
    const sink = recordingSink();
    const log = createLogger(sink, 'plan');
    log.info('hello');
    log.child('validate').error('failed', new TypeError('bad'));
    assert.equal(sink.lines[0], 'info [plan] hello');
    assert.match(sink.lines[1], /^error \[plan\/validate\] failed: TypeError: bad\n/);
  });
});
