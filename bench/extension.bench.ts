/**
 * The extension's footprint: the packaged .vsix (size, files, bundles) and activation time (dist/extension.js
 * loaded cold in a fresh Node process with a stand-in `vscode` module, then activate()). The graph's first
 * paint is bench/paint.bench.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
const ms = (n: number): string => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (xs: readonly number[]): string => `median ${ms(median(xs))} (min ${ms(Math.min(...xs))}, max ${ms(Math.max(...xs))}, n = ${xs.length})`;

/** Entries in a zip: the end-of-central-directory record's total. */
function zipEntries(file: string): number {
  const buf = readFileSync(file);
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) if (buf.readUInt32LE(i) === 0x06054b50) return buf.readUInt16LE(i + 10);
  return NaN;
}

function vsix(): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'agensflow-vsix-'));
  try {
    const out = path.join(dir, 'agensflow.vsix');
    // vsce runs vscode:prepublish (the production build) first, so the bundles measured are the shipped ones.
    const r = spawnSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', out], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(out)) return [`vsce package failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`];
    const bundles = ['extension.js', 'engine.js', 'cli.js', 'webview.js'].map((f) => `dist/${f} ${kib(statSync(path.join(ROOT, 'dist', f)).size)}`);
    return [`| .vsix (\`npm run package\`) | ${kib(statSync(out).size)}, ${zipEntries(out)} entries |`, `| production bundles | ${bundles.join(', ')} |`];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function activation(runs = 5): string[] {
  const samples: { loadMs: number; activateMs: number; firstUseMs: number; failedContributions: string[] }[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'extension', 'activate-stub.ts')], { cwd: ROOT, encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    if (r.status !== 0 || !line.startsWith('{')) return [`| activation | failed: ${r.stderr.trim().split('\n')[0] ?? ''} |`];
    samples.push(JSON.parse(line) as (typeof samples)[number]);
  }
  const failed = [...new Set(samples.flatMap((s) => s.failedContributions))];
  return [
    `| load dist/extension.js, the startup bundle (cold \`require\`, fresh process) | ${spread(samples.map((s) => s.loadMs))} |`,
    `| activate() (a stand-in for every command and view registered; the engine not loaded) | ${spread(samples.map((s) => s.activateMs))} |`,
    `| first use: load dist/engine.js and compose every contribution | ${spread(samples.map((s) => s.firstUseMs))}${failed.length ? `; under the stub these failed: ${failed.join(', ')}` : ''} |`,
  ];
}

export default async (): Promise<{ title: string; markdown: string }> => {
  const load = loadavg()[0]!.toFixed(1);
  const rows = [...vsix(), ...activation()];
  return {
    title: 'Extension footprint: .vsix size, activation',
    markdown: [
      '| what | figure |',
      '| --- | --- |',
      ...rows,
      '',
      `Activation: bench/extension/activate-stub.ts loads the production dist/extension.js with a stand-in \`vscode\` module (every API a no-op stub) and calls activate() with a fake context; VS Code's own extension-host overhead is not included. The 1-minute load average was ${load} when this section started (other work on the machine inflates these figures).`,
    ].join('\n'),
  };
};
