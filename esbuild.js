// @ts-check
// Two bundles: the extension host and the CLI (Node, `vscode` external), and the webview code (browser).
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

async function main() {
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
    entryPoints: { extension: 'src/extension.ts', cli: 'src/cli.ts' },
    format: 'cjs',
    platform: 'node',
    // ESM builds first: jsonc-parser's `main` is a UMD bundle whose dynamic require()s esbuild cannot follow.
    mainFields: ['module', 'main'],
    target: 'node20',
    outdir: 'dist',
    external: ['vscode'],
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
