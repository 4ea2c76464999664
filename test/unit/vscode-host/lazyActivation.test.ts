/**
 * Lazy activation in the stand-in host (./fakeVscode.ts): activation registers a stand-in for every
 * contributed command, the sidebar view and the graph panel's serializer, and loads no engine; the first use
 * of any of them loads the engine once and hands over to the real contribution. Then the same with the
 * production bundles themselves: dist/extension.js stays small and does not require dist/engine.js until a
 * command runs.
 */
import './install';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeModelServer } from '../../fixtures/fake-servers';
import { newestRunInterrupted } from '../../../src/core/run/runId';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages';
import { activate, deactivate, type AgensFlowExports } from '../../../src/extension';
import { COMMANDS } from '../../../src/vscode/commands/commandIds';
import { GRAPH_VIEW_TYPE, RUN_VIEW_ID } from '../../../src/vscode/viewIds';
import * as fake from './fakeVscode';

const EXTENSION_ROOT = resolve(__dirname, '../../..');
/** The startup bundle's budget: what every window loads. */
const STARTUP_BUNDLE_MAX_BYTES = 300 * 1024;

describe('lazy activation (stand-in host)', function () {
  this.timeout(60_000);
  let base: string;
  let context: ReturnType<typeof fake.extensionContext> | undefined;

  beforeEach(() => {
    fake.resetHost();
    base = mkdtempSync(join(tmpdir(), 'af-lazy-'));
    mkdirSync(join(base, 'ws'));
    fake.workspace.workspaceFolders = [{ uri: fake.Uri.file(join(base, 'ws')), name: 'ws', index: 0 }];
  });
  afterEach(async () => {
    await deactivate();
    for (const d of context?.subscriptions.splice(0).reverse() ?? []) d.dispose();
    context = undefined;
    rmSync(base, { recursive: true, force: true });
  });

  function start(): AgensFlowExports {
    context = fake.extensionContext(join(base, 'storage'), EXTENSION_ROOT);
    return activate(context as never);
  }
  const loads = (): number => fake.state.outputLines.filter((l) => l.includes('loaded the engine')).length;

  it('registers every contributed command, the run view and the graph serializer, and loads no engine', () => {
    const exports = start();
    for (const id of Object.values(COMMANDS)) assert.ok(fake.state.commands.has(id), `${id} is not registered at activation`);
    assert.ok(fake.state.viewProviders.has(RUN_VIEW_ID));
    assert.ok(fake.state.panelSerializers.has(GRAPH_VIEW_TYPE));
    assert.equal(exports.engineLoaded, false);
    assert.equal(loads(), 0);
    const t = exports.activation;
    assert.ok(t.loadMs >= 0 && t.waitMs >= 0 && t.activateMs >= 0);
    assert.ok(Math.abs(t.totalMs - (t.loadMs + t.waitMs + t.activateMs)) < 0.01, JSON.stringify(t));
    assert.throws(() => exports.runState(), /not loaded/);
  });

  it('the first command loads the engine once and runs the real command with its arguments', async () => {
    const server = await FakeModelServer.start({ catalog: { models: ['m1'] } });
    try {
      const exports = start();
      // Two commands at once, before the engine is there: one load, both run for real.
      const [selected, shown] = await Promise.all([
        fake.commands.executeCommand(COMMANDS.selectModel, 'openai-compatible', 'm1', server.openaiBaseUrl),
        fake.commands.executeCommand(COMMANDS.showGraph),
      ]);
      assert.equal(selected, true, 'the real Select Model ran and returned its result');
      assert.equal(shown, undefined);
      assert.equal(exports.engineLoaded, true);
      assert.deepEqual(exports.failedContributions, []);
      assert.equal(fake.state.configUpdates.find((u) => u.key === 'agensflow.models.agent')?.value, 'm1');
      assert.equal(fake.state.panels.length, 1, 'Show Graph opened the panel');
      await fake.commands.executeCommand(COMMANDS.showGraph);
      assert.equal(loads(), 1, 'loaded once');
      assert.ok(exports.runState());
    } finally {
      await server.close();
    }
  });

  it('showing the sidebar loads the engine and hands the view to the real provider', async () => {
    const exports = start();
    const view = new fake.FakeWebviewView(RUN_VIEW_ID);
    await fake.state.viewProviders.get(RUN_VIEW_ID)?.resolveWebviewView(view, {}, {});
    assert.equal(exports.engineLoaded, true);
    assert.match(view.webview.html, /Content-Security-Policy/);
    view.webview.fromPage({ type: 'ready', view: 'sidebar', protocol: PROTOCOL_VERSION });
    assert.ok(view.webview.posted.some((m) => (m as { type?: string }).type === 'snapshot'), 'the real provider answered the page with the state');
  });

  it('a graph panel restored after a reload is handed to the real serializer', async () => {
    const exports = start();
    const panel = new fake.FakeWebviewPanel(GRAPH_VIEW_TYPE, 'AgensFlow Graph', {});
    await fake.state.panelSerializers.get(GRAPH_VIEW_TYPE)?.deserializeWebviewPanel(panel, undefined);
    assert.equal(exports.engineLoaded, true);
    assert.match(panel.webview.html, /Content-Security-Policy/);
  });
});

