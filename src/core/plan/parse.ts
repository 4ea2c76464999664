import { findNodeAtLocation, parse as parseJsonc, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { PlanSyntaxError, type PlanError } from './errors';
import { validatePlan, type PlanValidation, type ValidateOptions } from './validate';

/** 1-based line and column of a UTF-16 offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The outcome of {@link parsePlanText}: validation, or malformed JSON (also listed as a `json` error). */
export type PlanTextResult =
  | PlanValidation
  | { readonly ok: false; readonly errors: readonly PlanError[]; readonly syntaxError: PlanSyntaxError };

/** `ValueExpected` -> `value expected`. */
const words = (code: string): string => code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** The first syntax error of a text that `JSON.parse` refused, located by jsonc-parser (strict JSON). */
function syntaxErrorOf(text: string, fallback: unknown): PlanSyntaxError {
  const found: ParseError[] = [];
  parseJsonc(text, found, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = found[0];
  const offset = first?.offset ?? 0;
  const { line, column } = lineColumn(text, offset);
  const detail = first ? words(printParseErrorCode(first.error)) : fallback instanceof Error ? fallback.message : 'not JSON';
  return new PlanSyntaxError(detail, offset, line, column);
}

/**
 * Parses and validates the text of a plan file. Malformed JSON is a result (with a {@link PlanSyntaxError}
 * giving line and column), not an exception; a leading byte-order mark is ignored.
 */
export function parsePlanText(text: string, opts: ValidateOptions = {}): PlanTextResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch (e) {
    const syntaxError = syntaxErrorOf(body, e);
    return { ok: false, syntaxError, errors: [{ code: 'json', message: syntaxError.message, taskIds: [] }] };
  }
  return validatePlan(input, opts);
}

/** Where a JSON path's value lies in a text, for diagnostics: offset, length, 1-based line and column. */
export interface JsonLocation {
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
}

/**
 * Finds the value at a JSON path (as in a {@link PlanError}'s `path`) in the text of the document, or the
 * nearest enclosing value that exists; `undefined` when the text is not JSON.
 */
export function locateJsonPath(text: string, path: readonly (string | number)[]): JsonLocation | undefined {
  const root = parseTree(text, [], { disallowComments: true });
  if (root === undefined) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n));
    if (node !== undefined) return { offset: node.offset, length: node.length, ...lineColumn(text, node.offset) };
  }
  return undefined;
}
