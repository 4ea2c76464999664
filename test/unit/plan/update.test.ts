import { strict as assert } from 'node:assert';
import { PlanUpdateSchema, UnknownTaskError, applyPlanUpdate, neighbourhood } from '../../../src/core/plan';
import { fromEdges, task, valid } from './helpers';

// a -> b -> d, a -> c -> d, d -> e; x alone.
const plan = (): ReturnType<typeof fromEdges> => fromEdges(['a>b', 'a>c', 'b>d', 'c>d', 'd>e'], ['x']);

describe('neighbourhood', () => {
  it('is the task, its descendants and its direct parents', () => {
    const n = neighbourhood(plan(), 'b');
    assert.deepEqual(n.parents, ['a']);
    assert.deepEqual(n.descendants, ['d', 'e']);
    assert.deepEqual(n.ids, ['a', 'b', 'd', 'e']);
    assert.deepEqual(n.tasks.map((t) => t.id), n.ids);
  });

  it('throws a typed error for an unknown task', () => {
    assert.throws(() => neighbourhood(plan(), 'nope'), (e: unknown) => e instanceof UnknownTaskError && e.taskId === 'nope');
  });
});

describe('applyPlanUpdate', () => {
  it('replaces, adds and removes, reporting what changed and what to reset', () => {
    const before = plan();
    const result = applyPlanUpdate(before, {
      reason: 'split b',
      replace: [task('b', ['a'], ['b1.py']), task('c', ['a'])], // c identical: no change
      add: [task('b2', ['b'], ['./b2.py'])],
      remove: [],
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(result.changed, ['b']);
    assert.deepEqual(result.added, ['b2']);
    assert.deepEqual(result.removed, []);
    assert.deepEqual(result.affected, ['b', 'd', 'e', 'b2']);
    assert.deepEqual(result.plan.tasks.find((t) => t.id === 'b2')?.files, ['b2.py']);
    for (const id of ['a', 'c', 'd', 'e', 'x']) {
      assert.deepEqual(result.plan.tasks.find((t) => t.id === id), before.tasks.find((t) => t.id === id), id);
    }
  });

  it('refuses to remove a task others still depend on, unless they are rewired or removed', () => {
    const refused = applyPlanUpdate(plan(), { reason: 'r', remove: ['c'] });
    assert.ok(!refused.ok);
    assert.deepEqual(refused.errors.map((e) => [e.code, e.taskIds]), [['removed-dep', ['d', 'c']]]);

    const rewired = applyPlanUpdate(plan(), { reason: 'r', remove: ['c'], replace: [task('d', ['b'])] });
    assert.ok(rewired.ok);
    assert.deepEqual([rewired.removed, rewired.changed, rewired.affected], [['c'], ['d'], ['d', 'e']]);

    const both = applyPlanUpdate(plan(), { reason: 'r', remove: ['d', 'e'] });
    assert.ok(both.ok);
    assert.deepEqual(both.plan.tasks.map((t) => t.id), ['a', 'b', 'c', 'x']);
  });

  it('validates the result, with error paths inside the update document', () => {
    const cyclic = applyPlanUpdate(plan(), { reason: 'r', replace: [task('a', ['e'])] });
    assert.ok(!cyclic.ok);
    assert.equal(cyclic.errors[0].code, 'cycle');
    const owner = applyPlanUpdate(valid([task('a', [], ['a.py'])]), { reason: 'r', add: [task('b', [], ['A.py', '.env'])] });
    assert.ok(!owner.ok);
    assert.deepEqual(owner.errors.map((e) => [e.code, e.path]), [['duplicate-owner', ['add', 0, 'files', 0]], ['protected-path', ['add', 0, 'files', 1]]]);
  });

  it('reports unknown, duplicate and out-of-scope ids', () => {
    const r = applyPlanUpdate(plan(), {
      reason: 'r',
      replace: [task('ghost'), task('x')],
      add: [task('a'), task('n'), task('n')],
      remove: ['nope'],
    }, { allowed: neighbourhood(plan(), 'b').ids });
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [
      ['unknown-task', ['remove', 0]],
      ['unknown-task', ['replace', 0, 'id']],
      ['outside-neighbourhood', ['replace', 1, 'id']],
      ['duplicate-id', ['add', 0, 'id']],
      ['duplicate-id', ['add', 2, 'id']],
    ]);
  });

  it('reports schema errors of the update itself', () => {
    const r = applyPlanUpdate(plan(), { replace: [{ id: 'b' }] });
    assert.ok(!r.ok);
    assert.ok(r.errors.every((e) => e.code === 'schema'));
    assert.deepEqual(r.errors[0].path, ['reason']);
    assert.ok(r.errors.some((e) => JSON.stringify(e.path) === '["replace",0,"title"]' && e.taskIds[0] === 'b'));
  });

  it('the update schema fills empty lists', () => {
    assert.deepEqual(PlanUpdateSchema.parse({ reason: 'r' }), { reason: 'r', replace: [], add: [], remove: [] });
  });

  it('respects the task cap', () => {
    const r = applyPlanUpdate(valid([task('a')]), { reason: 'r', add: [task('b'), task('c')] }, { maxTasks: 2 });
    assert.ok(!r.ok && r.errors[0].code === 'too-many-tasks');
  });
});
