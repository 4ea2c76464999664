/**
 * The agent's tools as a registry, and the tools that let an agent work inside a real repository: ranged
 * numbered reads, search, precise edits, and the handling of answers cut off at the output limit.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runAgent, type AgentEvent } from '../../../src/core/run/agent';
import { AGENT_SYSTEM_PROMPT } from '../../../src/core/run/agentPrompt';
import { StagingArea } from '../../../src/core/run/staging';
import { AGENT_TOOL_LIST, AGENT_TOOLS, type ToolEvent } from '../../../src/core/run/tools';
import type { ProviderId } from '../../../src/core/models/types';
import { PlanSchema } from '../../../src/core/plan/schema';
import { createCheckHook } from '../../../src/core/verify';
import { FakeModelServer, type FakeReply, type RecordedRequest } from '../../fixtures/fake-servers';
import { modelFor } from '../models/helpers';
import { tempDirs } from './tmp';

function calls(list: Array<{ name: string; arguments: unknown }>, extra: Partial<Extract<FakeReply, { kind: 'message' }>> = {}): FakeReply {
  return { kind: 'message', toolCalls: list.map((c, i) => ({ id: `call_${i}`, ...c })), ...extra };
}

/** Runs one tool directly on a fresh layer of `ws`. */
async function tool(ws: string, name: string, args: unknown, owned: string[] = []) {
  const layer = new StagingArea(ws).openLayer('t1', owned, []);
  const events: ToolEvent[] = [];
  const t = AGENT_TOOLS.get(name);
  assert.ok(t, name);
  const out = await t.execute(t.schema.parse(args), { layer, emit: (e) => events.push(e), signal: new AbortController().signal });
  return { out, events, layer };
}

/** The text of every tool result the model was sent in `req`, whatever the wire format. */
function toolResultTexts(req: RecordedRequest): string[] {
  const messages = (req.body as { messages: Array<{ role: string; content?: unknown }> }).messages;
  const out: string[] = [];
  for (const m of messages) {
    if (m.role === 'tool') out.push(String(m.content));
    else if (Array.isArray(m.content)) for (const b of m.content as Array<{ type: string; content?: unknown }>) if (b.type === 'tool_result') out.push(typeof b.content === 'string' ? b.content : JSON.stringify(b.content));
  }
  return out;
}

function lastUserText(req: RecordedRequest): string {
  const messages = (req.body as { messages: Array<{ role: string; content?: unknown }> }).messages;
  const m = messages.filter((x) => x.role === 'user').at(-1);
  if (!m) return '';
  if (typeof m.content === 'string') return m.content;
  return (m.content as Array<{ type: string; text?: string }>).map((b) => b.text ?? '').join('');
}

describe('run/tools: the registry', () => {
  it('offers each tool once, by name, and the system prompt names every tool with its description', () => {
    const names = AGENT_TOOL_LIST.map((t) => t.name);
    assert.deepEqual([...names].sort(), ['delete_file', 'edit_file', 'finish', 'list_files', 'read_file', 'run_checks', 'search', 'write_file']);
    for (const t of AGENT_TOOL_LIST) {
      assert.equal(AGENT_TOOLS.get(t.name), t);
      assert.ok(AGENT_SYSTEM_PROMPT.includes(`- ${t.name}: ${t.description}`), t.name);
    }
    for (const evil of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) assert.equal(AGENT_TOOLS.get(evil), undefined);
  });
});

