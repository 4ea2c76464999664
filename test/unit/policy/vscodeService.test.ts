import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CHECK_POINT, PinSchema, taskFeatures, type Pin } from '../../../src/core/policy';
import type { Task } from '../../../src/core/plan';
import type { Logger } from '../../../src/vscode/log';
import { extensionPolicyPath, PolicyService, policySettingsFromVscode } from '../../../src/vscode/policyService';
import { renderPolicy } from '../../../src/vscode/policyView';
import { renderStaticPageHtml } from '../../../src/vscode/webviewHtml';
import { AGENSFLOW_SETTINGS } from '../../../src/vscode/settings';
import { tempDirs } from '../run/tmp';

type Get = ConstructorParameters<typeof PolicyService>[0]['settings'];

const silent: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

function service(stateDir: string, overrides: Record<string, unknown> = {}) {
  const warnings: string[] = [];
  let pins: unknown = undefined;
  const get = ((k: string) => (k in overrides ? overrides[k] : (AGENSFLOW_SETTINGS as Record<string, { default: unknown }>)[k]?.default)) as Get;
  const s = new PolicyService({ stateDir, settings: get, pins: { get: () => pins, update: async (p: Pin[]) => void (pins = p) }, warn: (m) => warnings.push(m), log: silent });
  return { s, warnings, setRawPins: (p: unknown) => (pins = p) };
}

const task: Task = { id: 'docs', title: 'Docs', objective: 'write the readme', role: 'writer', deps: [], files: ['README.md'], acceptance: [] };

