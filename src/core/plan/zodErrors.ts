import type { z } from 'zod';
import { formatJsonPath, type PlanError } from './errors';

/** Missing required fields read better as "is required" than zod's "expected string, received undefined". */
export const schemaMessages: z.core.$ZodErrorMap = (iss) =>
  iss.code === 'invalid_type' && iss.input === undefined ? 'is required' : undefined;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Zod issues as plan errors (code `schema`), each with its JSON path and, when the issue lies inside an
 * entry of a task list (`tasks`, or an update's `replace` / `add`), the id that entry declares.
 */
export function schemaErrors(error: z.ZodError, input: unknown): PlanError[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const where = formatJsonPath(path);
    let taskIds: string[] = [];
    const list = typeof path[0] === 'string' && isRecord(input) ? input[path[0]] : undefined;
    if (typeof path[1] === 'number' && Array.isArray(list)) {
      const raw: unknown = list[path[1]];
      if (isRecord(raw) && typeof raw.id === 'string') taskIds = [raw.id];
    }
    return { code: 'schema', message: `${where === '' ? 'document' : where}: ${issue.message}`, taskIds, path };
  });
}
