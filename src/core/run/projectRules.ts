/**
 * The project's own rules for coding agents: AGENTS.md and CLAUDE.md (the root ones, and the nearest one above
 * a task's files), `.github/copilot-instructions.md`, `.github/instructions/*.instructions.md` (scoped by their
 * `applyTo` globs), `.cursorrules`, `.cursor/rules/*.mdc` (`alwaysApply` or `globs`), `.clinerules` (a file or
 * a folder) and `.roo/rules/`. They are read once per run, bounded per file and in total, through the same
 * path rules as the agents' reads (a rule file that is a symlink leading outside the workspace, a secret, a
 * file with other hard links or a binary is never read), and handed to the planner, each agent (the rules
 * that apply to its files), the inspector and the updater.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { DecisionOption, RunEventOf } from './events';
import { DEFAULT_STAGING_LIMITS, StagingArea } from './staging';
import { listWorkspaceFiles } from '../context/workspaceFiles';

/** Where a rule applies: everywhere, to files under a folder (a nested AGENTS.md), or to files matching globs. */
export type RuleScope = { kind: 'always' } | { kind: 'dir'; dir: string; name: string } | { kind: 'globs'; globs: string[] };

/** One rule file as read. */
export interface RuleFile {
  /** Workspace-relative path. */
  path: string;
  scope: RuleScope;
  /** Its text (front matter removed), at most the per-file cap. */
  text: string;
  /** Set when the text was cut to the per-file cap. */
  cut?: boolean;
}

export interface ProjectRulesLimits {
  /** Characters read of one rule file. Default 8 000. */
  maxFileChars: number;
  /** Characters of all rule files together. Default 24 000. */
  maxTotalChars: number;
  /** Rule files read at most. Default 40. */
  maxFiles: number;
}

export const DEFAULT_RULES_LIMITS: ProjectRulesLimits = { maxFileChars: 8_000, maxTotalChars: 24_000, maxFiles: 40 };

/** The rules of one workspace and what was left out (cut, over the caps, not applied automatically, refused). */
export interface ProjectRules {
  files: RuleFile[];
  notes: string[];
  /** False when the user turned project rules off. */
  enabled: boolean;
}

/** The names of the per-folder rule files (the root one applies everywhere, a nested one under its folder). */
const FOLDER_RULE_NAMES = ['AGENTS.md', 'CLAUDE.md'];

/** Files listed when looking for nested AGENTS.md and CLAUDE.md. */
const DISCOVERY_LIST_LIMIT = 20_000;

/**
 * The front matter of a rules file: `key: value` lines between `---` lines, values unquoted, a value
 * continued by `- item` lines read as a list. Not a YAML parser on purpose: Cursor writes `globs: *.ts`,
 * which YAML reads as an alias and rejects, and these files need only three keys.
 */
export function frontMatter(text: string): { meta: Record<string, string | string[]>; body: string } {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) return { meta: {}, body: text };
  const meta: Record<string, string | string[]> = {};
  let listKey: string | undefined;
  for (const raw of m[1].split(/\r?\n/)) {
    const item = /^\s+-\s*(.*)$/.exec(raw);
    if (item && listKey) {
      const prev = meta[listKey];
      meta[listKey] = [...(Array.isArray(prev) ? prev : prev ? [prev] : []), unquote(item[1])];
      continue;
    }
    const kv = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(raw);
    if (!kv) continue;
    listKey = kv[1];
    meta[kv[1]] = unquote(kv[2]);
  }
  return { meta, body: text.slice(m[0].length) };
}

function unquote(v: string): string {
  const t = v.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}

/** Globs of a front-matter value: a list, `[a, b]`, or `a, b` (comma-separated). */
function globList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  const items = Array.isArray(v) ? v : v.replace(/^\[(.*)\]$/, '$1').split(',');
  return items.map(unquote).filter((g) => g.length > 0);
}

function isTrue(v: string | string[] | undefined): boolean {
  return typeof v === 'string' && v.toLowerCase() === 'true';
}

/** A glob as the agents' list and search tools read one: without a `/` it matches a file's name at any depth. */
function globMatcher(globs: readonly string[]): (file: string) => boolean {
  const tests = globs.map((g) => {
    const full = picomatch(g, { dot: true });
    if (g.includes('/')) return full;
    const base = picomatch(g, { dot: true, basename: true });
    return (p: string) => full(p) || base(p);
  });
  return (file) => tests.some((t) => t(file));
}

/** The label of a scope in prompts and reports. */
export function scopeLabel(scope: RuleScope): string {
  if (scope.kind === 'always') return 'applies everywhere';
  if (scope.kind === 'dir') return `applies under ${scope.dir}/`;
  return `applies to ${scope.globs.join(', ')}`;
}