describe('run/tools: read_file, list_files, search', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  it('read_file returns numbered lines from offset for limit lines, with a note saying how to read on', async () => {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'a.py'), Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\r\n') + '\r\n');
    const { out, events } = await tool(ws, 'read_file', { path: 'a.py', offset: 10, limit: 3 });
    assert.equal(out.content, '    10\tline 10\n    11\tline 11\n    12\tline 12\n[read_file: showed lines 10-12 of 50; call read_file with offset 13 to read on]');
    assert.ok(events.some((e) => e.type === 'tool' && e.summary === 'read a.py:10-12'));
    const whole = await tool(ws, 'read_file', { path: 'a.py' });
    assert.equal(whole.out.content.split('\n').length, 50);
    const past = await tool(ws, 'read_file', { path: 'a.py', offset: 51 });
    assert.match(past.out.content, /^error: a\.py has 50 lines; offset 51 is past its end/);
    assert.throws(() => AGENT_TOOLS.get('read_file')?.schema.parse({ path: 'a.py', offset: 0 }));
  });

  it('read_file of a long file is cut at the line cap with a note', async () => {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'long.txt'), 'x\n'.repeat(5000));
    const { out } = await tool(ws, 'read_file', { path: 'long.txt' });
    assert.match(out.content, /\[read_file: showed lines 1-2000 of 5000; call read_file with offset 2001 to read on\]$/);
  });

  it('list_files filters by glob', async () => {
    const ws = tmp.make();
    mkdirSync(path.join(ws, 'src', 'sub'), { recursive: true });
    for (const f of ['src/a.ts', 'src/sub/b.ts', 'src/c.py', 'README.md']) writeFileSync(path.join(ws, f), '');
    const { out } = await tool(ws, 'list_files', { glob: '*.ts' });
    assert.equal(out.content, 'src/a.ts\nsrc/sub/b.ts');
    const under = await tool(ws, 'list_files', { dir: 'src', glob: 'src/sub/**' });
    assert.equal(under.out.content, 'src/sub/b.ts');
  });

  it('search finds literal and regex matches as path:line: text, in staged files too, never in secrets or skipped folders', async () => {
    const ws = tmp.make();
    mkdirSync(path.join(ws, 'src'));
    mkdirSync(path.join(ws, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(path.join(ws, 'src', 'app.py'), 'import os\n\ndef compute_total(items):\n    return sum(items)\n');
    writeFileSync(path.join(ws, 'src', 'util.py'), 'from app import compute_total\nCOMPUTE_TOTAL = 1\n');
    writeFileSync(path.join(ws, '.env'), 'compute_total=SECRET\n');
    mkdirSync(path.join(ws, 'conf', '.env.d'), { recursive: true });
    writeFileSync(path.join(ws, 'conf', '.env.d', 'x.txt'), 'compute_total SECRET\n');
    writeFileSync(path.join(ws, 'node_modules', 'dep', 'i.js'), 'compute_total\n');
    const { out, events, layer } = await tool(ws, 'search', { pattern: 'compute_total' }, ['src/new.py']);
    assert.equal(out.content, 'src/app.py:3: def compute_total(items):\nsrc/util.py:1: from app import compute_total');
    assert.ok(events.some((e) => e.type === 'tool' && e.summary === 'search "compute_total" → 2 matches in 2 files'));
    assert.ok(!out.content.includes('SECRET'));
    const ci = await tool(ws, 'search', { pattern: 'compute_total', caseSensitive: false, glob: 'util.py' });
    assert.equal(ci.out.content, 'src/util.py:1: from app import compute_total\nsrc/util.py:2: COMPUTE_TOTAL = 1');
    const re = await tool(ws, 'search', { pattern: '^def \\w+\\(', regex: true, path: 'src' });
    assert.equal(re.out.content, 'src/app.py:3: def compute_total(items):');
    const one = await tool(ws, 'search', { pattern: 'import', path: 'src/util.py' });
    assert.equal(one.out.content, 'src/util.py:1: from app import compute_total');
    // staged content is what the task sees
    const staged = await layer.stage('src/new.py', 'x = compute_total([1])\n');
    assert.ok(staged.ok);
    const t = AGENT_TOOLS.get('search');
    assert.ok(t);
    const seen = await t.execute(t.schema.parse({ pattern: 'compute_total([1])' }), { layer, emit: () => undefined, signal: new AbortController().signal });
    assert.equal(seen.content, 'src/new.py:1: x = compute_total([1])');
    const secret = await tool(ws, 'search', { pattern: 'SECRET', path: '.env' });
    assert.match(secret.out.content, /^error: .*secrets/);
  });

  it('search refuses a regex with nested quantifiers and caps matches with a note', async () => {
    const ws = tmp.make();
    writeFileSync(path.join(ws, 'many.txt'), 'hit\n'.repeat(500));
    const bad = await tool(ws, 'search', { pattern: '(a+)+$', regex: true });
    assert.match(bad.out.content, /^error: the pattern nests quantifiers/);
    const invalid = await tool(ws, 'search', { pattern: '(', regex: true });
    assert.match(invalid.out.content, /^error: invalid regular expression/);
    const { out } = await tool(ws, 'search', { pattern: 'hit' });
    const lines = out.content.split('\n');
    assert.equal(lines.length, 201);
    assert.match(lines[200], /^\[search: showed the first 200 matches; there are more/);
  });
});

describe('run/agent: a scripted agent on a repository (search, read, edit, run_checks, finish)', function () {
  this.timeout(20_000);
  const tmp = tempDirs();
  let server: FakeModelServer;
  before(async () => {
    server = await FakeModelServer.start();
  });
  after(() => server.close());
  afterEach(() => {
    server.reset();
    tmp.cleanup();
  });

  const ORIGINAL = [
    '"""Cart totals."""',
    '',
    '',
    'def subtotal(items):',
    '    total = 0',
    '    for item in items:',
    '        total += item.price',
    '    return total',
    '',
    '',
    'def tax(amount):',
    '    return amount * 0.2',
    '',
  ].join('\r\n');
  const EXPECTED = ORIGINAL.replace('        total += item.price', '        total += item.price * item.quantity');
  const TASK = PlanSchema.parse({ tasks: [{ id: 't1', title: 'Quantities', objective: 'subtotal counts quantities', files: ['shop/cart.py'] }] }).tasks[0];

  function repo(): string {
    const ws = tmp.make();
    mkdirSync(path.join(ws, 'shop'));
    writeFileSync(path.join(ws, 'shop', 'cart.py'), ORIGINAL);
    writeFileSync(path.join(ws, 'shop', '__init__.py'), 'from .cart import subtotal, tax\n');
    writeFileSync(path.join(ws, 'README.md'), '# shop\n');
    return ws;
  }

  for (const provider of ['openai-compatible', 'anthropic'] as ProviderId[]) {
    for (const stream of [false, true]) {
      it(`${provider}, ${stream ? 'streamed' : 'plain'}: the edited file equals the expected bytes, CRLF kept; run_checks reports the slip the agent then fixes`, async () => {
        const ws = repo();
        server.enqueue(
          calls([{ name: 'search', arguments: { pattern: 'def subtotal' } }]),
          calls([{ name: 'read_file', arguments: { path: 'shop/cart.py', offset: 4, limit: 5 } }]),
          // The model copies the lines with LF endings and without the numbers: the edit still applies to the
          // CRLF file. Its first try leaves a stray parenthesis, which python's own compiler reports.
          calls([{ name: 'edit_file', arguments: { path: 'shop/cart.py', edits: [{ old_string: '    for item in items:\n        total += item.price\n', new_string: '    for item in items:\n        total += item.price * item.quantity)\n' }] } }]),
          calls([{ name: 'run_checks', arguments: {} }]),
          calls([{ name: 'edit_file', arguments: { path: 'shop/cart.py', edits: [{ old_string: 'item.quantity)', new_string: 'item.quantity' }] } }]),
          calls([{ name: 'run_checks', arguments: {} }]),
          calls([{ name: 'finish', arguments: { summary: 'subtotal counts quantities' } }]),
        );
        const area = new StagingArea(ws);
        const layer = area.openLayer('t1', ['shop/cart.py'], []);
        const { model } = modelFor(server, provider, stream);
        const events: AgentEvent[] = [];
        // The real checks of verification (python3's py_compile here) on the real materialised view.
        const hook = createCheckHook({});
        const checks = { limit: 3, run: (signal: AbortSignal) => hook(TASK, layer, { runId: 'r1', signal }) };
        const result = await runAgent({ model, layer, firstMessage: 'Task t1: Quantities', signal: new AbortController().signal, maxTurns: 8, checks, onEvent: (e) => events.push(e) });
        assert.deepEqual(result, { ok: true, summary: 'subtotal counts quantities', turns: 7 });
        assert.equal(layer.own.get('shop/cart.py'), EXPECTED);
        const patch = await layer.seal('r1');
        assert.equal(patch.files.length, 1);
        assert.equal(patch.files[0].after, EXPECTED);
        assert.equal(readFileSync(path.join(ws, 'shop', 'cart.py'), 'utf8'), ORIGINAL, 'the workspace is untouched');
        const results = toolResultTexts(server.requests[6]);
        assert.equal(results[0], 'shop/cart.py:4: def subtotal(items):');
        assert.equal(results[1], '     4\tdef subtotal(items):\n     5\t    total = 0\n     6\t    for item in items:\n     7\t        total += item.price\n     8\t    return total\n[read_file: showed lines 4-8 of 12; call read_file with offset 9 to read on]');
        assert.match(results[2], /^ok: shop\/cart\.py edited \(1 edit, \+1 −1 lines/);
        assert.equal(results[3], "run_checks (1 of 3 this attempt): 1 problem found (checks run: python:py_compile). Fix them, then run the checks again or finish:\nshop/cart.py:7: SyntaxError: unmatched ')' (python3)");
        assert.match(results[4], /^ok: shop\/cart\.py edited/);
        assert.equal(results[5], 'run_checks (2 of 3 this attempt): no problems found (checks run: python:py_compile).');
        const summaries = events.flatMap((e) => (e.type === 'tool' && e.summary ? [e.summary] : []));
        assert.deepEqual(summaries, ['search "def subtotal" → 1 match', 'read shop/cart.py:4-8', 'edit shop/cart.py (+1 −1)', 'run_checks: 1 problem in shop/cart.py', 'edit shop/cart.py (+1 −1)', 'run_checks: no problems', 'finish']);
        const edit = events.find((e) => e.type === 'tool' && e.tool === 'edit_file');
        assert.ok(edit?.type === 'tool' && edit.diff?.includes('+        total += item.price * item.quantity'));
      });

      it(`${provider}, ${stream ? 'streamed' : 'plain'}: a write_file cut off at the output limit is never staged, and the model is told`, async () => {
        const ws = repo();
        server.enqueue(
          calls([{ name: 'write_file', arguments: { path: 'shop/cart.py', content: 'def subtotal(items):\n    ret' } }], { stop: 'length', usage: { input: 100, output: 4096 } }),
          calls([{ name: 'finish', arguments: { summary: 'gave up' } }]),
        );
        const layer = new StagingArea(ws).openLayer('t1', ['shop/cart.py'], []);
        const { model } = modelFor(server, provider, stream);
        const events: AgentEvent[] = [];
        const result = await runAgent({ model, layer, firstMessage: 'Task t1: Quantities', signal: new AbortController().signal, maxTurns: 4, onEvent: (e) => events.push(e) });
        assert.equal(result.ok, true);
        assert.equal(layer.own.size, 0, 'nothing staged');
        assert.equal((await layer.seal('r1')).files.length, 0);
        assert.match(lastUserText(server.requests[1]), /^Your previous answer was cut off at 4096 tokens \(the output limit\)\. Its tool calls \(write_file\) were NOT executed\. .*edit_file/);
        assert.ok(events.some((e) => e.type === 'tool' && e.tool === 'write_file' && !e.ok && /cut off/.test(e.error ?? '')));
      });
    }
  }
});
