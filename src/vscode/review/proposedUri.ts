/**
 * Addresses of the read-only documents the review shows.
 * - `agensflow-proposed:<the file's own path>?run=…&task=…&side=…&path=<workspace-relative>` holds a task's
 *   proposed content of one file (`after`), the content the run saw (`before`, the base of a merge), or the
 *   user's version that an accept could not merge (`yours`, a merge editor's side). The URI's path is the
 *   workspace file's own path, so the diff editors pair it with the file as a modification (they show a
 *   rename when the two paths differ) and name the file and pick its language from it.
 * - `agensflow-review:/<run>?tasks=a,b` names one multi-file review of a run (the tasks shown, or all the
 *   run's open patches when `tasks` is absent): the editor title's Accept Task / Reject Task act on it.
 * Pure: unit-tested in Node.
 */
import { visit } from 'jsonc-parser';
import { TASK_ID_PATTERN } from '../../core/plan/schema';
import { RUN_ID_PATTERN } from '../../core/run/runId';

export const PROPOSED_SCHEME = 'agensflow-proposed';
export const REVIEW_SCHEME = 'agensflow-review';

/** Which content of a file patch a document shows. */
export type ProposedSide = 'before' | 'after' | 'yours';

const SIDES: readonly string[] = ['before', 'after', 'yours'] satisfies ProposedSide[];

/** The parts of one proposed document's address. */
export interface ProposedRef {
  runId: string;
  taskId: string;
  /** Workspace-relative, `/`-separated. */
  path: string;
  side: ProposedSide;
  /**
   * Shown as plain text: the address ends in `.txt`, so the editor gives the document no language whose
   * support could fetch from the network (a remote `$schema` in a proposed JSON file).
   */
  asText?: boolean;
}

/** The suffix of a proposed document shown as plain text. */
const TEXT_SUFFIX = '.txt';

/**
 * The parts of a proposed document's URI (the caller builds it: `Uri.from`). `filePath`: the URI path of the
 * workspace file (`Uri.file(abs).path`), which must end with the workspace-relative path.
 */
export function proposedUriParts(ref: ProposedRef, filePath: string): { scheme: string; path: string; query: string } {
  if (!filePath.endsWith(`/${ref.path}`)) throw new RangeError(`${filePath} is not the file ${ref.path}`);
  const query = new URLSearchParams({ run: ref.runId, task: ref.taskId, side: ref.side, path: ref.path, ...(ref.asText ? { as: 'text' } : {}) }).toString();
  return { scheme: PROPOSED_SCHEME, path: `${filePath}${ref.asText ? TEXT_SUFFIX : ''}`, query };
}

/**
 * Reads a proposed document's address back; undefined for anything that is not one, or whose path is not the
 * file its query names (a forged address cannot show one file under another's name).
 */
export function parseProposedUri(uri: { scheme: string; path: string; query: string }): ProposedRef | undefined {
  if (uri.scheme !== PROPOSED_SCHEME) return undefined;
  const q = new URLSearchParams(uri.query);
  const runId = q.get('run');
  const taskId = q.get('task');
  const side = q.get('side');
  const path = q.get('path');
  const asText = q.get('as') === 'text';
  let filePath = uri.path;
  if (asText) {
    if (!filePath.endsWith(TEXT_SUFFIX)) return undefined;
    filePath = filePath.slice(0, -TEXT_SUFFIX.length);
  }
  if (!runId || !taskId || !path || !side || !SIDES.includes(side)) return undefined;
  if (path.startsWith('/') || path.split('/').includes('..') || !filePath.endsWith(`/${path}`)) return undefined;
  return { runId, taskId, path, side: side as ProposedSide, ...(asText ? { asText } : {}) };
}

/** One multi-file review: a run, and the tasks shown (all the run's open patches when absent). */
export interface ReviewRef {
  runId: string;
  taskIds?: string[];
}

/** The parts of a review's URI (the multi-file diff editor's own address). */
export function reviewUriParts(ref: ReviewRef): { scheme: string; path: string; query: string } {
  return { scheme: REVIEW_SCHEME, path: `/${ref.runId}`, query: ref.taskIds ? new URLSearchParams({ tasks: ref.taskIds.join(',') }).toString() : '' };
}

/** Reads a review's URI back; undefined for anything else (or a task list that holds no valid id). */
export function parseReviewUri(uri: { scheme: string; path: string; query: string }): ReviewRef | undefined {
  if (uri.scheme !== REVIEW_SCHEME) return undefined;
  const runId = uri.path.replace(/^\/+/, '');
  if (!RUN_ID_PATTERN.test(runId)) return undefined;
  const tasks = new URLSearchParams(uri.query).get('tasks');
  if (tasks === null) return { runId };
  const taskIds = tasks.split(',');
  if (taskIds.length === 0 || !taskIds.every((t) => TASK_ID_PATTERN.test(t))) return undefined;
  return { runId, taskIds };
}

/**
 * The addresses a file's `$schema` points at that are not local: a `$schema` member at any depth of a
 * JSON or JSONC text (read by jsonc-parser, the parser of VS Code's JSON support, so escapes such as
 * `"\u0024schema"` count), or a YAML modeline `# yaml-language-server: $schema=…`. Relative paths, drive
 * paths and `file:` URIs are local; any other scheme (`https:`, `http:`, `ftp:`, …) and protocol-relative
 * `//host/…` are not. VS Code's JSON support downloads such a schema as soon as a document of language
 * json/jsonc is opened, whatever its scheme.
 */
export function remoteSchemaUrls(text: string): string[] {
  const found = new Set<string>();
  const consider = (value: string): void => {
    const url = value.trim();
    if (/^\/\//.test(url) || (/^[a-z][a-z0-9+.-]+:/i.test(url) && !/^file:/i.test(url))) found.add(url);
  };
  let key: string | undefined;
  visit(text, {
    onObjectProperty: (name) => {
      key = name;
    },
    onLiteralValue: (value: unknown) => {
      if (key === '$schema' && typeof value === 'string') consider(value);
      key = undefined;
    },
    onObjectBegin: () => {
      key = undefined;
    },
    onArrayBegin: () => {
      key = undefined;
    },
  }, { allowTrailingComma: true, disallowComments: false });
  for (const m of text.matchAll(/\$schema=(\S{1,2000})/g)) consider(m[1]);
  return [...found];
}
