/**
 * Addresses of the read-only documents the diff review shows: `agensflow-proposed:/<path>?run=…&task=…&side=…`
 * holds a task's proposed content of one file (`after`) or the content the run saw (`before`, the left side
 * for a file the task creates). The path comes first so the editor names the file and picks its language.
 * Pure: unit-tested in Node.
 */
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
}

/** The path and query of a proposed document's URI (the caller adds the scheme: `Uri.from`). */
export function proposedUriParts(ref: ProposedRef): { scheme: string; path: string; query: string } {
  const query = new URLSearchParams({ run: ref.runId, task: ref.taskId, side: ref.side }).toString();
  return { scheme: PROPOSED_SCHEME, path: `/${ref.path}`, query };
}

/** Reads a proposed document's address back; undefined for anything that is not one. */
export function parseProposedUri(uri: { scheme: string; path: string; query: string }): ProposedRef | undefined {
  if (uri.scheme !== PROPOSED_SCHEME) return undefined;
  const q = new URLSearchParams(uri.query);
  const runId = q.get('run');
  const taskId = q.get('task');
  const side = q.get('side');
  const path = uri.path.replace(/^\/+/, '');
  if (!runId || !taskId || !path || (side !== 'before' && side !== 'after')) return undefined;
  return { runId, taskId, path, side };
}
