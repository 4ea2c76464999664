import assert from 'node:assert/strict';
import { MAX_COMMAND_JSON, PROTOCOL_VERSION, parseHostMessage, parseWebviewCommand } from '../../../src/protocol/messages';
import { LIMITS, RunEventSchema } from '../../../src/protocol/runEventSchema';
import { emptyViewState } from '../../../src/protocol/viewState';
import { sampleEvents, sampleState } from '../webview/sampleRun';

describe('protocol: webview -> host commands', () => {
  it('accepts every well-formed command', () => {
    const good: unknown[] = [
      { type: 'ready', view: 'graph', protocol: PROTOCOL_VERSION },
      { type: 'selectTask', taskId: 'board' },
      { type: 'selectTask', taskId: null },
      { type: 'openDiff', taskId: 'board', path: 'gobang/board.py' },
      { type: 'acceptTask', taskId: 'board' },
      { type: 'rejectTask', taskId: 'board' },
      { type: 'retryTask', taskId: 'board' },
      { type: 'editTask', taskId: 'board' },
      { type: 'cancelRun' },
      { type: 'showGraph' },
      { type: 'showGraph', taskId: 'ai' },
      { type: 'newTask' },
      { type: 'reviewChanges' },
      { type: 'acceptAllVerified' },
    ];
    for (const m of good) assert.equal(parseWebviewCommand(m).ok, true, JSON.stringify(m));
  });

  it('rejects malformed and hostile messages', () => {
    const bad: unknown[] = [
      null,
      'ready',
      42,
      {},
      { type: 'runCommand', command: 'rm -rf /' },
      { type: 'acceptTask' },
      { type: 'acceptTask', taskId: 'Board With Spaces' },
      { type: 'acceptTask', taskId: 'board', command: 'rm -rf /' },
      { type: 'openDiff', taskId: 'board', path: '../../etc/passwd' },
      { type: 'openDiff', taskId: 'board', path: 'a/../../x' },
      { type: 'openDiff', taskId: 'board', path: '/etc/passwd' },
      { type: 'openDiff', taskId: 'board', path: 'C:\\Windows\\x' },
      { type: 'openDiff', taskId: 'board', path: '' },
      { type: 'ready', view: 'other', protocol: 1 },
      { type: 'cancelRun', ['__proto__']: { polluted: true } },
      JSON.parse('{"type":"newTask","__proto__":{"polluted":true}}'),
      { type: 'webviewError', message: 'x'.repeat(5000) },
    ];
    for (const m of bad) {
      const r = parseWebviewCommand(m);
      assert.equal(r.ok, false, JSON.stringify(m));
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('rejects a huge payload before parsing it, and names no value in the error', () => {
    const huge = { type: 'selectTask', taskId: 'a'.repeat(10 * 1024 * 1024) };
    const r = parseWebviewCommand(huge);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, /too large/);
    const secret = parseWebviewCommand({ type: 'acceptTask', taskId: 'sk-TEST-SENTINEL value' });
    assert.equal(secret.ok, false);
    if (!secret.ok) assert.doesNotMatch(secret.error, /SENTINEL/);
    assert.ok(MAX_COMMAND_JSON < 1_000_000);
  });
});

describe('protocol: host -> webview notifications', () => {
  it('accepts a snapshot of the sample run and every sample event', () => {
    assert.equal(parseHostMessage({ type: 'snapshot', state: sampleState(), selectedTaskId: null }).ok, true);
    assert.equal(parseHostMessage({ type: 'snapshot', state: emptyViewState(), selectedTaskId: 'board' }).ok, true);
    for (const e of sampleEvents()) assert.equal(RunEventSchema.safeParse(e).success, true, e.type);
    assert.equal(parseHostMessage({ type: 'events', events: sampleEvents() }).ok, true);
  });

  it('rejects malformed notifications', () => {
    assert.equal(parseHostMessage({ type: 'snapshot', state: { version: 2 } }).ok, false);
    assert.equal(parseHostMessage({ type: 'events', events: [{ type: 'task.status', runId: 'r', ts: 1, taskId: 'a', status: 'exploded' }] }).ok, false);
    assert.equal(parseHostMessage({ type: 'focusTask', taskId: '<img>' }).ok, false);
    assert.equal(parseHostMessage({ type: 'eval', code: 'alert(1)' }).ok, false);
  });
});

describe('protocol: tool-call events with diffs', () => {
  const tool = (extra: object) => ({ type: 'agent.tool', runId: 'r', ts: 1, taskId: 'a', tool: 'edit_file', ok: true, ...extra });
  it('accepts a summary and a bounded diff; rejects a diff over the limit or a negative omitted count', () => {
    assert.equal(RunEventSchema.safeParse(tool({ summary: 'edit a.py (+1 −1)', diff: '@@ -1 +1 @@\n-a\n+b\n', diffOmitted: 3 })).success, true);
    assert.equal(RunEventSchema.safeParse(tool({ diff: 'x'.repeat(LIMITS.text + 1) })).success, false);
    assert.equal(RunEventSchema.safeParse(tool({ diffOmitted: -1 })).success, false);
  });
});
