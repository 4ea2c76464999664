import type { Plan, Task } from '../plan/schema';

/**
 * Context features: short buckets so that signatures stay few, readable in the audit and quick to learn.
 * Every value is a short string; the policy treats them as opaque labels.
 */
export type Features = Readonly<Record<string, string>>;

/** What kind of work a task is, from its files first (they are facts) and its wording second. */
export type TaskKind = 'create' | 'edit' | 'test' | 'docs' | 'config' | 'refactor' | 'migration';

const LANGUAGE_BY_EXTENSION: Readonly<Record<string, string>> = {
  ts: 'ts', tsx: 'ts', mts: 'ts', cts: 'ts', js: 'ts', jsx: 'ts', mjs: 'ts', cjs: 'ts',
  py: 'py', pyi: 'py',
  html: 'web', htm: 'web', css: 'web', scss: 'web', vue: 'web', svelte: 'web',
  tex: 'tex', sty: 'tex', bib: 'tex', cls: 'tex',
  go: 'go', rs: 'rust', java: 'java', kt: 'java',
  c: 'c', h: 'c', cc: 'c', cpp: 'c', hpp: 'c',
  md: 'text', rst: 'text', txt: 'text',
  json: 'data', yaml: 'data', yml: 'data', toml: 'data', ini: 'data',
};

function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1) : '';
}

function isTestFile(path: string): boolean {
  const p = path.toLowerCase();
  return /(^|\/)(tests?|__tests__|spec)\//.test(p) || /(^|\/)test_[^/]*\.py$/.test(p) || /\.(test|spec)\.[a-z]+$/.test(p) || /_test\.(py|go)$/.test(p);
}

function isConfigFile(path: string): boolean {
  const p = path.toLowerCase();
  const base = p.slice(p.lastIndexOf('/') + 1);
  return (
    /^(package\.json|tsconfig.*\.json|pyproject\.toml|setup\.cfg|setup\.py|makefile|dockerfile|cargo\.toml|go\.mod|requirements.*\.txt)$/.test(base) ||
    /\.(ya?ml|toml|ini|cfg)$/.test(base) ||
    /(^|\.)(eslint|prettier|babel|webpack|vite|esbuild|rollup)[^/]*$/.test(base)
  );
}

/** The dominant language of a set of files ('none' for a task that owns no file, 'mixed' when no majority). */
export function languageOf(files: readonly string[]): string {
  if (files.length === 0) return 'none';
  const counts = new Map<string, number>();
  for (const f of files) {
    const lang = LANGUAGE_BY_EXTENSION[extensionOf(f)] ?? 'other';
    counts.set(lang, (counts.get(lang) ?? 0) + 1);
  }
  let best = 'other';
  let bestCount = 0;
  for (const [lang, n] of counts) {
    if (n > bestCount || (n === bestCount && lang < best)) {
      best = lang;
      bestCount = n;
    }
  }
  return bestCount * 2 > files.length || counts.size === 1 ? best : 'mixed';
}

/**
 * The kind of a task. Files decide when they agree (all tests, all docs, all configuration); otherwise the
 * title and objective's wording separates refactors and migrations, and `existing` (the workspace's files
 * before the run, when the caller knows them) separates editing from creating.
 */
export function kindOf(task: Pick<Task, 'title' | 'objective' | 'files'>, existing?: ReadonlySet<string>): TaskKind {
  const files = task.files;
  if (files.length > 0 && files.every(isTestFile)) return 'test';
  if (files.length > 0 && files.every((f) => LANGUAGE_BY_EXTENSION[extensionOf(f)] === 'text')) return 'docs';
  if (files.length > 0 && files.every(isConfigFile)) return 'config';
  const words = `${task.title} ${task.objective}`.toLowerCase();
  if (/\b(migrat|upgrade|port(ing)? to)\w*/.test(words)) return 'migration';
  if (/\b(refactor|restructur|extract|rename|reorganis|reorganiz|clean ?up)\w*/.test(words)) return 'refactor';
  if (/\b(tests?|unit tests?|test suite)\b/.test(words) && files.some(isTestFile)) return 'test';
  if (existing && files.some((f) => existing.has(f))) return 'edit';
  if (!existing && /\b(fix|modify|change|update|edit|improve|extend)\w*/.test(words)) return 'edit';
  return 'create';
}

/** Size bucket from the number of owned files: S (≤1), M (2–3), L (>3). */
export function sizeOf(fileCount: number): 'S' | 'M' | 'L' {
  return fileCount <= 1 ? 'S' : fileCount <= 3 ? 'M' : 'L';
}

