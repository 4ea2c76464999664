import assert from 'node:assert/strict';
import { CoordinationPolicy, DEFAULT_POLICY, seededRng, type Decision } from '../../../src/core/policy';

const ctx = { kind: 'edit', lang: 'ts', size: 'S', check: 'tests' };

function policy(seed = 1): CoordinationPolicy {
  return new CoordinationPolicy(DEFAULT_POLICY, undefined, { rng: seededRng(seed), defectCostUsd: 1.5, now: () => 5 });
}

/** Decides and reports a clean check result for every run decision, n times. */
function cleanRuns(p: CoordinationPolicy, n: number): Decision[] {
  const out: Decision[] = [];
  for (let i = 0; i < n; i++) {
    const d = p.decideCheck(ctx, { checkCostUsd: 0.15 });
    if (d.choice === 'run') p.record(d.id, { success: true, source: 'verification' });
    out.push(d);
  }
  return out;
}

describe('policy skip certificates', () => {
  it('checks until enough clean verified runs earn a certificate, then skips with canaries', () => {
    const p = policy();
    const first = p.decideCheck(ctx, { checkCostUsd: 0.15 });
    assert.equal(first.choice, 'run');
    assert.equal(first.mode, 'rule');
    assert.match(first.reason, /only 0 of 20 verified runs/);
    p.record(first.id, { success: true, source: 'verification' });
    // Bar: min(10 %, 0.15 / 1.5) = 10 %; with no failures the bound falls under it after about 25 runs.
    const decisions = cleanRuns(p, 200);
    const firstSkip = decisions.findIndex((d) => d.mode === 'certified-skip');
    assert.ok(firstSkip >= 19 && firstSkip < 40, `first skip after ${firstSkip + 1} runs`);
    const after = decisions.slice(firstSkip);
    const canaries = after.filter((d) => d.mode === 'canary').length;
    assert.ok(canaries > 0 && canaries < after.length * 0.25, `${canaries} canaries of ${after.length}`);
    assert.ok(after.every((d) => d.mode === 'canary' || d.mode === 'certified-skip'));
    const skip = decisions[firstSkip] as Decision;
    assert.equal(skip.audit.certificate?.granted, true);
    assert.match(skip.reason, /Skipped under a certificate: \d+ verified runs here, the last \d+ clean/);
  });

  it('never skips risk-flagged tasks or checks the user always wants', () => {
    const p = policy();
    cleanRuns(p, 100);
    for (let i = 0; i < 30; i++) {
      assert.equal(p.decideCheck(ctx, { risk: 'touches .github', checkCostUsd: 0.15 }).choice, 'run');
      assert.equal(p.decideCheck(ctx, { alwaysCheck: true, checkCostUsd: 0.15 }).choice, 'run');
    }
  });

  it('prior pseudo-observations and coarser contexts never certify', () => {
    const p = policy();
    cleanRuns(p, 100);
    // Same kind and check, another size: the coarser cells know 100 clean runs, this context none.
    const d = p.decideCheck({ ...ctx, size: 'L' }, { checkCostUsd: 0.15 });
    assert.equal(d.choice, 'run');
    assert.match(d.reason, /only 0 of 20/);
  });

  it('a skipped task later found defective revokes the certificate and counts heavily', () => {
    const p = policy();
    const decisions = cleanRuns(p, 120);
    const skip = [...decisions].reverse().find((d) => d.choice === 'skip');
    assert.ok(skip, 'certified by now');
    const before = p.current.cells['verify|kind=edit,lang=ts,size=S,check=tests']?.arms.run;
    const fBefore = before?.f ?? 0;
    const res = p.recordDefect(skip.id, 'run-check');
    assert.equal(res.counted, true);
    const arm = p.current.cells['verify|kind=edit,lang=ts,size=S,check=tests']?.arms.run;
    assert.equal((arm?.f ?? 0) - fBefore, 3);
    assert.equal(arm?.streak, 0);
    const next = p.decideCheck(ctx, { checkCostUsd: 0.15 });
    assert.equal(next.choice, 'run');
    assert.equal(next.audit.certificate?.granted, false);
    assert.match(next.reason, /runs were clean; 10 are needed|the failure rate may be as high as/);
  });

  it('a success reported for a skipped check teaches nothing', () => {
    const p = policy();
    const decisions = cleanRuns(p, 120);
    const skip = decisions.find((d) => d.choice === 'skip') as Decision;
    const res = p.record(skip.id, { success: true, source: 'user' });
    assert.equal(res.counted, false);
    assert.equal(res.outcome?.ignored, true);
  });

  it('a bar below what the runs can show keeps checking', () => {
    const p = policy();
    for (let i = 0; i < 100; i++) {
      const d = p.decideCheck(ctx, { checkCostUsd: 0.003 }); // bar 0.2 %: unreachable with 100 runs
      p.record(d.id, { success: true, source: 'verification' });
      assert.equal(d.choice, 'run');
    }
  });
});
