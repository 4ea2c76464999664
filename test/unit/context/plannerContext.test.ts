/**
 * What the planner and the agents are sent of a real-looking repository, through the bundled CLI against the
 * loopback fake OpenAI server: the overview names the source, test and manifest paths, outlines definitions
 * (the tree-sitter grammars load from the bundle's dist/tree-sitter), and never names an ignored file.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { agentHandler } from '../cli-run/fakeAgent';
import { tempDirs } from '../run/tmp';

const ROOT = path.resolve(__dirname, '../../..');

function put(root: string, rel: string, text = `${rel}\n`): void {
  const abs = path.join(root, ...rel.split('/'));
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

/** A Python project with rules for agents and gitignored bulk: a virtualenv, coverage, built docs, a log. */
function fixture(ws: string): void {
  put(ws, 'AGENTS.md', '# Rules\nRun the tests with pytest.\n');
  put(ws, 'pyproject.toml', '[project]\nname = "shop"\n');
  put(ws, 'README.md', '# shop\n');
  put(ws, '.gitignore', ['pyenv311/', 'htmlcov/', '*.log', 'docs/_build/', ''].join('\n'));
  put(ws, 'src/shop/__init__.py', '');
  put(ws, 'src/shop/cart.py', 'class Cart:\n    def total(self):\n        return 0\n');
  put(ws, 'src/shop/checkout.py', 'from shop.cart import Cart\n\ndef checkout(cart: Cart):\n    return cart.total()\n');
  put(ws, 'tests/test_cart.py', 'from shop.cart import Cart\n\ndef test_total():\n    assert Cart().total() == 0\n');
  for (let i = 0; i < 300; i++) put(ws, `pyenv311/lib/site-packages/dep${i % 10}/m${i}.py`, 'def vendored(): pass\n');
  for (let i = 0; i < 50; i++) put(ws, `htmlcov/cart_py_${i}.html`, '<p>coverage</p>\n');
  for (let i = 0; i < 80; i++) put(ws, `docs/_build/html/page${i}.html`, '<p>built</p>\n');
  put(ws, 'docs/index.md', '# docs\n');
  put(ws, 'debug.log', 'noise\n');
}

const IGNORED = /pyenv311|htmlcov|cart_py_|_build|page\d+\.html|debug\.log|vendored/;

const PLAN = {
  tasks: [
    { id: 'discount', title: 'Discount', objective: 'add a discount to Cart.total', files: ['src/shop/cart.py'] },
    { id: 'tests', title: 'Tests', objective: 'test the discount', deps: ['discount'], files: ['tests/test_cart.py'] },
  ],
};

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function bodyText(req: RecordedRequest): string {
  return JSON.stringify(req.body);
}

function firstUser(req: RecordedRequest): string {
  const messages = (req.body as { messages?: Array<{ role: string; content?: unknown }> }).messages ?? [];
  const m = messages.find((x) => x.role === 'user');
  return typeof m?.content === 'string' ? m.content : '';
}

describe('context: what the planner and the agents are sent (bundled CLI, loopback fake server)', function () {
  this.timeout(120_000);
  const tmp = tempDirs();
  let server: FakeModelServer;

  before(() => {
    const built = spawnSync(process.execPath, ['esbuild.js'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
  });
  afterEach(async () => {
    await server?.close();
    tmp.cleanup();
  });

  async function cli(args: string[]): Promise<{ code: number | null; err: string }> {
    const child = spawn(process.execPath, ['dist/cli.js', ...args, '--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'fake'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.resume();
    return { code: await exited(child), err };
  }

  it('plan: the planner\'s request holds the source, test and manifest paths and an outline, none of the ignored files, and the CLI prints the overview\'s size', async () => {
    server = await FakeModelServer.start({ handler: (): FakeReply => ({ kind: 'message', toolCalls: [{ name: 'submit_workflow', arguments: PLAN }] }) });
    const base = tmp.make('af-ctx-');
    const ws = path.join(base, 'ws');
    fixture(ws);
    const r = await cli(['plan', 'give the cart a discount', '--out', path.join(base, 'p.json'), '--dir', ws, '--candidates', '1']);
    assert.equal(r.code, 0, r.err);
    assert.equal((r.err.match(/repository overview: \d+ tokens \(budget 4000\) from 9 files/g) ?? []).length, 1, r.err);
    const planner = server.requests.filter((q) => q.tools.includes('submit_workflow'));
    assert.equal(planner.length, 1);
    const text = bodyText(planner[0] as RecordedRequest);
    for (const p of ['pyproject.toml', 'README.md', 'AGENTS.md', 'src/shop/', 'cart.py', 'checkout.py', 'tests/', 'test_cart.py', 'docs/']) assert.ok(text.includes(p), p);
    // Definitions parsed by tree-sitter in the bundle, the most referenced file first.
    assert.match(text, /src\/shop\/cart\.py:\\n {2}1: class Cart:/);
    assert.doesNotMatch(text, IGNORED);
  });

  it('run: an agent\'s first message carries the task and a smaller overview instead of a path dump, with no ignored file', async () => {
    server = await FakeModelServer.start({ handler: agentHandler() });
    const base = tmp.make('af-ctx-');
    const ws = path.join(base, 'ws');
    fixture(ws);
    const planFile = path.join(base, 'p.json');
    writeFileSync(planFile, JSON.stringify(PLAN));
    const r = await cli(['run', '--plan', planFile, '--dir', ws, '--state', path.join(base, 'state'), '--overview-tokens', '2000']);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const first = server.requests.map(firstUser).find((t) => t.startsWith('Task discount:'));
    assert.ok(first, 'the agent was called');
    const section = first.slice(first.indexOf('# The repository'));
    assert.ok(section.length > 0);
    assert.match(section, /src\/shop\//);
    assert.match(section, /tests\//);
    assert.doesNotMatch(first, IGNORED);
    // A quarter of the planner's 2,000 tokens, estimated at 3.5 characters a token.
    const overview = section.slice(section.indexOf('\n') + 1).split('\n# ')[0] ?? '';
    assert.ok(overview.length / 3.5 <= 500, `${overview.length} characters`);
  });
});