/** Count bucket used for prior failures, depth and attempts: '0', '1', '2+' (or from a base of 1 with `base`). */
export function countBucket(n: number, base = 0): string {
  const k = Math.max(base, Math.floor(n));
  return k >= base + 2 ? `${base + 2}+` : String(k);
}

/** Depth of a task in its plan: 0 for a source, else 1 + the deepest dependency (unknown ids count as sources). */
export function depthOf(plan: Pick<Plan, 'tasks'>, taskId: string): number {
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const memo = new Map<string, number>();
  const visit = (id: string, seen: Set<string>): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const task = byId.get(id);
    if (!task || seen.has(id)) return 0; // a cycle cannot reach a validated plan; guard anyway
    seen.add(id);
    let d = 0;
    for (const dep of task.deps) if (byId.has(dep)) d = Math.max(d, 1 + visit(dep, seen));
    seen.delete(id);
    memo.set(id, d);
    return d;
  };
  return visit(taskId, new Set());
}

/** A role as a short, stable label: "Python developer" -> "python-developer" (at most 24 characters). */
export function roleLabel(role: string): string {
  const slug = role.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, 24) || 'developer';
}

/** Inputs to {@link taskFeatures} beyond the task itself. */
export interface TaskFeatureInput {
  /** The plan the task belongs to, for its depth. */
  plan?: Pick<Plan, 'tasks'>;
  /** Failed attempts of this task so far in the run. */
  priorFailures?: number;
  /** Workspace-relative files that existed before the run (tells `edit` from `create`). */
  existingFiles?: ReadonlySet<string>;
}

/**
 * The context of a task as the model, protocol and verify points see it:
 * `{kind, lang, size, depth, fails, role}`.
 */
export function taskFeatures(task: Task, input: TaskFeatureInput = {}): Record<string, string> {
  return {
    kind: kindOf(task, input.existingFiles),
    lang: languageOf(task.files),
    size: sizeOf(task.files.length),
    depth: countBucket(input.plan ? depthOf(input.plan, task.id) : 0),
    fails: countBucket(input.priorFailures ?? 0),
    role: roleLabel(task.role),
  };
}

/** A model name as a short, stable label for a context feature (at most 48 characters of `[a-z0-9._:/-]`). */
export function modelLabel(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9._:/-]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, 48) || 'model';
}

/**
 * Context of an edit-format decision: `{model, existing, lang, size}`. `existing` says whether the task edits
 * files that exist (`all`, `some`) or only creates new ones (`none`): where an edit format matters most.
 */
export function editFormatFeatures(task: Pick<Task, 'files'>, model: string, existing: number): Record<string, string> {
  return {
    model: modelLabel(model),
    existing: existing === 0 ? 'none' : existing >= task.files.length ? 'all' : 'some',
    lang: languageOf(task.files),
    size: sizeOf(task.files.length),
  };
}

/** Failure kinds the recovery point distinguishes. */
export type FailureKind = 'compile' | 'test' | 'inspector' | 'timeout' | 'conflict' | 'other';

/** Context of a recovery decision: `{failure, attempt, kind, size}`; attempts count from 1. */
export function recoveryFeatures(task: Task, failure: FailureKind, attempt: number, existingFiles?: ReadonlySet<string>): Record<string, string> {
  return {
    failure,
    attempt: countBucket(attempt, 1),
    kind: kindOf(task, existingFiles),
    size: sizeOf(task.files.length),
  };
}

/** Context of the K-candidates decision: `{type, scope}` from the task text and the number of files in scope. */
export function planningFeatures(goal: string, filesInScope: number): Record<string, string> {
  const g = goal.toLowerCase();
  const type = /\b(fix|bug|crash|error|broken)\w*/.test(g)
    ? 'bugfix'
    : /\b(refactor|restructur|clean ?up|rename)\w*/.test(g)
      ? 'refactor'
      : /\b(bump|upgrade|chore|format|lint)\w*/.test(g)
        ? 'chore'
        : 'feature';
  const scope = filesInScope <= 1 ? '1' : filesInScope <= 5 ? '2-5' : '6+';
  return { type, scope };
}

/** Context of a merge decision for two adjacent tasks: `{kinds, size, sameDir}`. */
export function mergeFeatures(first: Task, second: Task, existingFiles?: ReadonlySet<string>): Record<string, string> {
  const dirOf = (f: string): string => (f.includes('/') ? f.slice(0, f.lastIndexOf('/')) : '.');
  const dirs = new Set([...first.files, ...second.files].map(dirOf));
  return {
    kinds: `${kindOf(first, existingFiles)}+${kindOf(second, existingFiles)}`,
    size: sizeOf(first.files.length + second.files.length),
    sameDir: dirs.size <= 1 ? 'y' : 'n',
  };
}
