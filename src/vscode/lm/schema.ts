/**
 * Tool schemas as VS Code's chat models accept them. Some backends behind the Language Model API refuse a
 * JSON Schema `type` given as an array (`["string", "null"]`, which zod writes for nullable fields): each such
 * type becomes an `anyOf` of single types, at every depth. Nothing else changes.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = normalise(v);
  const type = out.type;
  if (Array.isArray(type)) {
    delete out.type;
    const alternatives = type.map((t) => ({ type: t as Json }));
    if (alternatives.length === 1) return { ...out, type: type[0] };
    // An existing anyOf (rare alongside a type list) keeps its meaning: both must hold.
    return out.anyOf !== undefined ? { allOf: [{ anyOf: alternatives }, { anyOf: out.anyOf }], ...withoutAnyOf(out) } : { ...out, anyOf: alternatives };
  }
  return out;
}

function withoutAnyOf(o: Record<string, unknown>): Record<string, unknown> {
  const { anyOf: _dropped, ...rest } = o;
  return rest;
}

/** `schema` with every `type: [..]` list rewritten as `anyOf`; the input is not changed. */
export function normaliseToolSchema(schema: Record<string, unknown>): Record<string, unknown> {
  return normalise(schema) as Record<string, unknown>;
}