describe('policy in VS Code: the service behind Show/Reset/Export/Import (no vscode needed)', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('reads the agensflow.policy.* settings into the policy settings', () => {
    const get = ((k: string) => ({ 'policy.preset': 'frugal', 'policy.weights': { cost: 0.9 }, 'policy.exploration': 0, 'policy.defectCost': 4 })[k]) as Get;
    assert.deepEqual(policySettingsFromVscode(get), { preset: 'frugal', weights: { cost: 0.9 }, explorationShare: 0, defectCostUsd: 4 });
  });

  it('keeps the policy in the extension storage, sets a corrupt file aside and tells the user', async () => {
    const dir = tmp.make('af-vsp-');
    const file = extensionPolicyPath(dir);
    assert.equal(file, path.join(dir, 'policy', 'policy.json'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"schema": "agensflow-policy", "vers');
    const { s, warnings } = service(dir);
    const view = await s.view();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /could not be read .* moved to .*corrupt-/);
    assert.ok(readdirSync(path.dirname(file)).some((f) => f.startsWith('policy.json.corrupt-')), 'the corrupt file is kept aside, not overwritten');
    assert.ok(view.points.some((p) => p.point === 'model'));
  });

  it('shows what was learned per point and context (estimate, interval, prior share), and resets on demand', async () => {
    const dir = tmp.make('af-vsp-');
    const { s } = service(dir);
    const rp = await s.openForRun([{ provider: 'openai-compatible', name: 'm', call: async () => Promise.reject(new Error('unused')) }]);
    const features = taskFeatures(task, { plan: { tasks: [task] } });
    for (let i = 0; i < 6; i++) rp.policy.record(rp.policy.decide('protocol', features, ['direct-edit', 'plan-then-edit', 'test-first'], { pinned: 'direct-edit' }).id, { success: false, source: 'verification' });
    assert.equal(await rp.close(), undefined);

    const view = await s.view();
    const protocol = view.points.find((p) => p.point === 'protocol');
    const learned = protocol?.contexts.find((c) => c.realRuns >= 6 && c.features.lang === 'text');
    assert.ok(learned, JSON.stringify(protocol?.contexts.map((c) => c.cell)));
    const direct = learned.options.find((o) => o.id === 'direct-edit');
    assert.ok(direct && direct.realRuns === 6 && direct.priorShare < 0.7 && direct.interval[0] < direct.pSuccess && direct.pSuccess < direct.interval[1]);
    assert.ok(view.points.find((p) => p.point === CHECK_POINT)?.contexts[0]?.certificate, 'the check point shows its certificate');
    const text = renderPolicy(view, 'protocol');
    assert.match(text, /## protocol\n\nHow the agent is told to work/);
    assert.match(text, /\| direct-edit \| \d+% \| \d+%–\d+% \| 6 \| \d+% \|/);
    assert.doesNotMatch(text, /## model/);
    // Every column is explained in a sentence; no internal names or jargon are left unexplained.
    for (const term of ['Chance of passing', 'Likely range', 'Runs here', 'Starting guess', 'Cost', 'Score']) assert.match(text, new RegExp(`- \\*\\*${term}\\*\\*[^\\n]*: [A-Za-z]`), term);
    assert.match(text, /A \*\*situation\*\* is/);
    assert.doesNotMatch(text, /P\(success\)|certificate|contexts?\b|tiers|prior\b|[a-z]+=[a-z]/);
    assert.match(text, /### kind of change: \w+, language: text, size: small \(1 file\)/);
    // Options that never ran here show no cost or time (the starting values are guesses, not prices).
    const untried = text.split('\n').find((l) => l.startsWith('| test-first |'));
    assert.ok(untried && /\| — \| — \| [-\d.]+ \|$/.test(untried), untried);
    const checks = renderPolicy(view, CHECK_POINT);
    assert.match(checks, /The review (may be skipped|is not skipped) here: .*Skipping is allowed only after/);
    assert.doesNotMatch(checks, /certificate|context/);

    assert.equal((await s.reset()).ok, true);
    const after = await s.view();
    assert.equal(after.points.find((p) => p.point === 'protocol')?.contexts.length, 1, 'only the whole-point context is left');
  });

  it('the policy view: Pin/Unpin links per option (a valid pin each), only the configured models\' tiers with their names, "included" for a plan-paid provider', async () => {
    const dir = tmp.make('af-vsp-');
    const pricing = new PolicyService({ stateDir: dir, settings: ((k: string) => ({ 'models.agent': 'small-model', 'models.agentAlternatives': ['big-model'], provider: 'vscode-lm' } as Record<string, unknown>)[k] ?? (AGENSFLOW_SETTINGS as Record<string, { default: unknown }>)[k]?.default) as Get, pins: { get: () => [{ point: 'protocol', when: {}, option: 'test-first' }], update: async () => undefined }, warn: () => undefined, log: silent, pricingOf: (id) => (id === 'vscode-lm' ? 'included' : 'per-token') });
    const view = await pricing.view();
    assert.deepEqual(view.models, { names: ['small-model', 'big-model'], included: true });
    const text = renderPolicy(view, undefined, { links: true });
    // The model point: the two tiers that apply, named by their models; no "standard" tier, no price.
    const modelSection = text.slice(text.indexOf('## model'), text.indexOf('\n## ', text.indexOf('## model') + 1));
    assert.match(modelSection, /\| \*?\*?cheap \(small-model\)\*?\*? \|/);
    assert.match(modelSection, /\| \*?\*?strong \(big-model\)\*?\*? \|/);
    assert.doesNotMatch(modelSection, /\| \*?\*?standard/);
    assert.doesNotMatch(text, /\$\d/, 'no prices for a provider included in the plan');
    assert.match(text, /- \*\*Cost\*\* and \*\*time\*\*: your provider's calls are included in your plan/);
    assert.match(text, /- \*\*Pin\*\*: always use this option/);
    // Every Pin link carries a valid pin of its row; the pinned option offers Unpin; checks are never pinned.
    const links = [...text.matchAll(/\[(Pin|Unpin)\]\(command:agensflow\.showPolicy\?([^)\s]+)\)/g)];
    assert.ok(links.length > 10, `${links.length} links`);
    for (const [, label, query] of links) {
      const [args] = JSON.parse(decodeURIComponent(query as string)) as [{ pin?: unknown; unpin?: unknown }];
      assert.ok(PinSchema.safeParse(label === 'Pin' ? args.pin : args.unpin).success, JSON.stringify(args));
    }
    assert.ok(links.some(([, label, q]) => label === 'Unpin' && decodeURIComponent(q as string).includes('test-first')));
    const verify = text.slice(text.indexOf('## verify'), text.indexOf('\n## ', text.indexOf('## verify') + 1));
    assert.doesNotMatch(verify, /command:/);
    // Without links (the Markdown preview fallback and the file), the table has no pin column.
    assert.doesNotMatch(renderPolicy(view), /command:/);
    // One model set: nothing to choose, said so; per-token providers keep the "—" for untried options.
    const one = await service(tmp.make('af-vsp-'), { 'models.agent': 'only-model' }).s.view();
    const single = renderPolicy(one, 'model');
    assert.match(single, /Only one agent model is set \(only-model\), so there is nothing to choose here/);
    assert.match(single, /\| \*\*standard \(only-model\)\*\* \|/);
    assert.doesNotMatch(single, /\| \*?\*?(cheap|strong)/);
  });

  it('the policy view keeps stored strings as text: markup and links from an imported policy are escaped', () => {
    const hostile = '<img src=x onerror=alert(1)>](command:workbench.action.terminal.new)[x';
    const view = {
      path: '/p', pins: [{ point: 'protocol', when: { kind: hostile }, option: hostile }],
      points: [{ point: 'protocol', contexts: [{ cell: 'c', features: { kind: hostile }, realRuns: 0, options: [{ id: hostile, pSuccess: 0.5, interval: [0.1, 0.9] as [number, number], realRuns: 0, priorShare: 1, costUsd: 0, latencyMs: 0, expectedScore: 0 }] }] }],
    } as unknown as Parameters<typeof renderPolicy>[0];
    const text = renderPolicy(view, undefined, { links: true });
    assert.ok(!text.includes('<img'), 'no raw markup');
    assert.doesNotMatch(text, /(?<!\\)\]\(command:workbench/, 'no link of the stored string\'s making (its brackets are escaped)');
    assert.ok(text.includes('&lt;img'));
    // The only command links are ours, each a pin or unpin of Show Learned Policy.
    for (const m of text.matchAll(/(?<!\\)\]\(command:([\w.]+)/g)) assert.equal(m[1], 'agensflow.showPolicy');
  });

  it('the policy page runs no script: CSP default-src none, no script-src, styles from the webview only', () => {
    const html = renderStaticPageHtml({ title: 't<', cspSource: 'vscode-resource:', styleUris: ['vscode-resource:/media/webview.css'], body: '<h1>x</h1>' });
    const csp = (/content="([^"]+)"/.exec(html)?.[1] ?? '').replace(/&#39;/g, "'");
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src/);
    assert.match(csp, /style-src vscode-resource:/);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /<title>t&lt;<\/title>/);
  });

  it('exports and imports a policy: validated, capped, never with certificates; a bad file is refused', async () => {
    const dir = tmp.make('af-vsp-');
    const { s } = service(dir);
    const { loaded } = await s.open();
    const features = { ...taskFeatures(task), check: 'inspector' };
    for (let i = 0; i < 40; i++) loaded.policy.record(loaded.policy.decideCheck(features).id, { success: true, source: 'inspector' });
    for (let i = 0; i < 5; i++) loaded.policy.record(loaded.policy.decide('model', taskFeatures(task), ['cheap', 'strong'], { pinned: 'cheap' }).id, { success: true, source: 'verification' });
    await loaded.store.save(loaded.policy);
    const out = path.join(tmp.make('af-vsp-exp-'), 'shared.json');
    await s.exportTo(out);
    const exported = JSON.parse(readFileSync(out, 'utf8')) as { document: { points: Record<string, { rules: unknown[] }> } };
    assert.deepEqual(exported.document.points[CHECK_POINT]?.rules, [], 'no learned check rules leave the workspace');

    const other = service(tmp.make('af-vsp-'));
    const r = await other.s.importFrom(out);
    assert.equal(r.ok, true);
    const imported = await other.s.open();
    assert.match(imported.loaded.policy.current.priorId, /\+learned@/);
    assert.equal(imported.loaded.policy.decideCheck(features).choice, 'run', 'an import never brings a skip certificate');
    assert.equal(Object.keys(imported.loaded.policy.current.cells).length, 0, 'nothing real comes with an import');

    const bad = path.join(tmp.make('af-vsp-bad-'), 'bad.json');
    writeFileSync(bad, JSON.stringify({ schema: 'something-else' }));
    const refused = await other.s.importFrom(bad);
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.message, /not an AgensFlow policy export/);
    assert.ok(existsSync(other.s.path), 'the import was written to the policy file');
  });

  it('keeps valid pins and drops an invalid stored value', async () => {
    const { s, setRawPins } = service(tmp.make('af-vsp-'));
    setRawPins([{ point: 'model', option: 'strong' }]);
    assert.deepEqual(s.pins(), [{ point: 'model', when: {}, option: 'strong' }]);
    setRawPins('garbage');
    assert.deepEqual(s.pins(), []);
  });
});
