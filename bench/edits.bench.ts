/**
 * Agent edits: what changing one function of a real file costs, and how the edit tool holds up.
 *
 * Edit cost: seven files of 500-3,800 lines from two public repositories, vendored with their licences in
 * bench/fixtures/edit-cost/ (click, BSD-3-Clause; express, MIT). For each file one function is changed (a
 * local renamed, a line added, a condition widened) and a scripted model makes that change through the real
 * engine (startRun, the agent loop, the tools, staging, the journal) against the loopback fake server,
 * twice: with `edit_file` (the smallest unique old_string around the change, whole lines, as a model copies
 * them, and its new_string) and with `write_file` (the whole new file). Output tokens are what the fake
 * server reports for the answer: a quarter of the characters of the tool call's JSON arguments as they go
 * over the wire (the same estimate the issue's figures use). The smallest exact search/replace of the
 * function is the bare old and new text of that edit, estimated the same way. Each applied file is compared
 * byte for byte with the expected one.
 *
 * Edit robustness: every case of the shared edit table (test/fixtures/editCases.ts) through the `edit_file`
 * tool on a real staging layer: it applies to exactly the expected bytes, or fails with the expected reason
 * and stages nothing; the workspace file is never touched.
 *
 * Run: `npm run bench -- --only edits` (or `node --import tsx bench/edits.bench.ts --print`).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createModel } from '../src/core/models/create';
import { validatePlan } from '../src/core/plan';
import type { RunEvent } from '../src/core/run/events';
import { RunJournal } from '../src/core/run/journal';
import { startRun } from '../src/core/run/runEngine';
import { StagingArea } from '../src/core/run/staging';
import { AGENT_TOOLS } from '../src/core/run/tools';
import { EDIT_CASES, type EditCase } from '../test/fixtures/editCases';
import { FakeModelServer } from '../test/fixtures/fake-servers';

const FIXTURES = path.join(__dirname, 'fixtures', 'edit-cost');

/** The fake server's estimate: a quarter of the characters, rounded up. */
const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

interface CostCase {
  /** Path under bench/fixtures/edit-cost/ (and in the scratch workspace). */
  file: string;
  fn: string;
  change: string;
  /** The function's text starts at this (unique) line... */
  from: string;
  /** ...and ends before the first line after it that starts with this. */
  until: string;
  edit: (fn: string) => string;
}

const rename = (from: string, to: string) => (fn: string): string => fn.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
const replaceOnce = (a: string, b: string) => (fn: string): string => {
  if (fn.split(a).length !== 2) throw new Error(`"${a}" is not unique in the function`);
  return fn.replace(a, () => b);
};

const CASES: CostCase[] = [
  { file: 'click/core.py', fn: 'Command.format_usage', change: 'rename a local', from: '    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:', until: '    def ', edit: rename('pieces', 'usage_pieces') },
  { file: 'click/types.py', fn: 'Choice.convert', change: 'rename a local', from: '        For a given value from the parser, normalize it and find its', until: '    def ', edit: rename('normed_value', 'wanted') },
  { file: 'click/termui.py', fn: 'confirm', change: 'widen a condition', from: 'def confirm(', until: 'def ', edit: replaceOnce('if value in ("y", "yes"):', 'if value in ("y", "yes", "true"):') },
  { file: 'click/decorators.py', fn: 'version_option', change: 'rename a local', from: '        if version is None and package_name is not None:', until: '        if version is None:', edit: rename('distributions', 'dists') },
  { file: 'express/response.js', fn: 'res.redirect', change: 'rename a local', from: 'res.redirect = function redirect(url) {', until: '};', edit: rename('address', 'target') },
  { file: 'express/application.js', fn: 'app.render', change: 'add a line', from: 'app.render = function render(name, options, callback) {', until: '};', edit: replaceOnce("  var opts = options || {};\n", "  var opts = options || {};\n  debug('render %s', name);\n") },
  { file: 'express/request.js', fn: 'req.range', change: 'rename a local', from: 'req.range = function range(size, options) {', until: '};', edit: rename('range', 'header') },
];

/** The file with the case's function changed. */
function expected(text: string, c: CostCase): string {
  const start = text.indexOf(`${c.from}\n`);
  if (start < 0 || text.indexOf(`${c.from}\n`, start + 1) >= 0) throw new Error(`${c.file}: the start of ${c.fn} is not unique`);
  const body = start + c.from.length + 1;
  let end = text.indexOf(`\n${c.until}`, body);
  end = end < 0 ? text.length : end + 1 + (c.until === '};' ? 3 : 0);
  // The change applies to the function's body (its first line, with the function's name, stays).
  const after = c.edit(text.slice(body, end));
  if (after === text.slice(body, end)) throw new Error(`${c.file}: the change of ${c.fn} changed nothing`);
  return text.slice(0, body) + after + text.slice(end);
}

