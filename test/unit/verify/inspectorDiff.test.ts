/**
 * The inspector judges the task's change: a diff with context around each changed region, plus the whole file
 * when it is small; a large file is never cut to its head (the change may be at its end).
 */
import assert from 'node:assert/strict';
import { StagingArea } from '../../../src/core/run/staging';
import { changeHunks, createVerifyHook, inspectorMessages } from '../../../src/core/verify';
import { reply, type FakeModelServer, type RecordedRequest } from '../../fixtures/fake-servers';
import { modelFor, useFakeServer } from '../models/helpers';
import { makeWorkspace, rmrf } from './helpers';

const lines = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => `line ${i + 1} of ${tag}: some ordinary text to pad the file out`).join('\n') + '\n';
const task = { id: 'notes', title: 'Notes', objective: 'Append the closing note.', acceptance: ['the file ends with the closing note'], files: ['big.txt'] };
const userText = (text: { role: string; content: unknown }[]): string => {
  const u = text.find((m) => m.role === 'user');
  return typeof u?.content === 'string' ? u.content : '';
};

describe('verify: the inspector sees the change', () => {
  const big = lines(400, 'big');
  const changed = big.replace('line 399 of big:', 'line 399 of big: THE CLOSING NOTE;');

  it('a file larger than 12,000 characters changed at its end: the changed region with 20 lines around it, not the head', () => {
    assert.ok(big.length > 12_000);
    const text = userText(inspectorMessages({ task, files: [{ path: 'big.txt', content: changed, before: big }] }));
    assert.match(text, /\+line 399 of big: THE CLOSING NOTE;/);
    assert.match(text, /-line 399 of big: some/);
    assert.match(text, / line 379 of big:/, 'twenty lines of context before the change');
    assert.doesNotMatch(text, /line 378 of big:/);
    assert.doesNotMatch(text, /line 1 of big:/, 'not the head of the file');
    assert.doesNotMatch(text, /The whole file/);
  });

  it('a small file: its diff and the whole file; a new file is shown whole as new', () => {
    const before = 'a = 1\nb = 2\n';
    const text = userText(inspectorMessages({ task, files: [{ path: 's.py', content: 'a = 1\nb = 3\n', before }, { path: 'n.py', content: 'x = 1\n', before: null }] }));
    assert.match(text, /=== s\.py \(changed; 12 characters\) ===[\s\S]*-b = 2\n\+b = 3[\s\S]*The whole file after the change:\na = 1\nb = 3/);
    assert.match(text, /=== n\.py \(new file\) ===\nx = 1/);
  });

  it('a diff over its cap keeps whole hunks and counts the rest', () => {
    const before = lines(300, 'h');
    const after = before.replace('line 10 of h:', 'CHANGED 10').replace('line 150 of h:', 'CHANGED 150').replace('line 290 of h:', 'CHANGED 290');
    const shown = changeHunks(before, after, 2, 700);
    assert.match(shown, /\+CHANGED 10/);
    assert.match(shown, /\+CHANGED 150/);
    assert.doesNotMatch(shown, /CHANGED 290/);
    assert.match(shown, /1 more changed region not shown/);
  });

  describe('through the engine hook and a real staging layer', function () {
    this.timeout(30_000);
    let server: FakeModelServer;
    useFakeServer((s) => (server = s));
    let dir: string;
    before(async () => {
      dir = await makeWorkspace({ 'big.txt': big });
    });
    after(() => rmrf(dir));

    it('the request the fake server receives holds the changed region at the end of a large file', async () => {
      const layer = new StagingArea(dir).openLayer('notes', ['big.txt'], []);
      const staged = await layer.stage('big.txt', changed);
      assert.ok(staged.ok);
      server.setHandler(() => reply.tool('submit_verdict', { pass: true, reasons: ['ends with the note'] }));
      const hook = createVerifyHook({ inspector: modelFor(server, 'openai', false).model });
      const r = await hook({ ...task, role: 'writer', deps: [] }, layer, { runId: 'r1', signal: new AbortController().signal });
      assert.equal(r.outcome, 'passed');
      const req = server.requests.find((q: RecordedRequest) => q.forcedTool === 'submit_verdict');
      assert.ok(req, 'the inspector was asked');
      const text = userText((req.body as { messages: { role: string; content: unknown }[] }).messages);
      assert.match(text, /^Task notes: Notes/);
      assert.match(text, /\+line 399 of big: THE CLOSING NOTE;/);
      assert.doesNotMatch(text, /line 1 of big:/);
    });
  });
});
