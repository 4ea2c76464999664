import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  applyPlanUpdate,
  canonicalPlanJson,
  descendantsOf,
  planMetrics,
  selectPlan,
  taskLevels,
  validatePlan,
  type ValidPlan,
} from '../../../src/core/plan';
import { task } from './helpers';

const POOL = 'abcdefghijklmnopqrstuvwxyz'.split('').flatMap((c) => [c, `${c}1`]);

interface Dag {
  /** ids by topological index: an edge i -> j always has i < j */
  names: string[];
  edges: [number, number][];
  /** the order tasks are listed in the document */
  listing: number[];
}

const dagArb = (maxNodes: number): fc.Arbitrary<Dag> =>
  fc.integer({ min: 1, max: maxNodes }).chain((n) =>
    fc.record({
      names: fc.shuffledSubarray(POOL, { minLength: n, maxLength: n }),
      // Pairs i < j drawn directly (a filter on i !== j could never pass for one node).
      edges:
        n < 2
          ? fc.constant([] as [number, number][])
          : fc.uniqueArray(
              fc.nat(n - 2).chain((i) => fc.integer({ min: i + 1, max: n - 1 }).map((j): [number, number] => [i, j])),
              { selector: ([i, j]) => `${i},${j}`, maxLength: 3 * n },
            ),
      listing: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    }),
  );

function documentOf(dag: Dag): { tasks: ReturnType<typeof task>[] } {
  const deps = dag.names.map(() => [] as string[]);
  for (const [i, j] of dag.edges) deps[j].push(dag.names[i]);
  return { tasks: dag.listing.map((i) => task(dag.names[i], deps[i], [`src/${dag.names[i]}.py`])) };
}

