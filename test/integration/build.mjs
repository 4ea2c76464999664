// Bundles the in-host suite (test/integration/index.ts and what it imports) to out/test/integration/index.js
// for the extension host: CommonJS, Node 20, `vscode` external (the host provides it) and `mocha` external
// (resolved from the repository's node_modules, since out/ sits inside the repository).
import * as esbuild from 'esbuild';

await esbuild.build({
  entryPoints: { index: 'test/integration/index.ts' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outdir: 'out/test/integration',
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
  sourcesContent: false,
  logLevel: 'warning',
});
