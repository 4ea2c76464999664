/**
 * The repository overview: within its token budget, every top-level folder named, key files first,
 * folders summarised when their files do not fit, a symbol outline ranked by references (tree-sitter),
 * ignored files absent, and a cache keyed by the files' sizes and modification times.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildOverview, keyKind, OverviewCache } from '../../../src/core/context/overview';
import { languageOf, SHIPPED_GRAMMARS, treeSitter } from '../../../src/core/context/symbols';
import { estimateTokens } from '../../../src/core/context/tokens';
import { tempDirs } from '../run/tmp';

function put(root: string, rel: string, text = `${rel}\n`): void {
  const abs = path.join(root, ...rel.split('/'));
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

/** A small Python package: `shop/core.py` defines what everything else uses; a gitignored bulk beside it. */
function shopRepo(ws: string): void {
  put(ws, 'pyproject.toml', '[project]\nname = "shop"\n');
  put(ws, 'README.md', '# shop\n');
  put(ws, '.gitignore', 'site/\n*.log\n');
  put(ws, 'src/shop/core.py', 'class Cart:\n    def add(self, item):\n        def helper():\n            pass\n\ndef subtotal(items):\n    return sum(items)\n');
  put(ws, 'src/shop/unused.py', 'def lonely():\n    return 1\n');
  for (let i = 0; i < 6; i++) put(ws, `src/shop/views${i}.py`, 'from shop.core import Cart, subtotal\n\ndef view():\n    return subtotal(Cart().items)\n');
  put(ws, 'tests/test_core.py', 'from shop.core import Cart\n\ndef test_cart():\n    assert Cart()\n');
  for (let i = 0; i < 400; i++) put(ws, `site/page${i}.html`, '<p>built</p>\n');
  put(ws, 'debug.log', 'noise\n');
  for (let i = 0; i < 60; i++) put(ws, `docs/chapter${String(i).padStart(2, '0')}.md`, `# chapter ${i}\n`);
  for (let i = 0; i < 30; i++) put(ws, `assets${i}/logo.svg`, '<svg/>\n');
}

