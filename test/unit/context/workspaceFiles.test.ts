/**
 * The one workspace lister: .gitignore files (nested ones too, with negations), `.git/info/exclude` and
 * `.agensflowignore` are honoured by the listing itself and by the agents' `list_files` and `search`, which
 * walk it; secrets stay hidden whatever an ignore file says.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listWorkspaceFiles, listWorkspaceFileStats } from '../../../src/core/context/workspaceFiles';
import { StagingArea } from '../../../src/core/run/staging';
import { AGENT_TOOLS, type ToolEvent } from '../../../src/core/run/tools';
import { tempDirs } from '../run/tmp';

function put(root: string, rel: string, text = `${rel}\n`): void {
  const abs = path.join(root, ...rel.split('/'));
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

async function tool(ws: string, name: string, args: unknown): Promise<string> {
  const layer = new StagingArea(ws).openLayer('t1', [], []);
  const t = AGENT_TOOLS.get(name);
  assert.ok(t, name);
  const events: ToolEvent[] = [];
  const out = await t.execute(t.schema.parse(args), { layer, emit: (e) => events.push(e), signal: new AbortController().signal });
  return out.content;
}

/** A Python project made realistic: source, tests and a manifest beside gitignored bulk. */
function realisticRepo(ws: string): void {
  put(ws, 'pyproject.toml', '[project]\nname = "shop"\n');
  put(ws, 'src/shop/cart.py', 'def subtotal(items):\n    return sum(items)  # NEEDLE\n');
  put(ws, 'tests/test_cart.py', 'from shop.cart import subtotal  # NEEDLE\n');
  put(ws, '.gitignore', ['.venv/', 'pyenv311/', 'htmlcov/', '*.log', '!keep.log', '/generated/', ''].join('\n'));
  // 3,000 files of a gitignored virtualenv under a name no built-in rule knows, and one under `.venv`.
  for (let i = 0; i < 3000; i++) put(ws, `pyenv311/lib/site-packages/pkg${i % 30}/mod${i}.py`, '# NEEDLE in the venv\n');
  put(ws, '.venv/lib/x.py', '# NEEDLE\n');
  put(ws, 'htmlcov/index.html', '<p>NEEDLE</p>\n');
  put(ws, 'debug.log', 'NEEDLE\n');
  put(ws, 'logs/keep.log', 'kept NEEDLE\n');
  put(ws, 'generated/api.py', '# NEEDLE\n');
  put(ws, 'src/generated/ok.py', '# NEEDLE not generated at the root\n');
  // A nested .gitignore applies below its folder only.
  put(ws, 'docs/.gitignore', '_build/\n');
  put(ws, 'docs/_build/html/page.html', 'NEEDLE\n');
  put(ws, 'docs/index.rst', 'NEEDLE\n');
  put(ws, '_build/top.txt', 'not under docs: listed\n');
}