function planOf(dag: Dag): ValidPlan {
  const result = validatePlan(documentOf(dag), { maxTasks: 1000 });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

describe('plan properties (fast-check)', () => {
  it('levels respect every edge and follow the longest-path definition', () => {
    fc.assert(
      fc.property(dagArb(14), (dag) => {
        const plan = planOf(dag);
        const level = taskLevels(plan);
        for (const t of plan.tasks) {
          for (const d of t.deps) assert.ok((level.get(t.id) ?? 0) > (level.get(d) ?? 0));
          const expected = t.deps.length === 0 ? 1 : 1 + Math.max(...t.deps.map((d) => level.get(d) ?? 0));
          assert.equal(level.get(t.id), expected);
        }
      }),
    );
  });

  it('P_avg = |V| / T, and the critical path is a chain of T tasks along edges', () => {
    fc.assert(
      fc.property(dagArb(14), (dag) => {
        const plan = planOf(dag);
        const m = planMetrics(plan);
        const depth = Math.max(...taskLevels(plan).values());
        assert.equal(m.depth, depth);
        assert.equal(m.parallelism, plan.tasks.length / depth);
        assert.equal(m.edges, dag.edges.length);
        assert.equal(m.criticalPath.length, depth);
        const byId = new Map(plan.tasks.map((t) => [t.id, t]));
        for (let k = 1; k < m.criticalPath.length; k++) assert.ok(byId.get(m.criticalPath[k])?.deps.includes(m.criticalPath[k - 1]));
      }),
    );
  });

  it('selection does not depend on the order of candidates, ties included', () => {
    // Small graphs (and re-listed copies) make ties on every metric frequent.
    const candidatesArb = fc.array(dagArb(4), { minLength: 1, maxLength: 5 }).chain((dags) =>
      fc.record({
        dags: fc.constant(dags),
        copies: fc.array(fc.nat(dags.length - 1), { maxLength: 3 }),
        perm: fc.shuffledSubarray([...Array(dags.length + 3).keys()], { minLength: dags.length + 3, maxLength: dags.length + 3 }),
      }),
    );
    fc.assert(
      fc.property(candidatesArb, ({ dags, copies, perm }) => {
        const plans = dags.map(planOf);
        // A copy lists the same tasks in another order: the same plan, so it must tie exactly.
        for (const k of copies) plans.push(planOf({ ...dags[k], listing: [...dags[k].listing].reverse() }));
        const order = perm.filter((i) => i < plans.length);
        const shuffled = order.map((i) => plans[i]);
        const a = selectPlan(plans);
        const b = selectPlan(shuffled);
        assert.equal(canonicalPlanJson(shuffled[b.index]), canonicalPlanJson(plans[a.index]));
      }),
    );
  });

  it('an update keeps every task it does not replace or remove', () => {
    const arb = dagArb(12).chain((dag) =>
      fc.record({
        dag: fc.constant(dag),
        replaced: fc.subarray(dag.names),
        removedRoot: fc.option(fc.constantFrom(...dag.names)),
        addDeps: fc.subarray(dag.names, { maxLength: Math.min(3, dag.names.length) }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ dag, replaced, removedRoot, addDeps }) => {
        const plan = planOf(dag);
        const removed = removedRoot === null ? [] : [removedRoot, ...descendantsOf(plan, removedRoot)];
        const replace = plan.tasks
          .filter((t) => replaced.includes(t.id) && !removed.includes(t.id))
          .map((t) => ({ ...t, deps: [...t.deps], files: [...t.files], acceptance: [...t.acceptance], objective: `${t.objective}, again` }));
        const add = [task('new-task', addDeps.filter((d) => !removed.includes(d)), ['new/file.py'])];
        const result = applyPlanUpdate(plan, { reason: 'property', replace, add, remove: removed }, { maxTasks: 1000 });
        assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
        const touched = new Set([...replace.map((t) => t.id), ...removed]);
        for (const t of plan.tasks) {
          if (touched.has(t.id)) continue;
          assert.deepEqual(result.plan.tasks.find((n) => n.id === t.id), t);
        }
        assert.deepEqual([...result.changed].sort(), replace.map((t) => t.id).sort());
        assert.deepEqual([...result.removed].sort(), [...removed].sort());
        for (const id of [...result.changed, ...result.added]) {
          assert.ok(result.affected.includes(id));
          for (const d of descendantsOf(result.plan, id)) assert.ok(result.affected.includes(d));
        }
      }),
    );
  });

  it('any DAG with an added back edge is rejected with a cycle through it', () => {
    const arb = dagArb(12)
      .filter((dag) => dag.edges.length > 0)
      .chain((dag) => fc.record({ dag: fc.constant(dag), pick: fc.nat(), target: fc.nat() }));
    fc.assert(
      fc.property(arb, ({ dag, pick, target }) => {
        const plan = planOf(dag);
        // u -> ... -> v exists; make u depend on v.
        const sources = plan.tasks.filter((t) => descendantsOf(plan, t.id).length > 0);
        const u = sources[pick % sources.length].id;
        const below = descendantsOf(plan, u);
        const v = below[target % below.length];
        const doc = documentOf(dag);
        const tu = doc.tasks.find((t) => t.id === u);
        tu?.deps.push(v);
        const result = validatePlan(doc, { maxTasks: 1000 });
        assert.ok(!result.ok);
        const cycles = result.errors.filter((e) => e.code === 'cycle');
        assert.ok(cycles.length >= 1);
        assert.ok(cycles.some((e) => e.taskIds.includes(u) && e.taskIds.includes(v)));
        assert.deepEqual(result.errors.filter((e) => e.code !== 'cycle'), []);
        // The printed path is a closed walk along real dependencies.
        const ids = (/cycle ([^ ]+(?: -> [^ ]+)+)/.exec(cycles[0].message)?.[1] ?? '').split(' -> ');
        assert.equal(ids[0], ids[ids.length - 1]);
        for (let k = 1; k < ids.length; k++) assert.ok(doc.tasks.find((t) => t.id === ids[k])?.deps.includes(ids[k - 1]));
      }),
    );
  });
});