describe('whether a window must load the engine at startup (the newest run was interrupted)', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'af-newest-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  const run = (id: string, content: string): void => {
    mkdirSync(join(stateDir, 'runs', id), { recursive: true });
    writeFileSync(join(stateDir, 'runs', id, 'run.json'), content);
  };

  it('no runs folder, or a newest run that ended: no', async () => {
    assert.equal(await newestRunInterrupted(stateDir), false);
    run('20261201-100000-000-aaaaaa', JSON.stringify({ status: 'running' }));
    run('20261202-100000-000-bbbbbb', JSON.stringify({ status: 'completed' }));
    assert.equal(await newestRunInterrupted(stateDir), false);
  });

  it('a newest run left running: yes, skipping a newer record that cannot be read and folders that are not runs', async () => {
    run('20261201-100000-000-aaaaaa', JSON.stringify({ status: 'completed' }));
    run('20261202-100000-000-bbbbbb', JSON.stringify({ status: 'running' }));
    run('20261203-100000-000-cccccc', '{"status": "runn');
    run('zzz-not-a-run', JSON.stringify({ status: 'completed' }));
    assert.equal(await newestRunInterrupted(stateDir), true);
  });
});

describe('the production bundles: what a window loads at startup', function () {
  this.timeout(180_000);
  const dist = join(EXTENSION_ROOT, 'dist');
  let base: string;
  let context: ReturnType<typeof fake.extensionContext> | undefined;

  before(() => {
    const built = spawnSync(process.execPath, ['esbuild.js', '--production'], { cwd: EXTENSION_ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
  });
  beforeEach(() => {
    fake.resetHost();
    base = mkdtempSync(join(tmpdir(), 'af-bundle-'));
  });
  afterEach(async () => {
    for (const d of context?.subscriptions.splice(0).reverse() ?? []) d.dispose();
    context = undefined;
    rmSync(base, { recursive: true, force: true });
  });

  it(`dist/extension.js is at most ${STARTUP_BUNDLE_MAX_BYTES / 1024} KB, and the engine is a bundle of its own`, () => {
    const size = statSync(join(dist, 'extension.js')).size;
    assert.ok(size <= STARTUP_BUNDLE_MAX_BYTES, `dist/extension.js is ${size} bytes`);
    assert.ok(statSync(join(dist, 'engine.js')).size > size);
  });

  it('activating dist/extension.js does not require dist/engine.js; the first command does', async () => {
    const engineFile = join(dist, 'engine.js');
    const entryFile = join(dist, 'extension.js');
    delete require.cache[engineFile];
    delete require.cache[entryFile];
    const entry = createRequire(__filename)(entryFile) as { activate(c: unknown): AgensFlowExports; deactivate(): Promise<void> };
    context = fake.extensionContext(join(base, 'storage'), EXTENSION_ROOT);
    const exports = entry.activate(context);
    assert.equal(require.cache[engineFile], undefined, 'dist/engine.js was loaded at activation');
    assert.equal(exports.engineLoaded, false);
    await fake.commands.executeCommand(COMMANDS.showGraph);
    assert.ok(require.cache[engineFile], 'the first command loads dist/engine.js');
    assert.deepEqual(exports.failedContributions, []);
    assert.equal(fake.state.panels.length, 1);
    await entry.deactivate();
  });
});
