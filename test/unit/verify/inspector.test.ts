/** The inspector against an in-process fake of the Model port, and the engine hook built on it. */
import assert from 'node:assert/strict';
import type { ChatMessage, Model, ModelRequest, ModelResult } from '../../../src/core/models/types';
import { isStructuredAnswerError } from '../../../src/core/models/errors';
import type { StagedView } from '../../../src/core/run/staging';
import { createVerifyHook, inspectTask, inspectorMessages, type VerifyResult } from '../../../src/core/verify';
import { makeWorkspace, rmrf } from './helpers';

/** A scripted model: each call returns the next answer (raw tool-call arguments) and records the request. */
class FakeModel implements Model {
  readonly provider = 'openai' as const;
  readonly name = 'fake-inspector';
  readonly requests: ModelRequest[] = [];
  constructor(private readonly answers: Array<string | { text: string }>) {}
  async call(request: ModelRequest): Promise<ModelResult> {
    this.requests.push(request);
    const a = this.answers.shift();
    if (a === undefined) throw new Error('no scripted answer left');
    const usage = { inputTokens: 100, outputTokens: 10 };
    if (typeof a !== 'string') return { text: a.text, toolCalls: [], usage, stopReason: 'stop', model: this.name };
    let args: unknown;
    try {
      args = JSON.parse(a);
    } catch {
      args = undefined;
    }
    return { text: '', toolCalls: [{ id: `call_${this.requests.length}`, name: 'submit_verdict', arguments: args, rawArguments: a }], usage, stopReason: 'tool_calls', model: this.name };
  }
}

const task = {
  id: 'board',
  title: 'Board model',
  objective: 'A 15x15 gobang board that detects five in a row.',
  acceptance: ['15x15 board', 'detects five in a row'],
  files: ['gobang/board.py', 'gobang/old.py'],
};
const tools: VerifyResult = {
  outcome: 'passed',
  checks: [{ id: 'python:py_compile', tool: 'python3', files: ['gobang/board.py'], outcome: 'passed', exitCode: 0, durationMs: 40, findings: [], output: '' }],
};
const userText = (m: ChatMessage[]): string => {
  const u = m.find((x) => x.role === 'user');
  assert.ok(u && u.role === 'user');
  return u.content;
};

describe('verify: inspector', () => {
  it('opens with "Task <id>: <title>", then objective, criteria, tool results and the files', async () => {
    const model = new FakeModel(['{"pass": true, "reasons": ["both criteria met"]}']);
    const files = [
      { path: 'gobang/board.py', content: 'SIZE = 15\n' },
      { path: 'gobang/old.py', content: null },
    ];
    const r = await inspectTask({ model, task, tools, files });
    assert.deepEqual([r.pass, r.reasons, r.repaired, r.usage], [true, ['both criteria met'], false, { inputTokens: 100, outputTokens: 10 }]);
    const req = model.requests[0]!;
    assert.deepEqual(req.tools?.map((t) => t.name), ['submit_verdict']);
    assert.deepEqual(req.toolChoice, { name: 'submit_verdict' });
    const text = userText(req.messages);
    const lines = text.split('\n');
    assert.equal(lines[0], 'Task board: Board model');
    const order = ['Objective: A 15x15 gobang board', '1. 15x15 board', '2. detects five in a row', 'python:py_compile (python3) on gobang/board.py: passed', '=== gobang/board.py ===\nSIZE = 15', '=== gobang/old.py (deleted) ==='];
    let at = 0;
    for (const part of order) {
      const i = text.indexOf(part, at);
      assert.ok(i >= at, `missing or out of order: ${part}`);
      at = i;
    }
  });

  it('a failing verdict returns its reasons; an empty reason list still explains itself', async () => {
    const r = await inspectTask({ model: new FakeModel(['{"pass": false, "reasons": ["no win detection", "  "]}']), task, tools, files: [] });
    assert.deepEqual([r.pass, r.reasons], [false, ['no win detection']]);
    const r2 = await inspectTask({ model: new FakeModel(['{"pass": false, "reasons": []}']), task, tools, files: [] });
    assert.equal(r2.reasons.length, 1);
  });

  it('an invalid answer gets one repair round; a second invalid answer is a StructuredAnswerError', async () => {
    const model = new FakeModel([{ text: 'Looks good to me!' }, '{"pass": true, "reasons": ["ok"]}']);
    const r = await inspectTask({ model, task, tools, files: [] });
    assert.deepEqual([r.pass, r.repaired, r.usage.inputTokens], [true, true, 200]);
    assert.match(userText(model.requests[1]!.messages.slice(-1)), /invalid/);
    await assert.rejects(inspectTask({ model: new FakeModel(['{"pass": "yes"}', '{"reasons": []}']), task, tools, files: [] }), (e: unknown) => isStructuredAnswerError(e) && e.step === 'inspector');
  });

  it('file content is bounded per file and in total', () => {
    const big = 'x'.repeat(50_000);
    const files = [1, 2, 3, 4].map((i) => ({ path: `f${i}.py`, content: big }));
    const text = userText(inspectorMessages({ task, tools, files, limits: { maxFileChars: 1000, maxTotalChars: 2500 } }));
    assert.equal((text.match(/more characters of f\d\.py not shown/g) ?? []).length, 3);
    assert.match(text, /=== f4\.py === \[not shown: the message is full\]/);
    assert.ok(text.length < 5000);
  });
});

describe('verify: the engine hook (tools, then the inspector)', function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => {
    dir = await makeWorkspace({ 'gobang/board.py': 'SIZE = 15\n' });
  });
  after(() => rmrf(dir));

  const view = (changes: Map<string, string | null>): StagedView => ({
    root: dir,
    taskId: 'board',
    own: changes,
    changes,
    readFile: async (p) => (changes.has(p) ? (changes.get(p) ?? undefined) : p === 'gobang/board.py' ? 'SIZE = 15\n' : undefined),
    listFiles: async () => [],
  });
  const ctx = { runId: 'r1', signal: new AbortController().signal };

  it('tools pass, then the inspector decides; its reasons become findings', async () => {
    const model = new FakeModel(['{"pass": false, "reasons": ["no win detection"]}']);
    const seen: string[] = [];
    const hook = createVerifyHook({ inspector: model, onResult: (id, t, v) => seen.push(`${id}:${t.outcome}:${v?.pass}`) });
    const r = await hook({ ...task, role: 'developer', deps: [] }, view(new Map([['gobang/old.py', null]])), ctx);
    assert.deepEqual(r, { outcome: 'failed', findings: [{ message: 'no win detection', tool: 'inspector' }] });
    assert.deepEqual(seen, ['board:passed:false']);
    assert.match(userText(model.requests[0]!.messages), /=== gobang\/board\.py ===\nSIZE = 15/);
  });

  it('a failing tool result never reaches the inspector', async () => {
    const model = new FakeModel([]);
    const hook = createVerifyHook({ inspector: model });
    const r = await hook({ ...task, role: 'developer', deps: [] }, view(new Map([['gobang/board.py', 'def (:\n']])), ctx);
    assert.equal(r.outcome, 'failed');
    assert.equal(r.findings[0]?.file, 'gobang/board.py');
    assert.equal(model.requests.length, 0);
  });
});
