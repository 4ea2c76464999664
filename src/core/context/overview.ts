/**
 * A repository overview within a token budget, for the planner's prompt and an agent's first message:
 *
 * 1. Key files first: manifests (package.json, pyproject.toml, Cargo.toml, go.mod, ...), READMEs and entry
 *    points, the shallowest first.
 * 2. The layout: every top-level folder is named; folders are opened breadth first, source and test folders
 *    before others, and a folder whose files do not fit is summarised by its file count and the kinds of
 *    its files (by extension).
 * 3. A symbol outline: the definitions (from tree-sitter) of the source files the rest of the repository
 *    refers to most. A file's rank is the number of other files mentioning each name it defines, shared
 *    among the files defining that name (so `run` defined in forty files counts little), as Aider's repo map
 *    ranks by references.
 *
 * Built from the one lister, so ignore rules and the secrets rule hold. Cached per process: the whole result
 * by the listing's paths, sizes and modification times, and each file's definitions and identifiers by its
 * own, so a rebuild after one edit reads one file.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { listWorkspaceFileStats, type ListedFile } from './workspaceFiles';
import { identifiersIn, languageOf, treeSitter, type Definition } from './symbols';
import { estimateTokens } from './tokens';

/** The planner's default budget: fits a small model's context beside the rules and the task. */
export const DEFAULT_OVERVIEW_TOKENS = 4_000;
/** An agent's overview is this fraction of the planner's: it also has its task, its upstream and its tools. */
export const AGENT_OVERVIEW_SHARE = 0.25;
/** The smallest budget accepted (below it not even the top-level folders fit in most repositories). */
export const MIN_OVERVIEW_TOKENS = 200;

/** Files listed at most (a larger repository is summarised from the first ones, in sorted order). */
const MAX_LISTED_FILES = 50_000;
/** Source files read for definitions and references, and the bytes one such file may have. */
const MAX_SOURCE_FILES = 6_000;
const MAX_SOURCE_FILE_BYTES = 256 * 1024;
/** Definitions shown per file at most. */
const MAX_DEFS_PER_FILE = 24;

const MANIFESTS = new Set([
  'package.json', 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'pipfile', 'cargo.toml', 'go.mod',
  'pom.xml', 'build.gradle', 'build.gradle.kts', 'settings.gradle', 'gemfile', 'composer.json', 'deno.json',
  'tsconfig.json', 'makefile', 'cmakelists.txt', 'dockerfile', 'pnpm-workspace.yaml', 'lerna.json', 'nx.json',
  'turbo.json', 'mix.exs', 'pubspec.yaml', 'environment.yml', 'tox.ini', 'meson.build',
]);
const ENTRY_POINTS = new Set([
  'main', 'index', 'app', 'cli', 'server', '__main__', 'lib', 'mod', 'manage', 'wsgi', 'asgi', 'program', 'extension',
]);
const ENTRY_EXTENSIONS = new Set(['.py', '.js', '.mjs', '.cjs', '.ts', '.tsx', '.jsx', '.go', '.rs', '.java', '.rb', '.php', '.cs', '.kt', '.swift', '.c', '.cpp']);
/** Folder names that usually hold the code or its tests: opened before docs, assets and examples. */
const SOURCE_DIRS = new Set([
  'src', 'lib', 'app', 'apps', 'pkg', 'packages', 'cmd', 'internal', 'crates', 'modules', 'source', 'include', 'server', 'client',
  'test', 'tests', 'spec', 'specs', '__tests__', 'testing', 'e2e',
]);
/** Names so generic that defining one says little about a file's importance. */
const GENERIC_NAMES = new Set(['__init__', 'constructor', 'main', 'init', 'get', 'set', 'run', 'new', 'default', 'setup', 'teardown', 'setUp', 'tearDown', 'toString', 'render', 'handle', 'call', 'apply', 'create', 'update', 'delete']);

export type KeyKind = 'manifest' | 'readme' | 'entry point';

/** The kind of key file `rel` is by its name, if any. */
export function keyKind(rel: string): KeyKind | undefined {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  const lower = base.toLowerCase();
  if (MANIFESTS.has(lower) || /^requirements[-_.\w]*\.txt$/.test(lower)) return 'manifest';
  if (/^readme(\.[a-z]+)?$/.test(lower)) return 'readme';
  const ext = path.extname(lower);
  if (ENTRY_EXTENSIONS.has(ext) && ENTRY_POINTS.has(lower.slice(0, -ext.length))) return 'entry point';
  return undefined;
}

