import assert from 'node:assert/strict';
import type { HostMessage, WebviewCommand } from '../../../src/protocol/messages';
import { RunViewStore } from '../../../src/protocol/runViewSource';
import { WebviewHost } from '../../../src/protocol/webviewHost';
import { RUN_ID, sampleEvents } from '../webview/sampleRun';

function harness(delivered = true) {
  const store = new RunViewStore();
  const posted: HostMessage[] = [];
  const commands: WebviewCommand[] = [];
  const warnings: string[] = [];
  const flushes: Array<() => void> = [];
  const host = new WebviewHost({
    view: 'graph',
    source: store,
    post: async (m) => {
      posted.push(m);
      return delivered;
    },
    onCommand: (c) => commands.push(c),
    log: { warn: (m) => warnings.push(m) },
    schedule: (f) => flushes.push(f),
  });
  const runFlushes = (): void => {
    for (const f of flushes.splice(0)) f();
  };
  return { store, host, posted, commands, warnings, runFlushes };
}

const ready = { type: 'ready', view: 'graph', protocol: 1 };
const at = (ts: number) => ({ runId: RUN_ID, ts });

describe('protocol: WebviewHost', () => {
  it('posts nothing before ready, then one snapshot holding everything so far', () => {
    const h = harness();
    for (const e of sampleEvents()) h.store.push(e);
    h.runFlushes();
    assert.equal(h.posted.length, 0);
    h.host.receive(ready);
    assert.equal(h.posted.length, 1);
    const first = h.posted[0];
    assert.equal(first.type, 'snapshot');
    if (first.type === 'snapshot') assert.equal(first.state, h.store.snapshot());
  });

  it('batches events after ready into one message, in order', () => {
    const h = harness();
    h.host.receive(ready);
    h.store.push({ type: 'run.started', dir: '/w', ...at(1) });
    h.store.push({ type: 'log', level: 'info', message: 'a', ...at(2) });
    h.store.push({ type: 'log', level: 'info', message: 'b', ...at(3) });
    assert.equal(h.posted.length, 1);
    h.runFlushes();
    assert.equal(h.posted.length, 2);
    const batch = h.posted[1];
    assert.equal(batch.type, 'events');
    if (batch.type === 'events') assert.deepEqual(batch.events.map((e) => e.ts), [1, 2, 3]);
  });

  it('sends nothing while hidden and re-posts the snapshot when shown (no event lost or doubled)', () => {
    const h = harness();
    h.host.receive(ready);
    h.host.setVisible(false);
    h.store.push({ type: 'run.started', dir: '/w', ...at(1) });
    h.runFlushes();
    assert.equal(h.posted.length, 1);
    h.host.setVisible(true);
    assert.equal(h.posted.length, 2);
    const snap = h.posted[1];
    assert.equal(snap.type, 'snapshot');
    if (snap.type === 'snapshot') assert.equal(snap.state.run?.runId, RUN_ID);
    h.runFlushes();
    assert.equal(h.posted.length, 2);
  });

  it('drops the queued events a snapshot already contains', () => {
    const h = harness();
    h.host.receive(ready);
    h.store.push({ type: 'run.started', dir: '/w', ...at(1) });
    h.host.receive(ready); // the webview reloaded
    h.runFlushes();
    assert.deepEqual(h.posted.map((m) => m.type), ['snapshot', 'snapshot']);
  });

  it('rejects invalid messages: logged without their content, never routed', () => {
    const h = harness();
    h.host.receive({ type: 'openDiff', taskId: 'a', path: '../../sk-TEST-SENTINEL' });
    h.host.receive({ type: 'exec', command: 'rm -rf /' });
    h.host.receive('garbage');
    assert.equal(h.commands.length, 0);
    assert.equal(h.warnings.length, 3);
    for (const w of h.warnings) assert.doesNotMatch(w, /SENTINEL|rm -rf/);
    h.host.receive({ type: 'acceptTask', taskId: 'board' });
    assert.deepEqual(h.commands, [{ type: 'acceptTask', taskId: 'board' }]);
  });

  it('waits for a new ready after a post was not delivered', async () => {
    const h = harness(false);
    h.host.receive(ready);
    await Promise.resolve();
    await Promise.resolve();
    h.store.push({ type: 'run.started', dir: '/w', ...at(1) });
    h.runFlushes();
    assert.equal(h.posted.length, 1);
  });

  it('stops listening when disposed', () => {
    const h = harness();
    h.host.receive(ready);
    h.host.dispose();
    h.store.push({ type: 'run.started', dir: '/w', ...at(1) });
    h.runFlushes();
    assert.equal(h.posted.length, 1);
  });
});
