import assert from 'node:assert/strict';
import { CoordinationPolicy, DEFAULT_POLICY, PolicyUsageError, seededRng } from '../../../src/core/policy';
import { makePolicy, twoOptionDoc } from './helpers';

const ctx = { kind: 'edit', size: 'S' };

/** Runs n decisions in a context, reporting each choice's outcome from `truth`. */
function train(policy: CoordinationPolicy, features: Record<string, string>, n: number, truth: (choice: string, i: number) => boolean): string[] {
  const choices: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = policy.decide('model', features, ['a', 'b']);
    choices.push(d.choice);
    policy.record(d.id, { success: truth(d.choice, i), source: 'verification' });
  }
  return choices;
}

describe('policy learning rule', () => {
  it('starts from the prior: with no data the best-believed option is the greedy choice', () => {
    const p = makePolicy();
    const d = p.decide('model', ctx, ['a', 'b']);
    assert.equal(d.audit.greedy, 'a');
    const a = d.audit.options.find((o) => o.id === 'a');
    assert.ok(a && Math.abs(a.pSuccess - 0.8) < 1e-9, 'the prior mean, passed down the levels unchanged');
    assert.equal(a.realRuns, 0);
    assert.equal(a.priorRuns, 8);
  });

  it('updates the posterior with real outcomes at every level (fine -> coarse)', () => {
    const p = makePolicy();
    const d = p.decide('model', ctx, ['a', 'b'], { pinned: 'b' });
    p.record(d.id, { success: true, source: 'verification', costUsd: 0.02, latencyMs: 1000 });
    const cells = p.current.cells;
    for (const key of ['model|kind=edit,size=S', 'model|kind=edit', 'model|']) {
      const arm = cells[key]?.arms.b;
      assert.ok(arm, key);
      assert.equal(arm.s, 1);
      assert.equal(arm.f, 0);
      assert.equal(arm.cs, 0.02);
    }
    const next = p.decide('model', ctx, ['a', 'b'], { pinned: 'b' });
    const b = next.audit.options.find((o) => o.id === 'b');
    assert.equal(b?.realRuns, 1);
  });

  it('learns the better option when the prior is wrong about it', () => {
    const p = makePolicy(twoOptionDoc(), {}, 5);
    // The prior prefers a (0.8 vs 0.5); in truth a succeeds 30 %, b 90 %.
    const rng = seededRng(9);
    const choices = train(p, ctx, 300, (c) => rng.next() < (c === 'a' ? 0.3 : 0.9));
    const last = choices.slice(-100);
    assert.ok(last.filter((c) => c === 'b').length >= 85, `b chosen ${last.filter((c) => c === 'b').length} of the last 100`);
  });

  it('pools: a new context starts from its coarser parent and keeps borrowing as the parent learns', () => {
    const p = makePolicy();
    const rng = seededRng(2);
    train(p, { kind: 'edit', size: 'S' }, 200, (c) => rng.next() < (c === 'a' ? 0.2 : 0.95));
    const fresh = p.decide('model', { kind: 'edit', size: 'L' }, ['a', 'b']);
    const a = fresh.audit.options.find((o) => o.id === 'a');
    const b = fresh.audit.options.find((o) => o.id === 'b');
    assert.equal(a?.realRuns, 0);
    assert.equal(a?.source, 'inherited:model|kind=edit');
    assert.ok((b?.pSuccess ?? 0) > (a?.pSuccess ?? 1), 'the unseen context inherits that b is better');
    assert.ok((a?.priorRuns ?? 99) <= 12, 'inherited strength is capped');
    // A context of another kind knows only the top level, which learned too.
    const other = p.decide('model', { kind: 'docs', size: 'S' }, ['a', 'b']);
    assert.equal(other.audit.greedy, 'b');
  });

  it('a rule that only a finer level can express wins over the coarse cell', () => {
    const doc = twoOptionDoc({ rules: [{ when: { kind: 'edit', size: 'L' }, arms: { a: { p: 0.99, strength: 12 } } }] });
    const p = makePolicy(doc);
    const rng = seededRng(4);
    train(p, { kind: 'edit', size: 'S' }, 100, (c) => rng.next() < (c === 'a' ? 0.2 : 0.95));
    const d = p.decide('model', { kind: 'edit', size: 'L' }, ['a', 'b']);
    assert.equal(d.audit.options.find((o) => o.id === 'a')?.source, 'prior:test@1');
    assert.equal(d.audit.greedy, 'a');
  });

  it('caps exploration at the set share of the recent window', () => {
    // Two equal options: Thompson draws disagree with the greedy one about half the time.
    const doc = twoOptionDoc({ arms: { a: { p: 0.5, strength: 0 }, b: { p: 0.5, strength: 0 } } });
    const p = makePolicy(doc, { explorationShare: 0.1 });
    let explored = 0;
    for (let i = 0; i < 100; i++) {
      const d = p.decide('model', ctx, ['a', 'b']);
      if (d.mode === 'explore') explored++;
    }
    assert.equal(explored, 10);
    const d = p.decide('model', ctx, ['a', 'b']);
    assert.notEqual(d.mode, 'explore');
  });

  it('keeps the share at every point of a new policy\'s life: no exploration before the 10th decision at 10 %', () => {
    const doc = twoOptionDoc({ arms: { a: { p: 0.5, strength: 0 }, b: { p: 0.5, strength: 0 } } });
    const p = makePolicy(doc, { explorationShare: 0.1 });
    let explored = 0;
    for (let i = 1; i <= 60; i++) {
      if (p.decide('model', ctx, ['a', 'b']).mode === 'explore') explored++;
      assert.ok(explored <= Math.floor(0.1 * i + 1e-9), `${explored} exploratory of the first ${i} decisions`);
    }
    assert.ok(explored >= 4, 'it still explores once the share allows it');
  });

  it('never explores on retries, risk-flagged tasks or pinned options', () => {
    const doc = twoOptionDoc({ arms: { a: { p: 0.5, strength: 0 }, b: { p: 0.5, strength: 0 } } });
    const p = makePolicy(doc, { explorationShare: 1 });
    for (let i = 0; i < 50; i++) {
      assert.equal(p.decide('model', ctx, ['a', 'b'], { retry: true }).mode, 'exploit');
      assert.equal(p.decide('model', ctx, ['a', 'b'], { risk: 'touches CI' }).mode, 'exploit');
      const pinned = p.decide('model', ctx, ['a', 'b'], { pinned: 'b' });
      assert.equal(pinned.mode, 'pinned');
      assert.equal(pinned.choice, 'b');
    }
    assert.equal(p.decide('model', ctx, ['a']).mode, 'forced');
    assert.throws(() => p.decide('model', ctx, ['a'], { pinned: 'zzz' }), PolicyUsageError);
    assert.throws(() => p.decide('model', ctx, []), PolicyUsageError);
    assert.throws(() => p.decide('verify', ctx, ['run', 'skip']), PolicyUsageError);
  });

  it('weakens a prior that keeps under-delivering (optimism tripwire)', () => {
    const doc = twoOptionDoc({ arms: { a: { p: 0.95, strength: 12 }, b: { p: 0.9, strength: 12 } } });
    const p = makePolicy(doc);
    train(p, ctx, 40, () => false);
    const ps = p.current.points.model;
    assert.ok(ps && ps.trips >= 1 && ps.trust < 1, `tripped ${ps?.trips}`);
  });

  it('a confidently wrong prior loses its means, so an option it disparaged is tried again', () => {
    const doc = twoOptionDoc({ arms: { a: { p: 0.97, strength: 12 }, b: { p: 0.6, strength: 12 }, c: { p: 0.03, strength: 12 } } });
    const p = makePolicy(doc);
    const before = p.decide('model', ctx, ['a', 'b', 'c'], { pinned: 'a' });
    assert.ok(Math.abs((before.audit.options.find((o) => o.id === 'c')?.pSuccess ?? 0) - 0.03) < 1e-9);
    p.record(before.id, { success: false, source: 'verification' });
    // 'a' keeps failing; 'c' is never offered, so nothing but the prior speaks about it.
    train(p, ctx, 30, () => false);
    const ps = p.current.points.model;
    assert.ok(ps && ps.trust < 0.5, `trust ${ps?.trust}`);
    const after = p.decide('model', { kind: 'docs', size: 'S' }, ['a', 'b', 'c'], { pinned: 'b' });
    const c = after.audit.options.find((o) => o.id === 'c');
    assert.ok(c && c.realRuns === 0 && c.pSuccess > 0.35 && c.pSuccess < 0.5, `c now believed ${c?.pSuccess}`);
  });

  it('finds a prior-data conflict after two outcomes only when the prior was confident', () => {
    const confident = makePolicy(twoOptionDoc({ arms: { a: { p: 0.97, strength: 12 }, b: { p: 0.5, strength: 8 } } }));
    const modest = makePolicy(twoOptionDoc({ arms: { a: { p: 0.7, strength: 12 }, b: { p: 0.5, strength: 8 } } }));
    for (const p of [confident, modest]) {
      for (let i = 0; i < 2; i++) p.record(p.decide('model', ctx, ['a', 'b'], { pinned: 'a' }).id, { success: false, source: 'verification' });
    }
    assert.ok((confident.current.cells['model|']?.w ?? 1) < 1, 'two failures against 0.97 conflict');
    assert.equal(modest.current.cells['model|']?.w, 1, 'two failures against 0.7 do not');
    assert.equal(confident.current.points.model?.trips, 0, 'the tripwire needs more outcomes');
  });

  it('restarts an option optimistically when its model version changes', () => {
    const p = makePolicy();
    const rng = seededRng(6);
    const opts = (v: string) => [{ id: 'a' }, { id: 'b', fingerprint: v }];
    for (let i = 0; i < 150; i++) {
      const d = p.decide('model', ctx, opts('b@1'), i < 30 ? { pinned: 'b' } : {});
      p.record(d.id, { success: d.choice === 'a' ? rng.next() < 0.85 : rng.next() < 0.1, source: 'verification' });
    }
    const before = p.decide('model', ctx, opts('b@1')).audit.options.find((o) => o.id === 'b');
    assert.ok(before && before.pSuccess < 0.3 && before.realRuns > 0);
    const after = p.decide('model', ctx, opts('b@2'));
    const b = after.audit.options.find((o) => o.id === 'b');
    const a = after.audit.options.find((o) => o.id === 'a');
    assert.equal(b?.realRuns, 0);
    assert.equal(b?.source, 'restart');
    assert.ok(b && a && Math.abs(b.pSuccess - a.pSuccess) < 0.1, `restarted near the best option's mean: ${b?.pSuccess} vs ${a?.pSuccess}`);
    // The same version again is not a change.
    assert.equal(p.noteFingerprint('model', 'b', 'b@2'), false);
  });

  it('counts only real outcomes once; later negative evidence adds a failure', () => {
    const p = makePolicy();
    const d = p.decide('model', ctx, ['a', 'b'], { pinned: 'a' });
    assert.equal(p.record(d.id, { success: true, source: 'verification' }).counted, true);
    assert.equal(p.record(d.id, { success: true, source: 'inspector' }).counted, false);
    const late = p.record(d.id, { success: false, source: 'user' });
    assert.equal(late.counted, true);
    const arm = p.current.cells['model|kind=edit,size=S']?.arms.a;
    assert.deepEqual([arm?.s, arm?.f], [1, 1]);
    assert.equal(p.record('model-unknown', { success: true, source: 'verification' }).ok, false);
  });

  it('ships a default policy whose priors encode "retry first, then re-plan" and K = 3', () => {
    const p = new CoordinationPolicy(DEFAULT_POLICY, undefined, { rng: seededRng(1) });
    const first = p.decide('recovery', { failure: 'test', attempt: '1', kind: 'edit' }, ['retry', 'escalate', 'replan-task', 'replan-subtree'], { retry: true });
    assert.equal(first.choice, 'retry');
    const second = p.decide('recovery', { failure: 'test', attempt: '2', kind: 'edit' }, ['retry', 'escalate', 'replan-task', 'replan-subtree'], { retry: true });
    assert.equal(second.choice, 'replan-task');
    for (const type of ['feature', 'fix', 'docs']) {
      for (const scope of ['1', '2-5', '6+']) {
        // design.md: K is chosen by the policy "from a prior of 3", a new (empty) project included.
        const k = new CoordinationPolicy(DEFAULT_POLICY, undefined, { rng: seededRng(7) }).decide('planK', { type, scope }, ['1', '2', '3', '5']);
        assert.equal(k.choice, '3', `${type}/${scope}`);
        assert.equal(k.mode, 'exploit', `${type}/${scope}: a new policy does not explore on its first decision`);
      }
    }
    const merge = p.decide('merge', { kinds: 'create+create', size: 'M', sameDir: 'y' }, ['keep', 'merge'], { retry: true });
    assert.equal(merge.choice, 'keep', 'merging is off until learned');
    const model = p.decide('model', { kind: 'docs', lang: 'text', size: 'S', fails: '0' }, ['cheap', 'standard', 'strong'], { retry: true });
    assert.equal(model.choice, 'cheap');
  });
});