const isSourceDir = (name: string | undefined): boolean => name !== undefined && SOURCE_DIRS.has(name.toLowerCase());

/** The entry points a package.json names (`main`, `module`, `bin`, `exports["."]`), relative to the workspace. */
async function packageEntries(root: string, manifest: string, present: ReadonlySet<string>): Promise<string[]> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(path.join(root, manifest), 'utf8'));
  } catch {
    return [];
  }
  if (!json || typeof json !== 'object') return [];
  const pkg = json as Record<string, unknown>;
  const dir = path.posix.dirname(manifest);
  const named: unknown[] = [pkg['main'], pkg['module']];
  const bin = pkg['bin'];
  if (typeof bin === 'string') named.push(bin);
  else if (bin && typeof bin === 'object') named.push(...Object.values(bin));
  const exp = pkg['exports'];
  if (typeof exp === 'string') named.push(exp);
  else if (exp && typeof exp === 'object') named.push((exp as Record<string, unknown>)['.']);
  const out: string[] = [];
  for (const n of named) {
    if (typeof n !== 'string') continue;
    const rel = path.posix.normalize(path.posix.join(dir, n));
    for (const candidate of [rel, `${rel}.js`, `${rel}/index.js`]) if (present.has(candidate) && !out.includes(candidate)) out.push(candidate);
  }
  return out;
}

/**
 * Manifests, READMEs and entry points: every one at the top level; deeper ones only inside source folders
 * (a package of a monorepo, not an example's or a fixture's), up to three levels down; and the entry points
 * the package.json files name. Shallowest first, manifests before READMEs before entry points.
 */
async function keyFilesOf(root: string, files: readonly ListedFile[]): Promise<Array<{ path: string; kind: KeyKind }>> {
  const present = new Set(files.map((f) => f.path));
  const links = new Set(files.filter((f) => f.link).map((f) => f.path));
  const found = new Map<string, KeyKind>();
  for (const f of files) {
    const kind = keyKind(f.path);
    if (!kind) continue;
    const parts = f.path.split('/');
    if (parts.length === 1 || (parts.length <= 4 && isSourceDir(parts[0]))) found.set(f.path, kind);
  }
  for (const [p, kind] of [...found]) {
    if (kind !== 'manifest' || !p.endsWith('package.json') || links.has(p)) continue;
    for (const e of await packageEntries(root, p, present)) if (!found.has(e)) found.set(e, 'entry point');
  }
  const order: Record<KeyKind, number> = { manifest: 0, readme: 1, 'entry point': 2 };
  return [...found]
    .map(([p, kind]) => ({ path: p, kind }))
    .sort((a, b) => a.path.split('/').length - b.path.split('/').length || order[a.kind] - order[b.kind] || (a.path < b.path ? -1 : 1));
}

export interface OverviewOptions {
  /** Tokens the overview may take (estimated; default {@link DEFAULT_OVERVIEW_TOKENS}). */
  budget?: number;
  /** Where results and per-file facts are kept (default: the process's). */
  cache?: OverviewCache;
}

/** A path the overview names, with the characters of the line naming it. */
export interface NamedPath {
  path: string;
  kind: 'file' | 'folder';
  chars: number;
}

export interface RepositoryOverview {
  text: string;
  /** Estimated tokens of `text`. */
  tokens: number;
  budget: number;
  /** Files the lister returned (ignore rules applied). */
  files: number;
  /** Every file and folder the text names (a folder by its summary or heading line). */
  named: NamedPath[];
  /** Files whose definitions are outlined, most referenced first. */
  outlined: string[];
  /** True when this result came from the cache. */
  cached: boolean;
  /** Why the symbol outline is missing, when it is. */
  note?: string;
}

interface FileFacts {
  size: number;
  mtimeMs: number;
  identifiers: Set<string>;
  definitions: Definition[] | undefined;
}

/** Results and per-file facts kept between builds. */
export class OverviewCache {
  private readonly results = new Map<string, { key: string; overview: RepositoryOverview }>();
  private readonly facts = new Map<string, FileFacts>();

  constructor(private readonly maxFiles = 100_000) {}

  result(root: string, key: string): RepositoryOverview | undefined {
    const r = this.results.get(root);
    return r && r.key === key ? r.overview : undefined;
  }

  keep(root: string, key: string, overview: RepositoryOverview): void {
    if (this.results.size >= 32 && !this.results.has(root)) this.results.delete(this.results.keys().next().value as string);
    this.results.set(root, { key, overview });
  }

