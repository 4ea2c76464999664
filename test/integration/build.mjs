// Bundles the in-host suites for the extension host: CommonJS, Node 20, `vscode` external (the host provides
// it) and `mocha` external (resolved from the repository's node_modules, since out/ sits inside the
// repository):
//   test/integration/index.ts -> out/test/integration/index.js   (the suite every release runs)
//   test/lm/index.ts          -> out/test/lm/index.js            (the Language Model suite, `npm run test:lm`)
//   test/lm/provider/         -> out/test/lm/provider/           (the fake chat-model provider it loads)
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
  sourcesContent: false,
  logLevel: 'warning',
};

await esbuild.build({ ...common, entryPoints: { index: 'test/integration/index.ts' }, outdir: 'out/test/integration' });
await esbuild.build({ ...common, entryPoints: { index: 'test/lm/index.ts' }, outdir: 'out/test/lm' });
await esbuild.build({ ...common, entryPoints: { extension: 'test/lm/provider/extension.ts' }, outdir: 'out/test/lm/provider' });
const manifest = JSON.parse(fs.readFileSync('test/lm/provider/package.json', 'utf8'));
fs.writeFileSync('out/test/lm/provider/package.json', `${JSON.stringify({ ...manifest, main: './extension.js' }, null, 2)}\n`);
