/**
 * Definitions in source files, from a real parser: tree-sitter grammars compiled to WebAssembly
 * (`web-tree-sitter`, grammars from `tree-sitter-wasms`). Nothing is loaded until the first file is parsed;
 * each grammar is loaded once per process, on first use. When the runtime or a grammar cannot be loaded
 * the outline is simply left out (the overview still lists the files).
 *
 * The extension bundle carries the runtime's and the grammars' `.wasm` files in `dist/tree-sitter/`
 * (esbuild.js copies them); run from source, they are read from `node_modules`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type Parser from 'web-tree-sitter';

/** The grammars we ship, by file extension. */
const LANGUAGE_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.py': 'python',
  '.pyi': 'python',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.go': 'go',
  '.rs': 'rust',
  '.java': 'java',
};

/** Grammar names shipped in the bundle (esbuild.js copies exactly these). */
export const SHIPPED_GRAMMARS = ['python', 'javascript', 'typescript', 'tsx', 'go', 'rust', 'java'] as const;

const JS_DEFS = `
(function_declaration name: (identifier) @name) @def
(generator_function_declaration name: (identifier) @name) @def
(method_definition name: (property_identifier) @name) @def
(lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (class)]) @def)
(variable_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (class)]) @def)`;

const TS_DEFS = `${JS_DEFS}
(function_signature name: (identifier) @name) @def
(class_declaration name: (type_identifier) @name) @def
(abstract_class_declaration name: (type_identifier) @name) @def
(abstract_method_signature name: (property_identifier) @name) @def
(interface_declaration name: (type_identifier) @name) @def
(type_alias_declaration name: (type_identifier) @name) @def
(enum_declaration name: (identifier) @name) @def`;

/** Tree-sitter queries naming each definition (`@name`) and the node it spans (`@def`). */
const DEFINITION_QUERIES: Readonly<Record<string, string>> = {
  python: `
(class_definition name: (identifier) @name) @def
(function_definition name: (identifier) @name) @def`,
  javascript: `${JS_DEFS}
(class_declaration name: (identifier) @name) @def`,
  typescript: TS_DEFS,
  tsx: TS_DEFS,
  go: `
(function_declaration name: (identifier) @name) @def
(method_declaration name: (field_identifier) @name) @def
(type_spec name: (type_identifier) @name) @def`,
  rust: `
(function_item name: (identifier) @name) @def
(function_signature_item name: (identifier) @name) @def
(struct_item name: (type_identifier) @name) @def
(enum_item name: (type_identifier) @name) @def
(union_item name: (type_identifier) @name) @def
(trait_item name: (type_identifier) @name) @def
(type_item name: (type_identifier) @name) @def
(impl_item type: (type_identifier) @name) @def
(mod_item name: (identifier) @name) @def
(macro_definition name: (identifier) @name) @def`,
  java: `
(class_declaration name: (identifier) @name) @def
(interface_declaration name: (identifier) @name) @def
(enum_declaration name: (identifier) @name) @def
(record_declaration name: (identifier) @name) @def
(method_declaration name: (identifier) @name) @def
(constructor_declaration name: (identifier) @name) @def`,
};

/** One definition: its name, where it starts, how deeply it is nested in other definitions, its first line. */
export interface Definition {
  name: string;
  /** 1-based. */
  line: number;
  /** 0 for a top-level definition, 1 for a member of one, ... */
  depth: number;
  /** The definition's first line, trimmed and shortened. */
  text: string;
  /** Index (in the same list) of the definition this one is nested in, if any. */
  parent?: number;
  /** True for a class-like definition (class, interface, struct, trait, impl, enum, module) whose members matter. */
  container: boolean;
}

const CONTAINER = /class|interface|struct|trait|impl|enum|mod_item|union|record|type_spec/;

/** The language whose grammar parses `file`, or `undefined`. */
export function languageOf(file: string): string | undefined {
  return LANGUAGE_BY_EXTENSION[path.extname(file).toLowerCase()];
}

