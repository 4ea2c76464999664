// @ts-check
// Bundles: for the extension host, the startup entry (extension.js) and the engine it loads on first use
// (engine.js); the CLI (Node, `vscode` external); and the webview code (browser).
// `--production` minifies; `--watch` rebuilds and reports in the problem-matcher format VS Code expects.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').Plugin} */
const problemMatcher = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/** Codicons for the webviews: copied from the package so media/ is self-contained in the .vsix. */
function copyCodicons() {
  const fs = require('node:fs');
  const path = require('node:path');
  const from = path.join(__dirname, 'node_modules', '@vscode', 'codicons', 'dist');
  const to = path.join(__dirname, 'media', 'codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, file), path.join(to, file));
}

/**
 * css-tree's and html-validate's ESM builds call createRequire(import.meta.url), which is undefined in a CJS
 * bundle (the CLI crashed at start-up); their CJS builds (the `require` export) use plain require()s.
 */
/** @type {import('esbuild').Plugin} */
const cjsForEsmOnlyRequire = {
  name: 'cjs-builds',
  setup(build) {
    build.onResolve({ filter: /^(css-tree|html-validate)$/ }, (args) => ({ path: require.resolve(args.path) }));
  },
};

/**
 * The startup entry (src/extension.ts) loads the engine (src/vscode/engine.ts) with a dynamic import: that
 * import stays a `require('./engine.js')` of the engine's own bundle beside it, so activation loads none of
 * the engine's code (the model SDKs, zod, the run engine, tree-sitter) until its first use.
 */
/** @type {import('esbuild').Plugin} */
const lazyEngine = {
  name: 'lazy-engine',
  setup(build) {
    build.onResolve({ filter: /^\.\/vscode\/engine(\.js)?$/ }, (args) =>
      args.importer.endsWith(require('node:path').join('src', 'extension.ts')) ? { path: './engine.js', external: true } : undefined,
    );
  },
};

/**
 * The tree-sitter runtime and the grammars the repository overview parses with (src/core/context/symbols.ts
 * SHIPPED_GRAMMARS), beside the bundle in dist/tree-sitter/: the .vsix carries no node_modules. Loaded at run
 * time only when an overview is built.
 */
function copyTreeSitter() {
  const fs = require('node:fs');
  const path = require('node:path');
  const to = path.join(__dirname, 'dist', 'tree-sitter');
  fs.mkdirSync(to, { recursive: true });
  fs.copyFileSync(path.join(path.dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm'), path.join(to, 'tree-sitter.wasm'));
  const grammars = path.join(path.dirname(require.resolve('tree-sitter-wasms/package.json')), 'out');
  for (const lang of ['python', 'javascript', 'typescript', 'tsx', 'go', 'rust', 'java']) {
    const file = `tree-sitter-${lang}.wasm`;
    fs.copyFileSync(path.join(grammars, file), path.join(to, file));
  }
}

async function main() {
  copyCodicons();
  copyTreeSitter();
  const common = {
    bundle: true,
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: /** @type {const} */ ('warning'),
    plugins: watch ? [problemMatcher] : [],
  };
  const node = await esbuild.context({
    ...common,
    entryPoints: { extension: 'src/extension.ts', engine: 'src/vscode/engine.ts', cli: 'src/cli.ts' },
    format: 'cjs',
    platform: 'node',
    // ESM builds first: jsonc-parser's `main` is a UMD bundle whose dynamic require()s esbuild cannot follow.
    mainFields: ['module', 'main'],
    target: 'node20',
    outdir: 'dist',
    external: ['vscode'],
    // A dynamic import() is emitted as require(): the extension host loads the engine through Node's CommonJS
    // loader, as it loads the extension itself (and as VS Code's `vscode` module resolution expects).
    supported: { 'dynamic-import': false },
    plugins: [...common.plugins, cjsForEsmOnlyRequire, lazyEngine],
  });
  const web = await esbuild.context({
    ...common,
    entryPoints: { webview: 'src/webview/main.ts' },
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    outdir: 'dist',
  });
  if (watch) {
    await Promise.all([node.watch(), web.watch()]);
  } else {
    await Promise.all([node.rebuild(), web.rebuild()]);
    await Promise.all([node.dispose(), web.dispose()]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
