import { strict as assert } from 'node:assert';
import { NoCandidatesError, canonicalPlanJson, reasonBody, renameCandidates, selectPlan } from '../../../src/core/plan';
import { fromEdges, task, valid } from './helpers';

describe('selectPlan', () => {
  const W1 = (): ReturnType<typeof fromEdges> => fromEdges(['a>c', 'b>c', 'a>d', 'b>d', 'c>d']);
  const W2 = (): ReturnType<typeof fromEdges> => fromEdges(['a>c', 'b>c', 'c>d']);

  it('picks W2 over W1 on fewer edges, whatever the order, and says why', () => {
    const forward = selectPlan([W1(), W2()]);
    assert.equal(forward.index, 1);
    assert.match(forward.reason, /fewer dependencies \(3 against 5/);
    assert.equal(selectPlan([W2(), W1()]).index, 0);
    assert.equal(forward.metrics[0].edges, 5);
  });

  it('prefers higher parallelism first', () => {
    const flat = fromEdges(['a>b'], ['c', 'd']); // 4 tasks, 2 levels
    const chain = fromEdges(['a>b', 'b>c']); // 3 tasks, 3 levels
    const s = selectPlan([chain, flat]);
    assert.equal(s.index, 1);
    assert.match(s.reason, /candidate 1 had lower P_avg/);
  });

  it('breaks equal P_avg and edges by lower C_dep', () => {
    // Both: 6 tasks, 2 levels, 3 edges. Hub: a feeds three (degrees 3,1,1,1,0,0); spread: three pairs (all 1).
    const hub = fromEdges(['a>b', 'a>c', 'a>d'], ['e', 'f']);
    const spread = fromEdges(['a>b', 'c>d', 'e>f']);
    const s = selectPlan([hub, spread]);
    assert.equal(s.index, 1);
    assert.match(s.reason, /lower dependency complexity/);
  });

  it('treats metrics within 1e-9 as equal and falls back to the canonical JSON', () => {
    const one = valid([task('a'), task('b')]);
    const two = valid([task('b'), task('c')]);
    assert.equal(selectPlan([two, one]).index, 1);
    assert.equal(selectPlan([one, two]).index, 0);
    assert.match(selectPlan([two, one]).reason, /canonical JSON sorts first/);
  });

  it('the canonical JSON ignores task order, key order and the order of deps and files', () => {
    const x = valid([{ ...task('b', ['a'], ['y.py', 'x.py']) }, task('a')]);
    const y = valid([task('a'), { files: ['x.py', 'y.py'], deps: ['a'], objective: 'do b', title: 'B', id: 'b' }]);
    assert.equal(canonicalPlanJson(x), canonicalPlanJson(y));
  });

  it('explains a single candidate and refuses none', () => {
    assert.match(selectPlan([W1()]).reason, /only valid candidate/);
    assert.throws(() => selectPlan([]), (e: unknown) => e instanceof NoCandidatesError && e.name === 'NoCandidatesError');
  });

  it('renames candidates to their draw numbers without eating the space after a number ("1of 3", "2, 3are")', () => {
    const draw = [2, 4, 5];
    const renamed = renameCandidates('candidate 1 of 3: highest parallelism; candidates 2, 3 are the same plan', (n) => draw[n - 1]);
    assert.equal(renamed, 'candidate 2 of 3: highest parallelism; candidates 4, 5 are the same plan');
    assert.equal(reasonBody(renamed), 'highest parallelism; candidates 4, 5 are the same plan');
  });

  it('says copies of the winner are the same plan, with a space before the verb', () => {
    const s = selectPlan([W2(), W2(), W2()]);
    assert.match(s.reason, /^candidate 1 of 3: .*candidates 2, 3 are the same plan$/);
  });
});
