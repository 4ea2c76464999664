/**
 * What the planner sees of a repository (src/core/context/overview.ts), measured:
 *
 * A. On three public repositories of different shapes made realistic with gitignored bulk
 *    (bench/context/realistic.ts): the share of top-level source folders, manifests (the top
 *    level's and each workspace package's) and test folders (the top level's and each workspace package's)
 *    the planner's context names (target 100%), the share of its characters spent on ignored files (target 0,
 *    judged by git check-ignore, not by our own matcher), and its size in tokens against the budget; beside
 *    the context the planner was given before (the first 300 names, alphabetical, no ignore rules).
 *    The repositories are provided by the developer: AGENSFLOW_CONTEXT_REPOS names a folder holding a
 *    checkout or a bare clone of each (click/ or click.git, express, vite); without it part A is skipped.
 *    Expected figures: bench/context/expected.json.
 * B. The overview's build time on a generated 5,000-file repository: cold, then cached (target median
 *    at most 500 ms), and after one file changed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildOverview, DEFAULT_OVERVIEW_TOKENS, keyKind, OverviewCache, type RepositoryOverview } from '../src/core/context/overview';
import { estimateTokens } from '../src/core/context/tokens';
import { addBulk, allFiles, commitOf, findSource, gitIgnored, isDir, materialise, REPOS, type RepoSpec } from './context/realistic';
import type { BenchSection } from './run';

const CODE = /\.(py|js|mjs|cjs|ts|tsx|jsx|go|rs|java)$/;
const TEST_DIR = /^(test|tests|__tests__|spec|e2e)$/;
const WORKSPACE_DIR = /^(packages|apps|crates)$/;
const WORKSPACE_MANIFEST = /^(packages|apps|crates)\/[^/]+\/(package\.json|pyproject\.toml|Cargo\.toml|go\.mod)$/;

interface Expected {
  sourceFolders: number;
  manifests: number;
  testFolders: number;
  ignoredShare: number;
}

/** What must be in the planner's context, from the repository as committed (before the bulk is added). */
function oracle(files: readonly string[]): { sourceFolders: string[]; manifests: string[]; testFolders: string[] } {
  const sourceFolders = new Set<string>();
  const testFolders = new Set<string>();
  const manifests: string[] = [];
  for (const f of files) {
    const parts = f.split('/');
    if (parts.length > 1 && !parts[0]?.startsWith('.') && CODE.test(f)) sourceFolders.add(parts[0] as string);
    if ((parts.length === 1 && keyKind(f) === 'manifest') || WORKSPACE_MANIFEST.test(f)) manifests.push(f);
    // Test folders: the top level's, and those of a workspace package (packages/x/test).
    if (parts.length > 1 && TEST_DIR.test(parts[0] as string)) testFolders.add(parts[0] as string);
    if (parts.length > 3 && WORKSPACE_DIR.test(parts[0] as string) && TEST_DIR.test(parts[2] as string)) testFolders.add(parts.slice(0, 3).join('/'));
  }
  return { sourceFolders: [...sourceFolders].sort(), manifests: manifests.sort(), testFolders: [...testFolders].sort() };
}