const occurrences = (text: string, needle: string): number => text.split(needle).length - 1;

/**
 * The smallest search/replace a model would send: the changed lines, grown a line at a time (below, then
 * above) until the old text has a non-blank line and occurs exactly once in the file.
 */
function smallestEdit(before: string, after: string): { old_string: string; new_string: string } {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  let lo = head;
  let hiA = a.length - tail;
  let hiB = b.length - tail;
  for (let step = 0; ; step++) {
    const old = a.slice(lo, hiA).join('\n');
    if (old.trim() !== '' && occurrences(before, old) === 1) break;
    if ((step % 2 === 0 || lo === 0) && hiA < a.length) {
      hiA++;
      hiB++;
    } else if (lo > 0) {
      lo--;
    } else {
      throw new Error('no unique edit');
    }
  }
  return { old_string: a.slice(lo, hiA).join('\n'), new_string: b.slice(lo, hiB).join('\n') };
}

interface Measured {
  outputTokens: number;
  exact: boolean;
}

/** One scripted task through the real engine: the given tool call, then finish. */
async function throughEngine(server: FakeModelServer, rel: string, original: string, want: string, call: { name: string; arguments: unknown }): Promise<Measured> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'af-bench-edit-ws-'));
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'af-bench-edit-state-'));
  try {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), original);
    const checked = validatePlan({ goal: 'change one function', tasks: [{ id: 'edit', title: 'Change one function', objective: 'change it', role: 'developer', files: [rel] }] });
    if (!checked.ok) throw new Error(`the benchmark's plan is invalid: ${checked.errors.map((e) => e.message).join('; ')}`);
    const plan = checked.plan;
    server.enqueue(
      { kind: 'message', toolCalls: [{ id: 'call_1', ...call }] },
      { kind: 'message', toolCalls: [{ id: 'call_2', name: 'finish', arguments: { summary: 'done' } }] },
    );
    const model = createModel({ provider: 'openai-compatible', model: 'bench-model', baseUrl: server.baseUrlFor('openai-compatible'), apiKey: 'sk-bench', env: {}, stream: false });
    const usage: number[] = [];
    const out = await startRun({ dir, stateDir, plan, model, onEvent: (e: RunEvent) => { if (e.type === 'usage' && e.taskId === 'edit') usage.push(e.outputTokens); } });
    const patch = await (await RunJournal.open(stateDir, out.runId)).loadPatch('edit');
    const staged = patch?.files.find((f) => f.path === rel)?.after;
    return { outputTokens: usage[0] ?? NaN, exact: out.exitCode === 0 && staged === want && readFileSync(path.join(dir, rel), 'utf8') === original };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number, d = 2): string => x.toFixed(d);

async function editCost(): Promise<string> {
  const server = await FakeModelServer.start();
  const rows: string[] = [];
  const editRatios: number[] = [];
  const wholeRatios: number[] = [];
  let allExact = true;
  try {
    for (const c of CASES) {
      const original = readFileSync(path.join(FIXTURES, c.file), 'utf8');
      const want = expected(original, c);
      const sr = smallestEdit(original, want);
      const baseline = tokens(sr.old_string + sr.new_string);
      const edit = await throughEngine(server, c.file, original, want, { name: 'edit_file', arguments: { path: c.file, edits: [sr] } });
      const whole = await throughEngine(server, c.file, original, want, { name: 'write_file', arguments: { path: c.file, content: want } });
      allExact &&= edit.exact && whole.exact;
      editRatios.push(edit.outputTokens / baseline);
      wholeRatios.push(whole.outputTokens / edit.outputTokens);
      const lines = original.split('\n').length - (original.endsWith('\n') ? 1 : 0);
      rows.push(`| ${c.file} | ${lines} | \`${c.fn}\` (${c.change}) | ${sr.old_string.split('\n').length} | ${baseline} | ${edit.outputTokens} | ${whole.outputTokens} | ${fmt(edit.outputTokens / baseline)} | ${fmt(whole.outputTokens / edit.outputTokens, 1)} | ${edit.exact && whole.exact ? 'yes' : '**no**'} |`);
    }
  } finally {
    await server.close();
  }
  const medEdit = median(editRatios);
  const medWhole = median(wholeRatios);
  return [
    '### Edit cost: one function of a real file, edit_file against write_file',
    '',
    '| file | lines | function (change) | old_string lines | smallest search/replace (tokens) | edit_file (output tokens) | write_file (output tokens) | edit / smallest | whole / edit | applied byte for byte |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    '| figure | median | target | met |',
    '| --- | ---: | --- | --- |',
    `| edit_file tokens / smallest exact search/replace | ${fmt(medEdit)} | ≤ 1.5 | ${medEdit <= 1.5 ? 'yes' : '**no**'} |`,
    `| write_file tokens / edit_file tokens | ${fmt(medWhole, 1)} | ≥ 10 | ${medWhole >= 10 ? 'yes' : '**no**'} |`,
    `| every change applied byte for byte (both tools) | ${allExact ? 'yes' : '**no**'} | yes | ${allExact ? 'yes' : '**no**'} |`,
    '',
    'Fixtures: click 2c8cd3ac (BSD-3-Clause, bench/fixtures/edit-cost/click/LICENSE.txt) and express a3714473 (MIT,',
    'bench/fixtures/edit-cost/express/LICENSE). The edit_file figure is the whole answer the engine booked for that turn',
    '(path, the edits list and JSON escaping included); the smallest search/replace is the bare old and new text.',
  ].join('\n');
}