describe('context/workspaceFiles: ignore rules', function () {
  // Writing the 3,000 files of the virtualenv takes a while on a loaded machine; done once for the suite.
  this.timeout(120_000);
  const tmp = tempDirs();
  const shared = tempDirs();
  let ws = '';
  before(() => {
    ws = shared.make();
    realisticRepo(ws);
  });
  after(() => shared.cleanup());
  afterEach(() => tmp.cleanup());

  it('W10: a gitignored virtualenv of 3,000 files, coverage, logs and a nested .gitignore are neither listed nor searched', async () => {
    const all = await listWorkspaceFiles(ws, { limit: 10_000 });
    assert.deepEqual(all, {
      files: ['.gitignore', '_build/top.txt', 'docs/.gitignore', 'docs/index.rst', 'logs/keep.log', 'pyproject.toml', 'src/generated/ok.py', 'src/shop/cart.py', 'tests/test_cart.py'],
      truncated: false,
    });
    // The default cap is no longer spent on ignored bulk.
    assert.ok((await listWorkspaceFiles(ws)).files.includes('tests/test_cart.py'));

    const listed = await tool(ws, 'list_files', { dir: '' });
    assert.doesNotMatch(listed, /pyenv311|htmlcov|debug\.log|_build\/html|\.venv|^generated/m);
    assert.match(listed, /^src\/shop\/cart\.py$/m);

    const found = (await tool(ws, 'search', { pattern: 'NEEDLE' })).split('\n').map((l) => l.split(':')[0]).sort();
    assert.deepEqual(found, ['docs/index.rst', 'logs/keep.log', 'src/generated/ok.py', 'src/shop/cart.py', 'tests/test_cart.py']);
  });

  it('listing or searching inside an ignored folder by name shows nothing of it', async () => {
    assert.deepEqual(await listWorkspaceFiles(ws, { dir: 'pyenv311/lib' }), { files: [], truncated: false });
    assert.deepEqual(await listWorkspaceFiles(ws, { dir: 'docs/_build' }), { files: [], truncated: false });
    assert.deepEqual(await listWorkspaceFiles(ws, { dir: 'docs' }), { files: ['docs/.gitignore', 'docs/index.rst'], truncated: false });
    assert.equal(await tool(ws, 'search', { pattern: 'NEEDLE', path: 'pyenv311' }), '(no matches)');
    assert.equal(await tool(ws, 'list_files', { dir: 'htmlcov' }), '(no files)');
  });

  it('negations work at any depth: a nested !rule brings back what a parent ignored', async () => {
    const ws = tmp.make();
    put(ws, '.gitignore', '*.log\n*.tmp\n');
    put(ws, 'a.log');
    put(ws, 'keep.log');
    put(ws, 'pkg/.gitignore', '!keep.log\n!*.tmp\nlocal.txt\n');
    put(ws, 'pkg/keep.log');
    put(ws, 'pkg/other.log');
    put(ws, 'pkg/x.tmp');
    put(ws, 'pkg/local.txt');
    put(ws, 'local.txt');
    put(ws, 'pkg/sub/.gitignore', '*.tmp\n');
    put(ws, 'pkg/sub/y.tmp');
    put(ws, 'pkg/sub/keep.log');
    const { files } = await listWorkspaceFiles(ws);
    assert.deepEqual(files, ['.gitignore', 'local.txt', 'pkg/.gitignore', 'pkg/keep.log', 'pkg/sub/.gitignore', 'pkg/sub/keep.log', 'pkg/x.tmp']);
  });

  it('.git/info/exclude (also a linked worktree\'s common one) and .agensflowignore are rules too; .agensflowignore is read last', async () => {
    const ws = tmp.make();
    put(ws, '.git/info/exclude', 'scratch/\n');
    put(ws, '.gitignore', 'gen/\n');
    put(ws, '.agensflowignore', 'fixtures/big/\n!gen/\n');
    put(ws, 'scratch/notes.md');
    put(ws, 'gen/out.py');
    put(ws, 'fixtures/big/blob.json');
    put(ws, 'fixtures/small.json');
    assert.deepEqual((await listWorkspaceFiles(ws)).files, ['.agensflowignore', '.gitignore', 'fixtures/small.json', 'gen/out.py']);

    const wt = tmp.make();
    const common = tmp.make();
    put(common, 'info/exclude', 'private/\n');
    put(common, 'worktrees/w/commondir', '../..\n');
    put(wt, '.git', `gitdir: ${path.join(common, 'worktrees', 'w')}\n`);
    put(wt, 'private/a.txt');
    put(wt, 'public/a.txt');
    assert.deepEqual((await listWorkspaceFiles(wt)).files, ['public/a.txt']);
  });

  it('A3: a .gitignore or .agensflowignore that un-ignores .env cannot expose a secret to the listing, list_files or search', async () => {
    const ws = tmp.make();
    put(ws, '.gitignore', '*\n!*\n!.env\n!.env.local\n!**/.env*\n!.env/**\n');
    put(ws, '.agensflowignore', '!.env\n!config/.env.production\n');
    put(ws, '.env', 'API_KEY=SECRET123\n');
    put(ws, '.env.local', 'API_KEY=SECRET123\n');
    put(ws, 'config/.env.production', 'API_KEY=SECRET123\n');
    put(ws, '.envs/py/bin/activate', 'SECRET123\n');
    put(ws, 'app.py', 'print("hi")\n');
    const { files } = await listWorkspaceFiles(ws, { limit: 1000 });
    assert.deepEqual(files, ['.agensflowignore', '.gitignore', 'app.py']);
    assert.doesNotMatch(await tool(ws, 'list_files', { dir: '' }), /\.env/);
    assert.doesNotMatch(await tool(ws, 'list_files', { dir: 'config' }), /\.env/);
    assert.equal(await tool(ws, 'search', { pattern: 'SECRET123' }), '(no matches)');
    assert.deepEqual(await listWorkspaceFiles(ws, { dir: '.envs/py' }), { files: [], truncated: false });
  });

  it('built-in skips hold whatever the ignore files say, and stats carry sizes', async () => {
    const ws = tmp.make();
    put(ws, '.gitignore', '!node_modules/\n!.git/\n');
    put(ws, 'node_modules/x/index.js');
    put(ws, 'a.txt', 'hello');
    const r = await listWorkspaceFileStats(ws);
    assert.deepEqual(r.files.map((f) => [f.path, f.size]), [['.gitignore', 22], ['a.txt', 5]]);
    assert.ok((r.files[1]?.mtimeMs ?? 0) > 0);
  });
});