/** A candidate rule file before reading: its path, and how to scope it once its front matter is known. */
interface Candidate {
  path: string;
  scope: (meta: Record<string, string | string[]>) => RuleScope | string;
}

const always = (): RuleScope => ({ kind: 'always' });

/** Files directly in (or, with `deep`, under) a workspace folder, sorted; none when it is not a folder. */
async function folderFiles(root: string, rel: string, deep: boolean): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(path.join(root, ...rel.split('/')), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory() && deep) out.push(...(await folderFiles(root, child, deep)));
    // Links are passed on too: the reader's path rules decide whether they may be read.
    else if (e.isFile() || e.isSymbolicLink()) out.push(child);
  }
  return out;
}

async function candidates(root: string): Promise<Candidate[]> {
  const list: Candidate[] = [];
  for (const name of FOLDER_RULE_NAMES) list.push({ path: name, scope: always });
  list.push({ path: '.github/copilot-instructions.md', scope: always });
  for (const f of await folderFiles(root, '.github/instructions', false)) {
    if (!f.endsWith('.instructions.md')) continue;
    list.push({
      path: f,
      scope: (meta) => {
        const globs = globList(meta.applyTo);
        if (globs.length === 0) return 'has no applyTo, so it is not applied automatically';
        return globs.some((g) => g === '**' || g === '**/*') ? { kind: 'always' } : { kind: 'globs', globs };
      },
    });
  }
  list.push({ path: '.cursorrules', scope: always });
  for (const f of await folderFiles(root, '.cursor/rules', true)) {
    if (!/\.mdc?$/.test(f)) continue;
    list.push({
      path: f,
      scope: (meta) => {
        if (isTrue(meta.alwaysApply)) return { kind: 'always' };
        const globs = globList(meta.globs);
        if (globs.length > 0) return { kind: 'globs', globs };
        return 'has neither alwaysApply nor globs, so it is not applied automatically';
      },
    });
  }
  const cline = await folderFiles(root, '.clinerules', true);
  if (cline.length > 0) for (const f of cline) list.push({ path: f, scope: always });
  else list.push({ path: '.clinerules', scope: always });
  for (const f of await folderFiles(root, '.roo/rules', true)) list.push({ path: f, scope: always });
  // Nested AGENTS.md and CLAUDE.md, shallow folders first: each applies to the files under its folder.
  const listed = await listWorkspaceFiles(root, { limit: DISCOVERY_LIST_LIMIT });
  const nested = listed.files
    .filter((f) => f.includes('/') && FOLDER_RULE_NAMES.includes(f.slice(f.lastIndexOf('/') + 1)))
    .sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
  for (const f of nested) {
    const at = f.lastIndexOf('/');
    list.push({ path: f, scope: () => ({ kind: 'dir', dir: f.slice(0, at), name: f.slice(at + 1) }) });
  }
  return list;
}

/**
 * Reads the rule files of the workspace at `root`, bounded by `limits`: those that apply everywhere first,
 * then the scoped ones. Never throws for a file: one that cannot be read is noted and skipped.
 */
export async function loadProjectRules(root: string, limits: Partial<ProjectRulesLimits> = {}): Promise<ProjectRules> {
  const lim = { ...DEFAULT_RULES_LIMITS, ...limits };
  // The agents' reader: the workspace's path rules (no symlink out, no secrets, no hard links, no binaries).
  const reader = new StagingArea(root, { ...DEFAULT_STAGING_LIMITS, maxReadBytes: lim.maxFileChars * 4 }).openLayer('project-rules', [], []);
  const read: Array<RuleFile & { order: number }> = [];
  const notes: string[] = [];
  let total = 0;
  for (const c of await candidates(root)) {
    const r = await reader.readView(c.path);
    if (!r.ok) {
      // An absent file is the common case; a refused one (a link out, a secret) is worth a note.
      if (r.refused) notes.push(`${c.path} not read: ${r.error}`);
      continue;
    }
    const { meta, body } = frontMatter(r.value.text);
    const scope = c.scope(meta);
    if (typeof scope === 'string') {
      notes.push(`${c.path} ${scope}`);
      continue;
    }
    let text = body.trim();
    if (!text) continue;
    if (read.length >= lim.maxFiles) {
      notes.push(`${c.path} not read: at most ${lim.maxFiles} rule files are read`);
      continue;
    }
    const room = Math.min(lim.maxFileChars, lim.maxTotalChars - total);
    if (room <= 0) {
      notes.push(`${c.path} not read: the rule files' total cap of ${lim.maxTotalChars} characters is reached`);
      continue;
    }
    let cut = r.value.note !== undefined;
    if (text.length > room) {
      text = text.slice(0, room);
      cut = true;
    }
    if (cut) notes.push(`${c.path} was cut to its first ${text.length} characters`);
    total += text.length;
    read.push({ path: r.value.path, scope, text, ...(cut ? { cut } : {}), order: read.length });
  }
  return { files: read.map(({ order: _order, ...f }) => f), notes, enabled: true };
}