describe('context/overview', function () {
  this.timeout(60_000);
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('names key files first, outlines the most referenced source file first and leaves ignored files out', async () => {
    const ws = tmp.make();
    shopRepo(ws);
    const o = await buildOverview(ws, { budget: 4000, cache: new OverviewCache() });
    assert.ok(o.tokens <= 4000, `${o.tokens} tokens`);
    assert.equal(o.tokens, estimateTokens(o.text));
    const lines = o.text.split('\n');
    assert.deepEqual(lines.slice(1, 4), ['Key files (manifests, READMEs, entry points):', '- pyproject.toml (manifest)', '- README.md (readme)']);
    assert.doesNotMatch(o.text, /site|page\d|debug\.log/);
    assert.equal(o.outlined[0], 'src/shop/core.py');
    const outline = o.text.slice(o.text.indexOf('src/shop/core.py:'));
    assert.match(outline, /^src\/shop\/core\.py:\n {2}1: class Cart:\n {4}2: def add\(self, item\):\n {2}6: def subtotal\(items\):/);
    // An inner function is an implementation detail, not part of the outline.
    assert.doesNotMatch(outline.split('\n\n')[0] ?? '', /helper/);
    for (const p of ['src/shop/core.py', 'tests/test_core.py', 'pyproject.toml']) assert.ok(o.named.some((n) => n.path === p), p);
    assert.equal(o.named.filter((n) => n.path.startsWith('site')).length, 0);
  });

  it('within a small budget every top-level folder is still named and crowded folders are summarised by counts and kinds', async () => {
    const ws = tmp.make();
    shopRepo(ws);
    const o = await buildOverview(ws, { budget: 400, cache: new OverviewCache() });
    assert.ok(o.tokens <= 400, `${o.tokens} tokens`);
    const top = ['src', 'tests', 'docs', ...Array.from({ length: 30 }, (_, i) => `assets${i}`)];
    for (const t of top) assert.ok(o.named.some((n) => n.path === t && n.kind === 'folder'), t);
    assert.match(o.text, /^docs\/ \(60 files: 60 \.md\)$/m);
  });

  it('is cached by the files\' sizes and times: the same listing is served from the cache, an edit rebuilds', async () => {
    const ws = tmp.make();
    shopRepo(ws);
    const cache = new OverviewCache();
    const first = await buildOverview(ws, { budget: 2000, cache });
    const again = await buildOverview(ws, { budget: 2000, cache });
    assert.equal(first.cached, false);
    assert.equal(again.cached, true);
    assert.equal(again.text, first.text);
    put(ws, 'src/shop/unused.py', 'def lonely():\n    return 1\n\nclass Renamed:\n    pass\n');
    utimesSync(path.join(ws, 'src/shop/unused.py'), new Date(), new Date(Date.now() + 5000));
    const edited = await buildOverview(ws, { budget: 2000, cache });
    assert.equal(edited.cached, false);
    assert.match(edited.text, /class Renamed:/);
  });

  it('M9: never reads through a symlink (to a file outside the workspace or to .env) nor names a secret', async () => {
    const ws = tmp.make();
    const outside = tmp.make();
    put(outside, 'private.py', 'def leaked_private_function():\n    pass\n');
    put(ws, '.env', 'def leaked_from_env():\n    pass\n');
    put(ws, 'app/main.py', 'from app.util import helper\n\ndef main():\n    helper()\n');
    put(ws, 'app/util.py', 'def helper():\n    pass\n');
    symlinkSync(path.join(outside, 'private.py'), path.join(ws, 'app', 'private.py'));
    symlinkSync(path.join(ws, '.env'), path.join(ws, 'app', 'settings.py'));
    put(ws, '.gitignore', '!.env\n');
    const o = await buildOverview(ws, { budget: 4000, cache: new OverviewCache() });
    assert.match(o.text, /def helper\(\):/);
    assert.doesNotMatch(o.text, /leaked_|\.env/);
  });

  it('parses definitions of every shipped language with tree-sitter', async () => {
    const cases: Array<[string, string, string[]]> = [
      ['python', 'class A:\n    def m(self):\n        pass\n\ndef f():\n    pass\n', ['A', 'm', 'f']],
      ['javascript', 'function f() {}\nclass K { m() {} }\nconst g = () => 1;\n', ['f', 'K', 'm', 'g']],
      ['typescript', 'export interface I { a: string }\nexport type T = number;\nexport class K { m(): void {} }\nexport enum E { A }\n', ['I', 'T', 'K', 'm', 'E']],
      ['tsx', 'export function App() { return <div/>; }\n', ['App']],
      ['go', 'package main\nfunc F() {}\ntype S struct{}\nfunc (s *S) M() {}\n', ['F', 'S', 'M']],
      ['rust', 'struct S;\nimpl S { fn m(&self) {} }\nfn f() {}\n', ['S', 'S', 'm', 'f']],
      ['java', 'class A { void m() {} }\n', ['A', 'm']],
    ];
    for (const [lang, src, names] of cases) {
      const defs = await treeSitter().definitions(lang, src);
      assert.deepEqual(defs?.map((d) => d.name), names, lang);
    }
  });

  it('the bundle ships the grammar of every language it parses (esbuild.js copies them into dist/tree-sitter)', () => {
    const esbuild = readFileSync(path.join(__dirname, '..', '..', '..', 'esbuild.js'), 'utf8');
    const copied = /for \(const lang of (\[[^\]]*\])\)/.exec(esbuild)?.[1];
    assert.ok(copied, 'esbuild.js lists the grammars it copies');
    assert.deepEqual(JSON.parse(copied.replace(/'/g, '"')), [...SHIPPED_GRAMMARS]);
    for (const f of ['a.py', 'a.js', 'a.ts', 'a.tsx', 'a.go', 'a.rs', 'a.java']) assert.ok(SHIPPED_GRAMMARS.includes(languageOf(f) as (typeof SHIPPED_GRAMMARS)[number]), f);
  });

  it('knows manifests, READMEs and entry points by name', () => {
    assert.equal(keyKind('packages/core/package.json'), 'manifest');
    assert.equal(keyKind('requirements-dev.txt'), 'manifest');
    assert.equal(keyKind('README.rst'), 'readme');
    assert.equal(keyKind('src/main.rs'), 'entry point');
    assert.equal(keyKind('cmd/tool/main.go'), 'entry point');
    assert.equal(keyKind('src/utils.ts'), undefined);
  });
});
