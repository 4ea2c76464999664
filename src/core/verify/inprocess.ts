/**
 * Checks that run in-process with libraries: JSON (jsonc-parser for positions), HTML (html-validate),
 * CSS (css-tree). The libraries' configuration is fixed here: no config file found next to the checked
 * files is ever loaded (an agent-written `.htmlvalidate.json` could name plugins, which are code).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as csstree from 'css-tree';
import { HtmlValidate, StaticConfigLoader, type ConfigData } from 'html-validate';
import * as jsonc from 'jsonc-parser';
import type { Finding } from '../run/events';
import { MAX_FINDINGS, lineOfOffset } from './parsers';
import type { CheckResult } from './types';

/**
 * html-validate's `standard` preset: rules for standard compliance (unclosed or misnested elements, stray
 * end tags, duplicate ids, invalid content models, deprecated elements), no stylistic rules.
 */
export const HTML_VALIDATE_CONFIG: ConfigData = { root: true, extends: ['html-validate:standard'] };

/** Files whose JSON dialect allows comments and trailing commas. */
function isJsonc(rel: string): boolean {
  const base = path.posix.basename(rel).toLowerCase();
  return base.endsWith('.jsonc') || /^(tsconfig|jsconfig)(\..*)?\.json$/.test(base) || rel.startsWith('.vscode/');
}

type FileChecker = (text: string, rel: string) => Finding[] | Promise<Finding[]>;

/** Where this process reads a file of the view (see VerifyView.hostPath). */
export type HostPath = (rel: string) => string | undefined;

async function runInProcess(id: string, tool: string, files: string[], hostPath: HostPath, check: FileChecker): Promise<CheckResult> {
  const started = performance.now();
  const findings: Finding[] = [];
  const notes: string[] = [];
  for (const rel of files) {
    const at = hostPath(rel);
    if (at === undefined) continue; // deleted in the view
    const text = await fs.readFile(at, 'utf8');
    const found = await check(text, rel);
    findings.push(...found);
    notes.push(found.length === 0 ? `${rel}: ok` : found.map((f) => `${f.file}:${f.line ?? ''}: ${f.message}`).join('\n'));
  }
  return {
    id,
    tool,
    files,
    outcome: findings.length > 0 ? 'failed' : 'passed',
    durationMs: Math.round(performance.now() - started),
    findings: findings.slice(0, MAX_FINDINGS),
    output: notes.join('\n'),
  };
}

export function checkJsonText(text: string, rel: string): Finding[] {
  const errors: jsonc.ParseError[] = [];
  const lenient = isJsonc(rel);
  jsonc.parse(text, errors, { disallowComments: !lenient, allowTrailingComma: lenient, allowEmptyContent: false });
  const findings: Finding[] = errors.map((e) => ({ file: rel, line: lineOfOffset(text, e.offset), message: jsonc.printParseErrorCode(e.error), tool: 'json' }));
  if (!lenient && findings.length === 0) {
    // jsonc-parser is tolerant in a few corners; JSON.parse is the authority for plain JSON.
    try {
      JSON.parse(text);
    } catch (e) {
      findings.push({ file: rel, line: 1, message: (e as Error).message, tool: 'json' });
    }
  }
  return findings;
}

export function checkCssText(text: string, rel: string): Finding[] {
  const findings: Finding[] = [];
  csstree.parse(text, {
    positions: true,
    filename: rel,
    onParseError: (e) => {
      const err = e as csstree.SyntaxParseError;
      findings.push({ file: rel, line: err.line, message: err.message, tool: 'css-tree' });
    },
  });
  // CSS auto-closes blocks left open at the end of the file, so css-tree does not report them; a missing
  // `}` is still a real defect. Count braces over tokens (strings and comments are single tokens).
  let depth = 0;
  let openedAt = 0;
  csstree.tokenize(text, (type, start) => {
    if (type === csstree.tokenTypes.LeftCurlyBracket && depth++ === 0) openedAt = start;
    else if (type === csstree.tokenTypes.RightCurlyBracket && depth > 0) depth--;
  });
  if (depth > 0) findings.push({ file: rel, line: lineOfOffset(text, openedAt), message: `${depth} block(s) not closed: "}" is expected`, tool: 'css-tree' });
  return findings;
}

export async function checkHtmlText(text: string, rel: string): Promise<Finding[]> {
  const validator = new HtmlValidate(new StaticConfigLoader(HTML_VALIDATE_CONFIG));
  const report = await validator.validateString(text, rel);
  return report.results.flatMap((r) =>
    r.messages.filter((m) => m.severity === 2).map((m) => ({ file: rel, line: m.line, message: `${m.message} (${m.ruleId})`, tool: 'html-validate' })),
  );
}

export const checkJson = (files: string[], hostPath: HostPath): Promise<CheckResult> => runInProcess('json', 'json', files, hostPath, checkJsonText);
export const checkCss = (files: string[], hostPath: HostPath): Promise<CheckResult> => runInProcess('css-tree', 'css-tree', files, hostPath, checkCssText);
export const checkHtml = (files: string[], hostPath: HostPath): Promise<CheckResult> => runInProcess('html-validate', 'html-validate', files, hostPath, checkHtmlText);