  file(abs: string, f: ListedFile): FileFacts | undefined {
    const c = this.facts.get(abs);
    return c && c.size === f.size && c.mtimeMs === f.mtimeMs ? c : undefined;
  }

  keepFile(abs: string, facts: FileFacts): void {
    if (this.facts.size >= this.maxFiles) this.facts.clear();
    this.facts.set(abs, facts);
  }
}

let processCache: OverviewCache | undefined;
/** The process's cache: one VS Code window or one CLI process shares it across runs. */
function defaultCache(): OverviewCache {
  processCache ??= new OverviewCache();
  return processCache;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Definitions and identifiers of each source file, from the cache or read now. */
async function sourceFacts(root: string, files: readonly ListedFile[], cache: OverviewCache): Promise<Map<string, FileFacts>> {
  // Never through a symlink: it may lead outside the workspace, or to a secret, and the outline quotes lines.
  const sources = files.filter((f) => !f.link && languageOf(f.path) && f.size <= MAX_SOURCE_FILE_BYTES).slice(0, MAX_SOURCE_FILES);
  const facts = new Map<string, FileFacts>();
  await mapLimit(sources, 8, async (f) => {
    const abs = path.join(root, f.path);
    let c = cache.file(abs, f);
    if (!c) {
      let text: string;
      try {
        text = await fs.readFile(abs, 'utf8');
      } catch {
        return;
      }
      const lang = languageOf(f.path) as string;
      c = { size: f.size, mtimeMs: f.mtimeMs, identifiers: identifiersIn(text), definitions: await treeSitter().definitions(lang, text) };
      cache.keepFile(abs, c);
    }
    facts.set(f.path, c);
  });
  return facts;
}

interface RankedFile {
  path: string;
  score: number;
  definitions: Definition[];
  /** References per name, for choosing which definitions to show when they do not all fit. */
  refs: Map<string, number>;
}

/**
 * The definitions worth outlining: top-level ones and the members of class-like ones (an inner function
 * is an implementation detail), each name once per parent (overloads and redefinitions say it again).
 */
function outlineDefinitions(defs: readonly Definition[]): Definition[] {
  const seen = new Set<string>();
  const out: Definition[] = [];
  defs.forEach((d) => {
    if (d.depth > 1) return;
    if (d.parent !== undefined && !defs[d.parent]?.container) return;
    const key = `${d.parent ?? -1}\0${d.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(d);
  });
  return out;
}

/** Source files by how much the rest of the repository refers to what they define. */
function rankFiles(facts: Map<string, FileFacts>): RankedFile[] {
  const outlines = new Map<string, Definition[]>();
  for (const [p, f] of facts) outlines.set(p, outlineDefinitions(f.definitions ?? []));
  const definers = new Map<string, number>();
  for (const defs of outlines.values()) for (const name of new Set(defs.map((d) => d.name))) definers.set(name, (definers.get(name) ?? 0) + 1);
  const mentions = new Map<string, number>();
  for (const f of facts.values()) for (const id of f.identifiers) if (definers.has(id)) mentions.set(id, (mentions.get(id) ?? 0) + 1);
  const ranked: RankedFile[] = [];
  for (const [p, defs] of outlines) {
    if (!defs.length) continue;
    const refs = new Map<string, number>();
    let score = 0;
    for (const name of new Set(defs.map((d) => d.name))) {
      const n = definers.get(name) ?? 1;
      // Files other than the definers that mention the name (each definer mentions it itself).
      const r = Math.max(0, (mentions.get(name) ?? 0) - n);
      refs.set(name, r);
      const weight = name.startsWith('_') || GENERIC_NAMES.has(name) ? 0.1 : 1;
      score += (weight * r) / n;
    }
    ranked.push({ path: p, score, definitions: defs, refs });
  }
  return ranked.sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1));
}

/** At most `max` of a file's outline: the most referenced first, each member with its container. */
function pickDefinitions(r: RankedFile, max: number): Definition[] {
  if (r.definitions.length <= max) return r.definitions;
  const keep = new Set<Definition>();
  const order = [...r.definitions].sort((a, b) => (r.refs.get(b.name) ?? 0) - (r.refs.get(a.name) ?? 0) || a.depth - b.depth || a.line - b.line);
  for (const d of order) {
    if (keep.size >= max) break;
    keep.add(d);
  }
  // A kept member brings its container's line: the last top-level definition above it.
  for (const m of [...keep]) {
    if (m.depth === 0) continue;
    let container: Definition | undefined;
    for (const d of r.definitions) if (d.depth === 0 && d.line <= m.line) container = d;
    if (container) keep.add(container);
  }
  return r.definitions.filter((d) => keep.has(d));
}

interface Folder {
  path: string;
  name: string;
  depth: number;
  folders: Map<string, Folder>;
  files: ListedFile[];
  total: number;
  kinds: Map<string, number>;
}

function folderTree(files: readonly ListedFile[]): Folder {
  const root: Folder = { path: '', name: '', depth: 0, folders: new Map(), files: [], total: 0, kinds: new Map() };
  for (const f of files) {
    const parts = f.path.split('/');
    const ext = path.extname(parts.at(-1) as string).toLowerCase() || '(no ext)';
    let cur = root;
    cur.total++;
    cur.kinds.set(ext, (cur.kinds.get(ext) ?? 0) + 1);
    for (let i = 0; i < parts.length - 1; i++) {
      const name = parts[i] as string;
      let next = cur.folders.get(name);
      if (!next) {
        next = { path: cur.path ? `${cur.path}/${name}` : name, name, depth: cur.depth + 1, folders: new Map(), files: [], total: 0, kinds: new Map() };
        cur.folders.set(name, next);
      }
      cur = next;
      cur.total++;
      cur.kinds.set(ext, (cur.kinds.get(ext) ?? 0) + 1);
    }
    cur.files.push(f);
  }
  return root;
}

/** "120 files: 100 .ts, 15 .json, 5 other" */
function kindsText(total: number, kinds: Map<string, number>): string {
  const top = [...kinds].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = top.slice(0, 3).map(([ext, n]) => `${n} ${ext}`);
  const rest = top.slice(3).reduce((s, [, n]) => s + n, 0);
  if (rest) shown.push(`${rest} other`);
  return `${total} file${total === 1 ? '' : 's'}: ${shown.join(', ')}`;
}

function filesKinds(files: readonly ListedFile[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const f of files) {
    const ext = path.extname(f.path).toLowerCase() || '(no ext)';
    kinds.set(ext, (kinds.get(ext) ?? 0) + 1);
  }
  return kinds;
}

const LAYOUT_HEADER = 'Layout (folders by full path, files by name under their folder):';

const lineTokens = (line: string): number => estimateTokens(`${line}\n`);

/** The line counting a folder's files that are not named ("… 40 more files: 30 .py, 10 .txt"), if any. */
function restLine(f: Folder, shown: readonly ListedFile[]): string | undefined {
  const set = new Set(shown);
  const rest = f.files.filter((x) => !set.has(x));
  if (!rest.length) return undefined;
  const counted = kindsText(rest.length, filesKinds(rest));
  return shown.length ? `… ${counted.replace(/^(\d+) (files?)/, '$1 more $2')}` : `(${counted}${f.path === '' ? ' at the top level' : ''})`;
}

/**
 * The layout within `budget` tokens: which folders are open and how many of each open folder's own files
 * are named. Every top-level entry is represented, if need be by one line counting the rest.
 */
class Layout {
  private readonly open = new Set<string>(['']);
  private readonly shownFiles = new Map<string, ListedFile[]>();
  used = 0;

  constructor(
    private readonly root: Folder,
    private readonly fileRank: (f: ListedFile) => number,
  ) {}

  private summary(f: Folder): string {
    return `${f.path}/ (${kindsText(f.total, f.kinds)})`;
  }

  private heading(f: Folder): string {
    return `${f.path}/ (${f.total} file${f.total === 1 ? '' : 's'})`;
  }

  /** Tokens an open folder adds on its own: its subfolders' summaries and its file lines. */
  private ownCost(f: Folder): number {
    const pad = '  '.repeat(f.depth);
    let cost = 0;
    for (const sub of f.folders.values()) cost += lineTokens(pad + this.summary(sub));
    return cost + this.ownCostFiles(f, pad, this.shownFiles.get(f.path) ?? []);
  }

  build(budget: number): void {
    this.used = this.ownCost(this.root);
    type Op = { kind: 'open' | 'files'; folder: Folder; prio: [number, number, number] };
    const prioOf = (f: Folder, kind: Op['kind']): [number, number, number] => {
      const top = f.path.split('/')[0] ?? '';
      const sourceRank = SOURCE_DIRS.has(top.toLowerCase()) || SOURCE_DIRS.has(f.name.toLowerCase()) ? 0 : 1;
      // Source and test folders before the rest, breadth first; a folder's own files come with the folders
      // one level down; the top level's own files right away.
      if (f.depth === 0) return [-1, 0, 0];
      return kind === 'files' ? [sourceRank, f.depth + 1, f.total] : [sourceRank, f.depth, f.total];
    };
    const queue: Op[] = [{ kind: 'files', folder: this.root, prio: prioOf(this.root, 'files') }];
    for (const sub of this.root.folders.values()) queue.push({ kind: 'open', folder: sub, prio: prioOf(sub, 'open') });
    const cmp = (a: Op, b: Op): number => a.prio[0] - b.prio[0] || a.prio[1] - b.prio[1] || a.prio[2] - b.prio[2] || (a.folder.path < b.folder.path ? -1 : 1);
    while (queue.length) {
      queue.sort(cmp);
      const op = queue.shift() as Op;
      const f = op.folder;
      if (op.kind === 'open') {
        // Opening replaces the folder's summary line by a heading and adds the folder's own lines.
        const pad = '  '.repeat(f.depth - 1);
        const delta = this.ownCost(f) + lineTokens(pad + this.heading(f)) - lineTokens(pad + this.summary(f));
        if (this.used + delta > budget) continue;
        this.open.add(f.path);
        this.used += delta;
        if (f.files.length) queue.push({ kind: 'files', folder: f, prio: prioOf(f, 'files') });
        for (const sub of f.folders.values()) queue.push({ kind: 'open', folder: sub, prio: prioOf(sub, 'open') });
        continue;
      }
      // Name as many of the folder's own files as fit, the most important first.
      const pad = '  '.repeat(f.depth);
      const ranked = [...f.files].sort((a, b) => this.fileRank(b) - this.fileRank(a) || (a.path < b.path ? -1 : 1));
      const shown: ListedFile[] = [];
      let cost = this.ownCostFiles(f, pad, shown);
      for (const file of ranked) {
        const c = this.ownCostFiles(f, pad, [...shown, file]);
        if (this.used - cost + c > budget) break;
        this.used += c - cost;
        cost = c;
        shown.push(file);
      }
      this.shownFiles.set(f.path, shown);
      if (!shown.length && !f.folders.size && f.depth > 0) {
        // Nothing of it fits after all: its summary line says as much in one line.
        const pad0 = '  '.repeat(f.depth - 1);
        this.used -= cost + lineTokens(pad0 + this.heading(f)) - lineTokens(pad0 + this.summary(f));
        this.open.delete(f.path);
      }
    }
  }

  /** Tokens of a folder's file lines when `shown` are named (the rest counted on one line). */
  private ownCostFiles(f: Folder, pad: string, shown: ListedFile[]): number {
    let cost = 0;
    for (const file of shown) cost += lineTokens(pad + file.path.slice(f.path ? f.path.length + 1 : 0));
    const more = restLine(f, shown);
    return more ? cost + lineTokens(pad + more) : cost;
  }

  /** The layout's lines, and what each names. */
  render(): { lines: string[]; named: NamedPath[] } {
    const lines: string[] = [];
    const named: NamedPath[] = [];
    const walk = (f: Folder, indent: number): void => {
      const pad = '  '.repeat(indent);
      for (const sub of [...f.folders.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const line = pad + (this.open.has(sub.path) ? this.heading(sub) : this.summary(sub));
        lines.push(line);
        named.push({ path: sub.path, kind: 'folder', chars: line.length + 1 });
        if (this.open.has(sub.path)) walk(sub, indent + 1);
      }
      const shown = [...(this.shownFiles.get(f.path) ?? [])].sort((a, b) => (a.path < b.path ? -1 : 1));
      for (const file of shown) {
        const line = pad + file.path.slice(f.path ? f.path.length + 1 : 0);
        lines.push(line);
        named.push({ path: file.path, kind: 'file', chars: line.length + 1 });
      }
      const more = restLine(f, shown);
      if (more) lines.push(pad + more);
    };
    walk(this.root, 0);
    return { lines, named };
  }
}

function listingKey(files: readonly ListedFile[], budget: number): string {
  const h = createHash('sha256');
  h.update(`${budget}\n`);
  for (const f of files) h.update(`${f.path}\0${f.size}\0${f.mtimeMs}\n`);
  return h.digest('hex');
}

/** The overview of the repository at `root` within `opts.budget` tokens (estimated). */
export async function buildOverview(root: string, opts: OverviewOptions = {}): Promise<RepositoryOverview> {
  const budget = Math.max(MIN_OVERVIEW_TOKENS, Math.floor(opts.budget ?? DEFAULT_OVERVIEW_TOKENS));
  const cache = opts.cache ?? defaultCache();
  const listing = await listWorkspaceFileStats(root, { limit: MAX_LISTED_FILES });
  const files = listing.files;
  const key = listingKey(files, budget);
  const hit = cache.result(root, key);
  if (hit) return { ...hit, cached: true };

  const facts = await sourceFacts(root, files, cache);
  const ranked = rankFiles(facts);
  const scoreOf = new Map(ranked.map((r) => [r.path, r.score]));

  const named: NamedPath[] = [];
  const out: string[] = [];
  const push = (line: string, n?: Omit<NamedPath, 'chars'>): void => {
    out.push(line);
    if (n) named.push({ ...n, chars: line.length + 1 });
  };
  push(`Repository overview: ${files.length}${listing.truncated ? '+' : ''} files (ignored files left out); folders are summarised where their files do not fit.`);
  if (!files.length) {
    push('(the workspace is empty)');
    const text = out.join('\n');
    const overview: RepositoryOverview = { text, tokens: estimateTokens(text), budget, files: 0, named, outlined: [], cached: false };
    cache.keep(root, key, overview);
    return overview;
  }

  // Key files: within 15% of the budget, the shallowest first.
  const keyFiles = await keyFilesOf(root, files);
  const keyBudget = Math.floor(budget * 0.15);
  let used = estimateTokens(out.join('\n')) + lineTokens('Key files (manifests, READMEs, entry points):');
  const keyLines: string[] = [];
  for (const k of keyFiles) {
    const line = `- ${k.path} (${k.kind})`;
    if (used + lineTokens(line) > keyBudget + lineTokens(out[0] as string)) break;
    used += lineTokens(line);
    keyLines.push(line);
    named.push({ path: k.path, kind: 'file', chars: line.length + 1 });
  }
  if (keyLines.length) out.push('Key files (manifests, READMEs, entry points):', ...keyLines);
  used = estimateTokens(out.join('\n'));

  // The layout: half of what is left when there are symbols to outline, else all of it.
  const rest = budget - used - lineTokens(LAYOUT_HEADER) - lineTokens('Definitions in the most referenced source files (line: first line):');
  const layoutBudget = ranked.length ? Math.floor(rest * 0.5) : rest;
  const keySet = new Set(keyFiles.map((k) => k.path));
  const layout = new Layout(folderTree(files), (f) => (keySet.has(f.path) ? 1e9 : 0) + (scoreOf.get(f.path) ?? -1));
  layout.build(layoutBudget);
  const rendered = layout.render();
  out.push(LAYOUT_HEADER, ...rendered.lines);
  named.push(...rendered.named);
  used = estimateTokens(out.join('\n'));

  // The symbol outline in what remains.
  const outlined: string[] = [];
  let note: string | undefined;
  if (ranked.length) {
    const header = 'Definitions in the most referenced source files (line: first line):';
    let symUsed = lineTokens(header);
    const blocks: string[] = [];
    for (const r of ranked) {
      if (r.score <= 0 && outlined.length >= 3) break;
      const defs = pickDefinitions(r, MAX_DEFS_PER_FILE);
      const lines = [`${r.path}:`, ...defs.map((d) => `${'  '.repeat(d.depth + 1)}${d.line}: ${d.text}`)];
      if (defs.length < r.definitions.length) lines.push(`  … ${r.definitions.length - defs.length} more definitions`);
      // A file that does not fit whole is cut to the definitions that do (at least its first few).
      let cost = lines.reduce((s, l) => s + lineTokens(l), 0);
      while (lines.length > 2 && used + symUsed + cost > budget) {
        lines.pop();
        cost = lines.reduce((s, l) => s + lineTokens(l), 0);
      }
      if (used + symUsed + cost > budget) continue;
      symUsed += cost;
      blocks.push(...lines);
      outlined.push(r.path);
      named.push({ path: r.path, kind: 'file', chars: lines.join('\n').length + 1 });
    }
    if (blocks.length) out.push(header, ...blocks);
  } else {
    const failure = treeSitter().failure;
    if (failure) note = `no symbol outline: ${failure}`;
  }
  const text = out.join('\n');
  const overview: RepositoryOverview = { text, tokens: estimateTokens(text), budget, files: files.length, named, outlined, cached: false, ...(note ? { note } : {}) };
  cache.keep(root, key, overview);
  return overview;
}
