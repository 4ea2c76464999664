import { findNodeAtLocation, parseTree, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { PlanError } from '../../core/plan';

/** A half-open range of character offsets into the plan text. */
export interface OffsetRange {
  readonly start: number;
  readonly end: number;
}

/** A task that shares a problem, shown as related information beside the main range. */
export interface RelatedLocation {
  readonly taskId: string;
  readonly range: OffsetRange;
}

/** One plan error placed in the text: what an editor underlines. */
export interface LocatedProblem {
  readonly code: string;
  readonly message: string;
  readonly range: OffsetRange;
  readonly related: readonly RelatedLocation[];
}

type JsonPath = readonly (string | number)[];

/** Parses the text leniently (the core decides validity; this only finds places). */
function tree(text: string): JsonNode | undefined {
  return parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
}

const rangeOf = (node: JsonNode): OffsetRange => ({ start: node.offset, end: node.offset + node.length });

/** The node of `tasks[i]` whose `id` value is `taskId` (every one, as ids may be duplicated). */
function taskNodes(root: JsonNode, taskId: string): JsonNode[] {
  const tasks = findNodeAtLocation(root, ['tasks']);
  if (tasks?.type !== 'array' || !tasks.children) return [];
  return tasks.children.filter((task) => findNodeAtLocation(task, ['id'])?.value === taskId);
}

/**
 * Narrows a container to something worth underlining: a task object to its `id` value, another object or
 * array to the key that holds it (`"deps"`), else its opening bracket. A whole multi-line object underlined
 * says less than the one token at fault.
 */
function narrow(node: JsonNode): OffsetRange {
  if (node.type !== 'object' && node.type !== 'array') return rangeOf(node);
  const id = node.type === 'object' ? findNodeAtLocation(node, ['id']) : undefined;
  if (id && id.type === 'string') return rangeOf(id);
  const parent = node.parent;
  if (parent?.type === 'property' && parent.children?.[0]) return rangeOf(parent.children[0]);
  return { start: node.offset, end: node.offset + 1 };
}

/** The node at `path`, or the nearest ancestor that exists (a required property that is missing). */
function nearestNode(root: JsonNode, path: JsonPath): JsonNode {
  for (let n = path.length; n > 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n) as (string | number)[]);
    if (node) return node;
  }
  return root;
}

const sameRange = (a: OffsetRange, b: OffsetRange): boolean => a.start === b.start && a.end === b.end;

/** The `id` range of the task a `['tasks', i, ...]` path points into. */
function homeTaskRange(root: JsonNode, path: JsonPath): OffsetRange | undefined {
  if (path[0] !== 'tasks' || typeof path[1] !== 'number') return undefined;
  const task = findNodeAtLocation(root, ['tasks', path[1]]);
  return task ? narrow(task) : undefined;
}

/** Where a problem with no path and no task goes: the `tasks` key, else the document's first token. */
function documentRange(root: JsonNode): OffsetRange {
  const tasks = findNodeAtLocation(root, ['tasks']);
  return tasks ? narrow(tasks) : { start: root.offset, end: root.offset + 1 };
}

/**
 * Places each plan error in the text of the plan it came from:
 * - with a JSON path: at the value there (or its nearest existing ancestor, narrowed), with the error's
 *   other tasks (not the one the path points into) as related locations;
 * - with task ids only (a cycle, a duplicate owner): one problem at each task's `id`, each pointing to the
 *   others;
 * - with neither (an empty plan): at the `tasks` key.
 * Identical problems (same code, message and range) are reported once.
 */
export function locatePlanErrors(text: string, errors: readonly PlanError[]): LocatedProblem[] {
  const root = tree(text);
  if (!root) return errors.map((e) => ({ code: e.code, message: e.message, range: { start: 0, end: 0 }, related: [] }));

  const idRange = (taskId: string): OffsetRange[] => taskNodes(root, taskId).map(narrow);
  const out: LocatedProblem[] = [];
  const seen = new Set<string>();
  const push = (p: LocatedProblem): void => {
    const key = `${p.code}\0${p.message}\0${p.range.start}\0${p.range.end}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };

  for (const error of errors) {
    const located = error.taskIds.flatMap((taskId) => idRange(taskId).map((range) => ({ taskId, range })));
    if (error.path && error.path.length > 0) {
      const range = narrow(nearestNode(root, error.path));
      // The task the path points into is where the underline already is; relate only the others.
      const home = homeTaskRange(root, error.path);
      const related = located.filter((l) => !sameRange(l.range, range) && !(home && sameRange(l.range, home)));
      push({ code: error.code, message: error.message, range, related });
    } else if (located.length > 0) {
      for (const here of located) {
        push({ code: error.code, message: error.message, range: here.range, related: located.filter((l) => l !== here) });
      }
    } else {
      push({ code: error.code, message: error.message, range: documentRange(root), related: [] });
    }
  }
  return out;
}

/**
 * The range of the JSON syntax error at `offset` (the core's position): as long as the token jsonc-parser
 * (strict JSON) reports there, so the underline covers the offending token; else one character.
 */
export function syntaxErrorRange(text: string, offset: number): OffsetRange {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  const start = Math.min(Math.max(0, offset), text.length);
  const hit = errors.find((e) => e.offset === start);
  return { start, end: Math.min(text.length, start + (hit ? Math.max(1, hit.length) : 1)) };
}
