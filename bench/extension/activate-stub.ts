/**
 * Child process of the activation benchmark: loads dist/extension.js cold with a stand-in `vscode` module
 * (every property a callable stub) and a fake ExtensionContext, calls activate(), and prints
 * `{"loadMs", "activateMs", "firstUseMs", "failedContributions"}` as JSON (firstUseMs: loading the engine bundle
 * and composing every contribution, as the first command or view does). What the stub cannot satisfy shows up as a
 * failed contribution, which the report states beside the figure.
 */
import Module from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const errors: string[] = [];

type Stub = ((...args: unknown[]) => Stub) & { readonly [key: string | symbol]: unknown };

/** A stand-in for any vscode API: property reads, calls and `new` all give another stub; never a thenable. */
function stub(name: string): Stub {
  const target = function stubFunction(): void {
    // a callable target so the proxy can be called and constructed
  };
  return new Proxy(target, {
    get(t, prop) {
      if (prop === 'then') return undefined;
      if (prop === 'prototype') return t.prototype;
      if (prop === Symbol.toPrimitive) return () => name;
      if (prop === Symbol.iterator) return function* empty(): Generator<never> {};
      if (prop === 'version') return '1.96.0';
      return stub(`${name}.${String(prop)}`);
    },
    set: () => true, // e.g. statusBarItem.name = ...: accepted, forgotten
    apply: () => stub(`${name}()`),
    construct: () => stub(`new ${name}`) as object,
  }) as unknown as Stub;
}

interface ModuleLoader {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
}

/** The module: every name @types/vscode exports (bundles copy a module's own keys), each a stub. */
function vscodeModule(): Record<string, unknown> {
  const types = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  const names = new Set([...types.matchAll(/^\s*export (?:namespace|class|enum|const|let|function) (\w+)/gm)].map((m) => m[1]!));
  const mod: Record<string, unknown> = { version: '1.96.0' };
  for (const n of names) if (n !== 'version') mod[n] = stub(n);
  // The log channel keeps error lines, so the report can say why a contribution failed under the stub.
  const channel = new Proxy({} as Record<string | symbol, unknown>, {
    get: (_t, prop) => (prop === 'then' ? undefined : prop === 'error' ? (...a: unknown[]) => errors.push(a.map(String).join(' ')) : stub(`channel.${String(prop)}`)),
  });
  const window = mod.window as Stub;
  mod.window = new Proxy(window, { get: (t, prop) => (prop === 'createOutputChannel' ? () => channel : Reflect.get(t, prop)) });
  return mod;
}

const loader = Module as unknown as ModuleLoader;
const original = loader._load.bind(loader);
const vscode = vscodeModule();
loader._load = (request, parent, isMain) => (request === 'vscode' ? vscode : original(request, parent, isMain));

const root = path.resolve(__dirname, '..', '..');
const storage = mkdtempSync(path.join(tmpdir(), 'agensflow-activate-'));
const memento = { get: (_k: string, d?: unknown) => d, update: async () => undefined, keys: () => [], setKeysForSync: () => undefined };
const context = {
  subscriptions: [] as { dispose(): unknown }[],
  extension: { id: 'agensflow.agensflow', packageJSON: { version: '0.0.0' } },
  extensionUri: { fsPath: root, path: root, scheme: 'file', toString: () => `file://${root}` },
  extensionPath: root,
  storageUri: { fsPath: storage, path: storage, scheme: 'file' },
  globalStorageUri: { fsPath: storage, path: storage, scheme: 'file' },
  logUri: { fsPath: storage, path: storage, scheme: 'file' },
  workspaceState: memento,
  globalState: memento,
  secrets: { get: async () => undefined, store: async () => undefined, delete: async () => undefined, onDidChange: stub('onDidChange') },
  asAbsolutePath: (p: string) => path.join(root, p),
};

const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a cold CommonJS load is what is measured
const ext = require(path.join(root, 'dist', 'extension.js')) as { activate(c: unknown): { failedContributions?: readonly string[]; ready?(): Promise<void> } };
const t1 = performance.now();
const exports = ext.activate(context);
const t2 = performance.now();
// The first use: dist/engine.js loaded and every contribution composed.
void (exports.ready?.() ?? Promise.resolve()).then(() => {
  const t3 = performance.now();
  process.stdout.write(`${JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, firstUseMs: t3 - t2, failedContributions: exports.failedContributions ?? [], errors })}\n`);
  process.exit(0);
});
