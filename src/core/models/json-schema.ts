/** Tool argument schemas go to providers as JSON Schema, produced by zod 4's `z.toJSONSchema`. */
import { z } from 'zod';
import type { ToolSpec } from './types';

const cache = new WeakMap<object, Record<string, unknown>>();

/**
 * The JSON Schema of a tool's arguments as the model should write them: the input side of the schema
 * (fields with defaults are optional), without `$schema`, which some OpenAI-compatible servers refuse.
 */
export function toolParameters(tool: ToolSpec): Record<string, unknown> {
  const hit = cache.get(tool.schema);
  if (hit) return hit;
  const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.schema, { io: 'input', unrepresentable: 'any', ...(tool.shareDefinitions ? { reused: 'ref' as const } : {}) }) as Record<string, unknown>;
  cache.set(tool.schema, schema);
  return schema;
}

/** Parses tool-call arguments; `undefined` when they are not JSON (the structured-answer layer reports it). */
export function parseArguments(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