/** The planner's context before the overview: the first 300 names, sorted, depth first, no ignore rules. */
function legacyListing(root: string): string[] {
  const skipped = new Set(['node_modules', '.git', '.hg', '.svn', '.agensflow', 'dist', 'out', 'build', '.venv', 'venv', '__pycache__', '.mypy_cache', '.pytest_cache', '.tox', '.next', '.cache', 'target', '.idea', '.vscode-test', 'coverage']);
  const out: string[] = [];
  const walk = (rel: string): void => {
    const entries = readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (out.length >= 300) return;
      if (e.name.toLowerCase().startsWith('.env')) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!skipped.has(e.name)) walk(child);
      } else out.push(child);
    }
  };
  walk('');
  return out;
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${Math.round((100 * n) / d)}% (${n}/${d})`);

interface Measured {
  sourceFolders: [number, number];
  manifests: [number, number];
  testFolders: [number, number];
  ignoredChars: number;
  chars: number;
  tokens: number;
  missing: string[];
}

function measure(named: readonly string[], o: ReturnType<typeof oracle>, ignoredChars: number, chars: number, tokens: number): Measured {
  const has = (p: string, folder: boolean): boolean => named.some((n) => n === p || (folder && n.startsWith(`${p}/`)));
  const missing: string[] = [];
  const count = (list: readonly string[], folder: boolean): [number, number] => {
    let n = 0;
    for (const p of list) {
      if (has(p, folder)) n++;
      else missing.push(p);
    }
    return [n, list.length];
  };
  return { sourceFolders: count(o.sourceFolders, true), manifests: count(o.manifests, false), testFolders: count(o.testFolders, true), ignoredChars, chars, tokens, missing };
}

async function realistic(reposDir: string, expected: Record<string, Expected>): Promise<{ rows: string[]; notes: string[]; met: boolean }> {
  const rows: string[] = [];
  const notes: string[] = [];
  let met = true;
  for (const spec of REPOS) {
    const source = findSource(reposDir, spec);
    if (!source) {
      notes.push(`- ${spec.name}: not found under AGENSFLOW_CONTEXT_REPOS (skipped)`);
      met = false;
      continue;
    }
    const scratch = mkdtempSync(path.join(tmpdir(), `agensflow-ctx-${spec.name}-`));
    try {
      const root = path.join(scratch, spec.name);
      materialise(source, root);
      const committed = allFiles(root);
      const o = oracle(committed);
      const bulk = addBulk(root, spec.ecosystem);
      const overview = await buildOverview(root, { budget: DEFAULT_OVERVIEW_TOKENS, cache: new OverviewCache() });
      const ours = await judge(root, spec, overview, o);
      const legacy = legacyListing(root);
      const legacyIgnored = gitIgnored(root, legacy);
      const legacyText = legacy.join('\n');
      const old = measure(legacy, o, legacy.filter((p) => legacyIgnored.has(p)).reduce((s, p) => s + p.length + 1, 0), legacyText.length, estimateTokens(legacyText));
      const exp = expected[spec.name];
      const share = (m: [number, number]): number => (m[1] === 0 ? 1 : m[0] / m[1]);
      const ok = exp !== undefined && share(ours.sourceFolders) >= exp.sourceFolders && share(ours.manifests) >= exp.manifests && share(ours.testFolders) >= exp.testFolders && ours.ignoredChars / ours.chars <= exp.ignoredShare && ours.tokens <= DEFAULT_OVERVIEW_TOKENS;
      if (!ok) met = false;
      const commit = commitOf(source);
      notes.push(`- ${spec.name} (${spec.github}${commit ? ` @ ${commit.slice(0, 10)}` : ''}): ${spec.shape}; ${committed.length} committed files + ${bulk} gitignored bulk files${ours.missing.length ? `; overview misses ${ours.missing.join(', ')}` : ''}`);
      for (const [label, m] of [['overview', ours], ['before (300 names)', old]] as const) {
        rows.push(`| ${spec.name} | ${label} | ${pct(...m.sourceFolders)} | ${pct(...m.manifests)} | ${pct(...m.testFolders)} | ${((100 * m.ignoredChars) / Math.max(1, m.chars)).toFixed(1)}% | ${m.tokens} / ${label === 'overview' ? DEFAULT_OVERVIEW_TOKENS : '-'} | ${label === 'overview' ? (ok ? 'yes' : '**no**') : '-'} |`);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return { rows, notes, met };
}

/** Our overview judged against the oracle, with git deciding which named paths are ignored. */
async function judge(root: string, _spec: RepoSpec, overview: RepositoryOverview, o: ReturnType<typeof oracle>): Promise<Measured> {
  const paths = overview.named.map((n) => (n.kind === 'folder' && isDir(root, n.path) ? `${n.path}/` : n.path));
  const ignored = gitIgnored(root, paths);
  let ignoredChars = 0;
  overview.named.forEach((n, i) => {
    if (ignored.has(paths[i] as string)) ignoredChars += n.chars;
  });
  return measure(overview.named.map((n) => n.path), o, ignoredChars, overview.text.length, overview.tokens);
}

/** A generated repository of `count` files: TypeScript and Python modules that import each other, plus docs. */
function generateRepo(root: string, count: number): void {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    const pkg = `pkg${i % 25}`;
    const kind = i % 5;
    if (kind === 4) {
      mkdirSync(path.join(root, 'docs', pkg), { recursive: true });
      writeFileSync(path.join(root, 'docs', pkg, `page${i}.md`), `# Page ${i}\n\nSee Service${rand(count)}.\n`);
    } else if (kind === 3) {
      mkdirSync(path.join(root, 'py', pkg), { recursive: true });
      writeFileSync(path.join(root, 'py', pkg, `mod${i}.py`), `from py.pkg import helper${rand(count)}\n\nclass Model${i}:\n    def save(self):\n        return helper${rand(count)}()\n\ndef helper${i}():\n    return Model${rand(count)}()\n`);
    } else {
      mkdirSync(path.join(root, 'src', pkg), { recursive: true });
      const refs = Array.from({ length: 4 }, () => `Service${rand(count)}`);
      writeFileSync(
        path.join(root, 'src', pkg, `service${i}.ts`),
        `import { ${refs.join(', ')} } from './index';\n\nexport interface Options${i} { name: string; retries: number }\n\nexport class Service${i} {\n  constructor(private readonly options: Options${i}) {}\n  run(): string {\n    return [${refs.map((r) => `${r}.name`).join(', ')}].join(',');\n  }\n}\n\nexport function make${i}(o: Options${i}): Service${i} {\n  return new Service${i}(o);\n}\n`,
      );
    }
  }
  writeFileSync(path.join(root, 'package.json'), '{"name":"generated","main":"src/index.ts"}\n');
  writeFileSync(path.join(root, 'README.md'), '# generated\n');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function buildTime(): Promise<{ rows: string[]; met: boolean }> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'agensflow-ctx-5k-'));
  try {
    generateRepo(scratch, 4_998);
    const cache = new OverviewCache();
    const first = await timed(() => buildOverview(scratch, { cache }));
    const cached: number[] = [];
    for (let i = 0; i < 15; i++) cached.push(await timed(() => buildOverview(scratch, { cache })));
    const edited: number[] = [];
    for (let i = 0; i < 7; i++) {
      const file = path.join(scratch, 'src', 'pkg0', 'service0.ts');
      writeFileSync(file, `${readFileSync(file, 'utf8')}\nexport const edit${i} = ${i};\n`);
      edited.push(await timed(() => buildOverview(scratch, { cache })));
    }
    const fresh: number[] = [];
    for (let i = 0; i < 3; i++) fresh.push(await timed(() => buildOverview(scratch, { cache: new OverviewCache() })));
    const o = await buildOverview(scratch, { cache });
    const medianCached = median(cached);
    const met = medianCached <= 500;
    return {
      met,
      rows: [
        `| first build in the process (grammars loaded, every file parsed) | ${first.toFixed(0)} | - | - |`,
        `| cached, nothing changed (n = ${cached.length}) | ${medianCached.toFixed(0)} | ≤ 500 ms | ${met ? 'yes' : '**no**'} |`,
        `| one file changed before each build (n = ${edited.length}) | ${median(edited).toFixed(0)} | - | - |`,
        `| a new cache each build, grammars already loaded (n = ${fresh.length}) | ${median(fresh).toFixed(0)} | - | - |`,
        `| (the overview: ${o.files} files, ${o.tokens} tokens of ${o.budget}, ${o.outlined.length} files outlined) | | | |`,
      ],
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export default async function contextBench(): Promise<BenchSection> {
  const expected = JSON.parse(readFileSync(path.join(__dirname, 'context', 'expected.json'), 'utf8')) as Record<string, Expected>;
  const reposDir = process.env['AGENSFLOW_CONTEXT_REPOS'];
  const parts: string[] = [];
  if (reposDir) {
    const r = await realistic(reposDir, expected);
    parts.push(
      `A. Three public repositories made realistic with gitignored bulk (bench/context/realistic.ts), overview budget ${DEFAULT_OVERVIEW_TOKENS} tokens; "before" is the planner's previous context (the first 300 names, alphabetical, no ignore rules). Ignored share: characters of lines naming a path that git check-ignore reports ignored. Expected: bench/context/expected.json.`,
      '',
      '| repository | context | top-level source folders | manifests (top level, workspace packages) | test folders (top level, workspace packages) | on ignored files | tokens / budget | as expected |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...r.rows,
      '',
      ...r.notes,
      '',
    );
  } else {
    parts.push('A. Skipped: set AGENSFLOW_CONTEXT_REPOS to a folder holding click, express and vite (checkouts or bare clones) to measure them.', '');
  }
  const b = await buildTime();
  parts.push('B. Build time of the overview on a generated repository of 5,000 files (TypeScript and Python modules referring to each other, and docs), default budget:', '', '| build | median (ms) | target | met |', '| --- | ---: | --- | --- |', ...b.rows);
  return { title: 'Repository overview: what the planner sees, and how fast', markdown: parts.join('\n') };
}
