import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog, type AuditEntry } from '../../../src/core/policy';
import type { RunEvent } from '../../../src/core/run/events';
import { makePolicy } from './helpers';

describe('policy audit records', () => {
  it('records every option with interval, real vs prior data, cost, latency, scores, choice, mode and reason', () => {
    const entries: AuditEntry[] = [];
    const p = makePolicy(undefined, { onAudit: (e) => entries.push(e), weights: { cost: 0.25 } });
    const d = p.decide('model', { kind: 'edit', size: 'S' }, [{ id: 'a', costUsd: 0.15 }, { id: 'b', costUsd: 0.01 }], { taskId: 'board' });
    const rec = d.audit;
    assert.equal(rec.point, 'model');
    assert.equal(rec.taskId, 'board');
    assert.equal(rec.cell, 'model|kind=edit,size=S');
    assert.equal(rec.priorId, 'test@1');
    assert.equal(rec.options.length, 2);
    for (const o of rec.options) {
      assert.ok(o.interval && o.interval[0] <= o.pSuccess && o.pSuccess <= o.interval[1]);
      assert.equal(typeof o.realRuns, 'number');
      assert.equal(typeof o.priorRuns, 'number');
      assert.equal(typeof o.sampledScore, 'number');
    }
    const a = rec.options.find((o) => o.id === 'a');
    assert.ok(a && Math.abs(a.expectedScore - (a.pSuccess - 0.25)) < 1e-9, 'score = P(success) − w·cost/ref');
    assert.ok(['exploit', 'explore'].includes(rec.mode));
    assert.ok(rec.reason.length > 20 && rec.reason.includes(d.choice));
    assert.equal(entries[0]?.kind, 'decision');
    // The RunEvent payload fits the `decision` event.
    const event: RunEvent = { ...d.event, runId: 'r1', ts: 1 };
    assert.equal(event.type, 'decision');
    assert.equal(d.event.choice, d.choice);
    assert.equal(d.event.taskId, 'board');
  });

  it('appends the outcome to the record when it arrives', () => {
    const entries: AuditEntry[] = [];
    const p = makePolicy(undefined, { onAudit: (e) => entries.push(e) });
    const d = p.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b'], { pinned: 'a' });
    p.record(d.id, { success: false, source: 'verification', costUsd: 0.02, latencyMs: 900 });
    const rec = p.auditOf(d.id);
    assert.equal(rec?.outcomes.length, 1);
    const out = rec?.outcomes[0];
    assert.equal(out?.success, false);
    assert.equal(out?.source, 'verification');
    assert.ok(out && out.after.pSuccess < out.predicted, 'the estimate fell after a failure');
    assert.equal(out?.after.realRuns, 1);
    assert.equal(entries.at(-1)?.kind, 'outcome');
  });

  it('writes decisions and outcomes to a JSONL log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policy-audit-'));
    try {
      const log = new AuditLog(join(dir, 'p.audit.jsonl'));
      const entries: AuditEntry[] = [];
      const p = makePolicy(undefined, { onAudit: (e) => entries.push(e) });
      const d = p.decide('model', { kind: 'edit', size: 'S' }, ['a', 'b']);
      p.record(d.id, { success: true, source: 'verification' });
      assert.equal(await log.append(entries), undefined);
      const lines = (await readFile(join(dir, 'p.audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
      assert.deepEqual(lines.map((l) => l.kind), ['decision', 'outcome']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