/** Where the `.wasm` files are: beside the bundle, else in node_modules. */
function wasmPaths(): { runtime: string; grammar: (lang: string) => string } | undefined {
  const bundled = path.join(__dirname, 'tree-sitter');
  if (existsSync(path.join(bundled, 'tree-sitter.wasm'))) {
    return { runtime: path.join(bundled, 'tree-sitter.wasm'), grammar: (l) => path.join(bundled, `tree-sitter-${l}.wasm`) };
  }
  try {
    const runtime = path.join(path.dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm');
    const grammars = path.join(path.dirname(require.resolve('tree-sitter-wasms/package.json')), 'out');
    return { runtime, grammar: (l) => path.join(grammars, `tree-sitter-${l}.wasm`) };
  } catch {
    return undefined;
  }
}

interface LoadedLanguage {
  language: Parser.Language;
  query: Parser.Query;
}

/**
 * The parser runtime and its grammars, loaded on first use and kept for the process (a grammar is a few
 * hundred kilobytes of compiled code; loading one costs tens of milliseconds).
 */
class TreeSitterRuntime {
  private parser: Promise<{ parser: Parser; ParserClass: typeof Parser } | undefined> | undefined;
  private readonly languages = new Map<string, Promise<LoadedLanguage | undefined>>();
  /** Why the runtime could not be loaded, for the overview's note. */
  failure: string | undefined;

  private loadParser(): Promise<{ parser: Parser; ParserClass: typeof Parser } | undefined> {
    this.parser ??= (async () => {
      const paths = wasmPaths();
      if (!paths) {
        this.failure = 'the parser runtime is not installed';
        return undefined;
      }
      try {
        const mod = await import('web-tree-sitter');
        const ParserClass = (mod as unknown as { default: typeof Parser }).default ?? (mod as unknown as typeof Parser);
        await ParserClass.init({ locateFile: () => paths.runtime });
        return { parser: new ParserClass(), ParserClass };
      } catch (e) {
        this.failure = `the parser runtime could not be loaded (${e instanceof Error ? e.name : 'error'})`;
        return undefined;
      }
    })();
    return this.parser;
  }

  private loadLanguage(lang: string): Promise<LoadedLanguage | undefined> {
    let p = this.languages.get(lang);
    if (!p) {
      p = (async () => {
        const loaded = await this.loadParser();
        const paths = wasmPaths();
        const source = DEFINITION_QUERIES[lang];
        if (!loaded || !paths || !source) return undefined;
        try {
          const language = await loaded.ParserClass.Language.load(paths.grammar(lang));
          return { language, query: language.query(source) };
        } catch {
          return undefined;
        }
      })();
      this.languages.set(lang, p);
    }
    return p;
  }

  /** The definitions in `text` (a file of language `lang`), in source order; `undefined` when it cannot be parsed. */
  async definitions(lang: string, text: string): Promise<Definition[] | undefined> {
    const loaded = await this.loadLanguage(lang);
    const parser = (await this.loadParser())?.parser;
    if (!loaded || !parser) return undefined;
    parser.setLanguage(loaded.language);
    let tree: Parser.Tree | undefined;
    try {
      tree = parser.parse(text);
      const lines = text.split('\n');
      const spans: Array<{ name: string; start: number; end: number; row: number; type: string }> = [];
      for (const m of loaded.query.matches(tree.rootNode)) {
        const def = m.captures.find((c) => c.name === 'def')?.node;
        const name = m.captures.find((c) => c.name === 'name')?.node;
        if (!def || !name) continue;
        spans.push({ name: name.text, start: def.startIndex, end: def.endIndex, row: def.startPosition.row, type: def.type });
      }
      spans.sort((a, b) => a.start - b.start || b.end - a.end);
      const open: Array<{ end: number; index: number }> = [];
      const out: Definition[] = [];
      for (const s of spans) {
        while (open.length && (open.at(-1) as { end: number }).end <= s.start) open.pop();
        const line = (lines[s.row] ?? '').trim();
        const parent = open.at(-1)?.index;
        out.push({
          name: s.name, line: s.row + 1, depth: open.length, text: line.length > 120 ? `${line.slice(0, 119)}…` : line,
          container: CONTAINER.test(s.type), ...(parent !== undefined ? { parent } : {}),
        });
        open.push({ end: s.end, index: out.length - 1 });
      }
      return out;
    } catch {
      return undefined;
    } finally {
      tree?.delete();
    }
  }
}

let runtime: TreeSitterRuntime | undefined;

/**
 * The process's parser runtime. One per process on purpose: the WebAssembly runtime and its grammars are
 * loaded once and shared by every overview, as the overview's cache is.
 */
export function treeSitter(): TreeSitterRuntime {
  runtime ??= new TreeSitterRuntime();
  return runtime;
}

const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*/g;

/** The distinct identifiers a text mentions (at least 3 characters: shorter ones say little about a reference). */
export function identifiersIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(IDENTIFIER)) if (m[0].length >= 3) out.add(m[0]);
  return out;
}
