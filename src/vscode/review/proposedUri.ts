/**
 * Addresses of the read-only documents the diff review shows: `agensflow-proposed:/<path>?run=…&task=…&side=…`
 * holds a task's proposed content of one file (`after`) or the content the run saw (`before`, the left side
 * for a file the task creates). The path comes first so the editor names the file and picks its language.
 * Pure: unit-tested in Node.
 */
import { visit } from 'jsonc-parser';

export const PROPOSED_SCHEME = 'agensflow-proposed';

/** Which content of a file patch a document shows. */
export type ProposedSide = 'before' | 'after';

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

/** The path and query of a proposed document's URI (the caller adds the scheme: `Uri.from`). */
export function proposedUriParts(ref: ProposedRef): { scheme: string; path: string; query: string } {
  const query = new URLSearchParams({ run: ref.runId, task: ref.taskId, side: ref.side, ...(ref.asText ? { as: 'text' } : {}) }).toString();
  return { scheme: PROPOSED_SCHEME, path: `/${ref.path}${ref.asText ? TEXT_SUFFIX : ''}`, query };
}

/** Reads a proposed document's address back; undefined for anything that is not one. */
export function parseProposedUri(uri: { scheme: string; path: string; query: string }): ProposedRef | undefined {
  if (uri.scheme !== PROPOSED_SCHEME) return undefined;
  const q = new URLSearchParams(uri.query);
  const runId = q.get('run');
  const taskId = q.get('task');
  const side = q.get('side');
  const asText = q.get('as') === 'text';
  let path = uri.path.replace(/^\/+/, '');
  if (asText) {
    if (!path.endsWith(TEXT_SUFFIX)) return undefined;
    path = path.slice(0, -TEXT_SUFFIX.length);
  }
  if (!runId || !taskId || !path || (side !== 'before' && side !== 'after')) return undefined;
  return { runId, taskId, path, side, ...(asText ? { asText } : {}) };
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
