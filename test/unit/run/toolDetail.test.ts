/**
 * What a tool call shows in the views and the event log: its summary line and, for edits and writes, a
 * unified diff, forwarded by the engine within a bound (a large rewrite does not put the whole file into
 * every event and the journal).
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validPlan } from '../plan/helpers';
import type { RunEvent, RunEventOf } from '../../../src/core/run/events';
import { startRun } from '../../../src/core/run';
import { StagingArea } from '../../../src/core/run/staging';
import { AGENT_TOOLS, type ToolEvent } from '../../../src/core/run/tools';
import { boundedToolDetail, TOOL_DIFF_MAX_CHARS, TOOL_DIFF_MAX_LINES, unifiedDiff } from '../../../src/core/run/tools/toolDiff';
import { FakeModel } from './fakeModel';
import { tempDirs } from './tmp';

const lines = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => `${f(i + 1)}\n`).join('');

describe('run/tools: summaries and diffs of tool calls', () => {
  const tmp = tempDirs();
  afterEach(() => tmp.cleanup());

  async function run(ws: string, name: string, args: unknown, owned: string[]) {
    const layer = new StagingArea(ws).openLayer('t1', owned, []);
    const events: ToolEvent[] = [];
    const t = AGENT_TOOLS.get(name);
    assert.ok(t);
    const first = await t.execute(t.schema.parse(args), { layer, emit: (e) => events.push(e), signal: new AbortController().signal });
    return { first, events, layer, again: async (n: string, a: unknown) => { const u = AGENT_TOOLS.get(n); assert.ok(u); events.length = 0; return u.execute(u.schema.parse(a), { layer, emit: (e) => events.push(e), signal: new AbortController().signal }); } };
  }

  it('write_file of a new file says "new file, N lines"; a second write shows its diff against the previous view', async () => {
    const ws = tmp.make('af-td-');
    const r = await run(ws, 'write_file', { path: 'a.py', content: 'x = 1\ny = 2\nz = 3\n' }, ['a.py']);
    assert.equal(r.first.isError, false);
    const tool = r.events.find((e) => e.type === 'tool');
    assert.deepEqual(tool, { type: 'tool', tool: 'write_file', path: 'a.py', ok: true, summary: 'write a.py (new file, 3 lines)' });
    await r.again('write_file', { path: 'a.py', content: 'x = 1\ny = 20\nz = 3\n' });
    const second = r.events.find((e) => e.type === 'tool');
    assert.equal(second?.type === 'tool' && second.summary, 'write a.py (+1 −1)');
    assert.match(second?.type === 'tool' ? second.diff ?? '' : '', /^--- a\/a\.py\n\+\+\+ b\/a\.py\n@@ -1,3 \+1,3 @@\n x = 1\n-y = 2\n\+y = 20\n z = 3\n$/);
  });

  it('write_file over a workspace file diffs against it; read_file of a whole file names its line count', async () => {
    const ws = tmp.make('af-td-');
    writeFileSync(path.join(ws, 'b.txt'), lines(10, (i) => `line ${i}`));
    const r = await run(ws, 'read_file', { path: 'b.txt' }, ['b.txt']);
    assert.equal(r.events.find((e) => e.type === 'tool')?.type === 'tool' && (r.events[0] as Extract<ToolEvent, { type: 'tool' }>).summary, 'read b.txt (10 lines)');
    await r.again('write_file', { path: 'b.txt', content: lines(10, (i) => (i === 5 ? 'five' : `line ${i}`)) });
    const w = r.events.find((e) => e.type === 'tool');
    assert.ok(w?.type === 'tool');
    assert.equal(w.summary, 'write b.txt (+1 −1)');
    assert.match(w.diff ?? '', /@@ -3,5 \+3,5 @@\n line 3\n line 4\n-line 5\n\+five\n line 6\n line 7\n$/);
  });

  it('diffs a small change of a large file as a small diff with true line numbers; a rewrite of every line is not diffed', () => {
    const before = lines(4000, (i) => `line ${i % 10}`);
    const after = before.replace('line 0\nline 1\nline 2\n', 'line 0\nline one\nline 2\n');
    assert.equal(unifiedDiff('f', before, after), '--- a/f\n+++ b/f\n@@ -9,5 +9,5 @@\n line 9\n line 0\n-line 1\n+line one\n line 2\n line 3\n');
    assert.equal(unifiedDiff('f', before, before.replace(/line/g, 'row')), undefined);
  });

  it('bounds a diff at the line cap, at a line boundary, and counts what it left out', () => {
    const diff = `--- a/x\n+++ b/x\n@@ -1,500 +1,500 @@\n${lines(500, (i) => `-old ${i}`)}`;
    const b = boundedToolDetail({ summary: 'edit x', diff });
    assert.equal(b.diff?.split('\n').length, TOOL_DIFF_MAX_LINES + 1, 'the kept lines and a final newline');
    assert.equal(b.diffOmitted, 503 - TOOL_DIFF_MAX_LINES);
    assert.ok(b.diff?.endsWith('-old 197\n'));
  });

  it('bounds a diff of long lines at the character cap; a single huge line is cut, not dropped', () => {
    const long = 'y'.repeat(3000);
    const b = boundedToolDetail({ diff: `@@ -1,20 +1,20 @@\n${lines(20, () => `+${long}`)}` });
    assert.ok((b.diff?.length ?? 0) <= TOOL_DIFF_MAX_CHARS, `${b.diff?.length}`);
    assert.equal(b.diffOmitted, 21 - (b.diff?.split('\n').length ?? 0) + 1);
    const huge = boundedToolDetail({ diff: `+${'z'.repeat(100_000)}\n` });
    assert.equal(huge.diff?.length, TOOL_DIFF_MAX_CHARS + 1);
    assert.equal(huge.diffOmitted, undefined);
    assert.equal(boundedToolDetail({ summary: 's'.repeat(1000) }).summary?.length, 300);
  });

  it('the engine forwards summary and diff on agent.tool, bounded, to the listeners and the event log', async () => {
    const dir = tmp.make('af-ws-');
    const stateDir = tmp.make('af-state-');
    const big = lines(1000, (i) => `value_${i} = ${i}${i % 7 === 0 ? '  # mark' : ''}`);
    writeFileSync(path.join(dir, 'big.py'), big);
    writeFileSync(path.join(dir, 'small.py'), 'def f():\n    return 1\n');
    const plan = validPlan({ goal: 'g', tasks: [{ id: 't', title: 'T', objective: 'o', role: 'developer', files: ['big.py', 'small.py'] }] });
    const model = new FakeModel((turn) => {
      if (turn === 1) {
        return {
          calls: [
            { name: 'search', args: { pattern: 'return 1' } },
            { name: 'edit_file', args: { path: 'small.py', edits: [{ old_string: '    return 1', new_string: '    return 2' }] } },
            // One line in seven of the big file changes: its diff is cut at the cap.
            { name: 'edit_file', args: { path: 'big.py', edits: [{ old_string: '# mark', new_string: '# MARK', replace_all: true }] } },
          ],
        };
      }
      return { calls: [{ name: 'finish', args: { summary: 'done' } }] };
    });
    const events: RunEvent[] = [];
    const out = await startRun({ dir, stateDir, plan, model, onEvent: (e) => events.push(e) });
    assert.equal(out.exitCode, 0);
    const tools = events.filter((e): e is RunEventOf<'agent.tool'> => e.type === 'agent.tool');
    assert.deepEqual(tools.map((t) => t.summary), ['search "return 1" → 1 match', 'edit small.py (+1 −1)', 'edit big.py (+142 −142)', 'finish']);
    assert.match(tools[1].diff ?? '', /^--- a\/small\.py\n\+\+\+ b\/small\.py\n@@ -1,2 \+1,2 @@\n def f\(\):\n- {4}return 1\n\+ {4}return 2\n$/);
    assert.equal(tools[1].diffOmitted, undefined);
    assert.equal(tools[2].diff?.split('\n').length, TOOL_DIFF_MAX_LINES + 1);
    assert.equal(tools[2].diffOmitted, 2 + 142 * 7 - TOOL_DIFF_MAX_LINES, 'two header lines and 142 hunks of 7 lines, less the lines kept');
    // The event log holds the same bounded events.
    const logged = readFileSync(path.join(stateDir, 'runs', out.runId, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    const loggedTools = logged.filter((e): e is RunEventOf<'agent.tool'> => e.type === 'agent.tool');
    assert.deepEqual(loggedTools.map((t) => [t.summary, t.diff, t.diffOmitted]), tools.map((t) => [t.summary, t.diff, t.diffOmitted]));
    assert.ok(Math.max(...logged.map((e) => JSON.stringify(e).length)) < 2 * TOOL_DIFF_MAX_CHARS, 'no logged event carries the whole file');
  });
});