/** The rules that apply to a task owning `files`: those for everywhere, the nearest folder rule above each file, matching globs. */
export function rulesFor(rules: ProjectRules, files: readonly string[]): RuleFile[] {
  const nearest = new Set<string>();
  for (const name of FOLDER_RULE_NAMES) {
    const dirs = new Set(rules.files.flatMap((f) => (f.scope.kind === 'dir' && f.scope.name === name ? [f.scope.dir] : [])));
    for (const file of files) {
      for (let d = path.posix.dirname(file); d !== '.' && d !== '/' && d !== ''; d = path.posix.dirname(d)) {
        if (dirs.has(d)) {
          nearest.add(`${d}/${name}`);
          break;
        }
      }
    }
  }
  return rules.files.filter((f) => {
    if (f.scope.kind === 'always') return true;
    if (f.scope.kind === 'dir') return nearest.has(`${f.scope.dir}/${f.scope.name}`);
    const match = globMatcher(f.scope.globs);
    return files.some(match);
  });
}

/**
 * The prompt section of `files` (empty when there are none): a heading, then each file with its path and
 * scope. A separate section in every prompt that carries it, so other context can change around it.
 */
export function rulesSection(files: readonly RuleFile[], intro = 'Follow them unless the task says otherwise.'): string {
  if (files.length === 0) return '';
  const parts = [`# Project rules (the repository's own instructions for coding agents). ${intro}`];
  for (const f of files) {
    parts.push(`## ${f.path} (${scopeLabel(f.scope)})`, f.text + (f.cut ? '\n[... the rest of this file was cut ...]' : ''));
  }
  return parts.join('\n');
}

/** Where the rules are looked for, named in the record of a run that found none. */
const RULE_FILES_LOOKED_FOR = 'AGENTS.md, CLAUDE.md, .github/copilot-instructions.md, .cursor/rules and the like';

/** The run's record of the rule files used: a `decision` event (point `context.rules`), shown in reports and the graph. */
export function rulesDecision(rules: ProjectRules): Omit<RunEventOf<'decision'>, 'runId' | 'ts'> {
  if (!rules.enabled) {
    return { type: 'decision', point: 'context.rules', options: [], choice: 'off', mode: 'rule', reason: 'project rules are turned off by the settings' };
  }
  const options: DecisionOption[] = rules.files.map((f) => ({ id: f.path.slice(0, 128), scope: scopeLabel(f.scope), characters: f.text.length, ...(f.cut ? { cut: true } : {}) }));
  const n = rules.files.length;
  const reason = n === 0 ? `the workspace has no project rule files (looked for ${RULE_FILES_LOOKED_FOR})` : `read ${n} project rule file${n === 1 ? '' : 's'}, ${rules.files.reduce((s, f) => s + f.text.length, 0)} characters`;
  const notes = rules.notes.length ? `; ${rules.notes.slice(0, 10).join('; ')}${rules.notes.length > 10 ? `; and ${rules.notes.length - 10} more notes` : ''}` : '';
  const choice = n === 0 ? 'none found' : rules.files.map((f) => f.path).join(', ');
  return { type: 'decision', point: 'context.rules', options, choice: choice.length > 2000 ? `${choice.slice(0, 2000)}…` : choice, mode: 'rule', reason: `${reason}${notes}` };
}

/**
 * The rules of a run, read once per workspace folder and shared by the planner, the agents, the inspector and
 * the updater. Turned off, it yields no rules (and records that).
 */
export class ProjectRulesSource {
  private readonly cache = new Map<string, Promise<ProjectRules>>();
  private last: Promise<ProjectRules> | undefined;

  constructor(
    readonly enabled = true,
    private readonly limits: Partial<ProjectRulesLimits> = {},
  ) {}

  /** The rules of the workspace at `root` (read at the first call). */
  load(root: string): Promise<ProjectRules> {
    let p = this.cache.get(root);
    if (!p) {
      p = this.enabled ? loadProjectRules(root, this.limits) : Promise.resolve({ files: [], notes: [], enabled: false });
      this.cache.set(root, p);
    }
    this.last = p;
    return p;
  }

  /** The rules loaded last (the run's workspace), or none when nothing was loaded yet. */
  async current(): Promise<ProjectRules | undefined> {
    return this.last;
  }
}