type Outcome = 'applied exactly' | 'applied, trailing whitespace tolerated' | 'applied, indentation tolerated' | 'refused: ambiguous' | 'refused: not found' | 'refused: empty old_string' | 'refused: no change' | 'refused: whitespace only';

/** What a case expects, for the report's grouping. */
function expectedOutcome(c: EditCase): Outcome {
  if ('want' in c) return !c.note ? 'applied exactly' : /indentation/.test(c.note.source) ? 'applied, indentation tolerated' : 'applied, trailing whitespace tolerated';
  const src = c.error.source;
  if (/matches/.test(src)) return 'refused: ambiguous';
  if (/empty/.test(src)) return 'refused: empty old_string';
  if (/changes nothing/.test(src)) return 'refused: no change';
  if (/only whitespace/.test(src)) return 'refused: whitespace only';
  return 'refused: not found';
}

async function robustness(): Promise<string> {
  const tool = AGENT_TOOLS.get('edit_file');
  if (!tool) throw new Error('no edit_file tool');
  const groups = new Map<Outcome, { cases: number; pass: number; failed: string[] }>();
  let corrupted = 0;
  for (const c of EDIT_CASES) {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'af-bench-edit-case-'));
    try {
      writeFileSync(path.join(ws, 'f.txt'), c.file);
      const layer = new StagingArea(ws).openLayer('t', ['f.txt'], []);
      const out = await tool.execute(tool.schema.parse({ path: 'f.txt', edits: c.edits }), { layer, emit: () => undefined, signal: new AbortController().signal });
      const staged = layer.own.get('f.txt');
      const untouched = readFileSync(path.join(ws, 'f.txt'), 'utf8') === c.file;
      let pass: boolean;
      if ('want' in c) pass = !out.isError && staged === c.want && untouched && (c.note ? /\nnote: /.test(out.content) : !/\nnote: /.test(out.content));
      else pass = out.isError && c.error.test(out.content) && staged === undefined && untouched;
      // Corrupt: the file (staged or on disk) holds anything but the original or the expected text.
      if (!untouched || (staged !== undefined && staged !== ('want' in c ? c.want : c.file))) corrupted++;
      const g = groups.get(expectedOutcome(c)) ?? { cases: 0, pass: 0, failed: [] };
      g.cases++;
      if (pass) g.pass++;
      else g.failed.push(c.name);
      groups.set(expectedOutcome(c), g);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  }
  const total = [...groups.values()].reduce((n, g) => n + g.pass, 0);
  return [
    `### Edit robustness: ${EDIT_CASES.length} scripted cases through the edit_file tool`,
    '',
    '| expected outcome | cases | as expected |',
    '| --- | ---: | ---: |',
    ...[...groups.entries()].map(([k, g]) => `| ${k} | ${g.cases} | ${g.pass}${g.failed.length ? ` (not: ${g.failed.join('; ')})` : ''} |`),
    `| **all** | ${EDIT_CASES.length} | ${total} |`,
    '',
    `Files corrupted (staged or on disk, anything but the original or the expected text): ${corrupted}.`,
    'Cases: unique, ambiguous, missing, whitespace drift, tabs, CRLF, BOM, unicode, start and end of file, several edits in',
    'one call, an edit after an earlier one, all-or-none on a later failure (test/fixtures/editCases.ts, shared with',
    'test/unit/run/editMatch.test.ts).',
  ].join('\n');
}

export default async function run(): Promise<{ title: string; markdown: string }> {
  return { title: 'Agent edits: cost against whole-file writes, and robustness', markdown: `${await editCost()}\n\n${await robustness()}` };
}

if (process.argv.includes('--print')) {
  void run().then((s) => process.stdout.write(`${s.markdown}\n`));
}
