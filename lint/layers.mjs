// @ts-check
/**
 * `local/layers`: which folder of src/ may import which. eslint's `no-restricted-imports` matches the
 * import text, so `../run` and `../../core/run` need separate patterns and a folder's rule replaces its
 * parent's; this rule resolves each relative import against the importing file and checks the folder it
 * lands in, for every zone the file is in (src/core/plan/x.ts obeys the zones of src/core and of
 * src/core/plan). The table itself lives in eslint.config.mjs.
 *
 * A zone: `{ zone, why, deny?, only?, modules?, builtins? }`, paths relative to the repository root.
 * - `deny`: folders (or files, without extension) the zone may not import, type-only imports included.
 * - `only`: the only folders the zone may import; an entry `{ path, typeOnly: true }` admits `import type`.
 * - `modules`: package names the zone may not import (type-only included).
 * - `builtins`: true when the zone may not import Node's built-in modules (`node:*`, `fs`, ...).
 */
import { builtinModules } from 'node:module';
import path from 'node:path';

const BUILTINS = new Set(builtinModules);

/** @param {string} spec */
function isBuiltin(spec) {
  return spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]);
}

/** `rel` (no extension needed) is `base` itself, a file `base.*`, or inside the folder `base`. */
function within(/** @type {string} */ rel, /** @type {string} */ base) {
  if (rel === base || rel.startsWith(base + '/')) return true;
  const ext = path.posix.extname(rel);
  return ext !== '' && rel.slice(0, -ext.length) === base;
}

/** @param {string} spec */
function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @type {import('eslint').Rule.RuleModule} */
export const layers = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps the layering of src/: which folder may import which' },
    schema: [{
      type: 'object',
      properties: {
        zones: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              zone: { type: 'string' },
              why: { type: 'string' },
              deny: { type: 'array', items: { type: 'string' } },
              only: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'object', properties: { path: { type: 'string' }, typeOnly: { type: 'boolean' } }, required: ['path'], additionalProperties: false }] } },
              modules: { type: 'array', items: { type: 'string' } },
              builtins: { type: 'boolean' },
            },
            required: ['zone', 'why'],
            additionalProperties: false,
          },
        },
      },
      required: ['zones'],
      additionalProperties: false,
    }],
    messages: {
      denied: '{{zone}} may not import {{target}}: {{why}}',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    /** @type {{ zone: string; why: string; deny?: string[]; only?: (string | { path: string; typeOnly?: boolean })[]; modules?: string[]; builtins?: boolean }[]} */
    const zones = context.options[0].zones.filter((/** @type {{ zone: string }} */ z) => within(file, z.zone));
    if (zones.length === 0) return {};

    /**
     * @param {import('estree').Node} node
     * @param {string} spec
     * @param {boolean} typeOnly
     */
    function check(node, spec, typeOnly) {
      const relative = spec.startsWith('.');
      const rel = relative ? path.relative(root, path.resolve(path.dirname(context.filename), spec)).split(path.sep).join('/') : undefined;
      for (const z of zones) {
        let target;
        if (rel !== undefined) {
          target = z.deny?.find((d) => within(rel, d));
          if (target === undefined && z.only && !z.only.some((o) => (typeof o === 'string' ? within(rel, o) : within(rel, o.path) && (typeOnly || !o.typeOnly)))) target = rel;
        } else {
          if (z.modules?.includes(packageOf(spec))) target = `'${spec}'`;
          else if (z.builtins && isBuiltin(spec)) target = `the Node built-in '${spec}'`;
        }
        if (target !== undefined) context.report({ node, messageId: 'denied', data: { zone: z.zone, target, why: z.why } });
      }
    }

    return {
      ImportDeclaration(node) {
        // `import { type A }` keeps a side-effect import under verbatimModuleSyntax: only `import type` is type-only.
        check(node, String(node.source.value), /** @type {{ importKind?: string }} */ (node).importKind === 'type');
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, String(node.source.value), /** @type {{ exportKind?: string }} */ (node).exportKind === 'type');
      },
      ExportAllDeclaration(node) {
        check(node, String(node.source.value), /** @type {{ exportKind?: string }} */ (node).exportKind === 'type');
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal' && typeof node.source.value === 'string') check(node, node.source.value, false);
      },
      /** `typeof import('x')` and `import('x').T` in type positions. */
      TSImportType(/** @type {any} */ node) {
        const source = node.source ?? node.argument?.literal;
        if (source && typeof source.value === 'string') check(node, source.value, true);
      },
      /** `import x = require('x')`. */
      TSImportEqualsDeclaration(/** @type {any} */ node) {
        if (node.moduleReference?.type === 'TSExternalModuleReference') check(node, node.moduleReference.expression.value, node.importKind === 'type');
      },
    };
  },
};
