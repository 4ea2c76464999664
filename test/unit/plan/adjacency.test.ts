import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { adjacencyOfNodes, ancestorOrder, dependantIds, descendantMask, weightedRemainingPath, type DagNode } from '../../../src/core/plan/adjacency';

/** A random DAG: each node depends on some earlier ones, listed in a shuffled order. */
const dags = fc
  .integer({ min: 1, max: 40 })
  .chain((n) => fc.tuple(fc.array(fc.array(fc.nat({ max: 1000 }), { maxLength: 4 }), { minLength: n, maxLength: n }), fc.array(fc.nat({ max: 1000 }), { minLength: n, maxLength: n })))
  .map(([depPicks, order]) => {
    const nodes: DagNode[] = depPicks.map((picks, i) => ({ id: `t${i}`, deps: i === 0 ? [] : [...new Set(picks.map((p) => `t${p % i}`))] }));
    return order.map((k, i) => ({ k, node: nodes[i] })).sort((a, b) => a.k - b.k).map((x) => x.node);
  });

// The walks as the engine and recovery wrote them before they moved into core/plan/adjacency.
function engineAncestors(nodes: readonly DagNode[], id: string): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const order: string[] = [];
  const visit = (x: string): void => {
    for (const d of byId.get(x)?.deps ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      visit(d);
      order.push(d);
    }
  };
  visit(id);
  return order;
}

function recoveryDescendants(nodes: readonly DagNode[], id: string): string[] {
  const children = new Map<string, string[]>(nodes.map((t) => [t.id, []]));
  for (const t of nodes) for (const d of t.deps) children.get(d)?.push(t.id);
  const seen = new Set<string>([id]);
  const stack = [id];
  while (stack.length) {
    for (const c of children.get(stack.pop() as string) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      stack.push(c);
    }
  }
  return nodes.filter((t) => seen.has(t.id) && t.id !== id).map((t) => t.id);
}

function memoRemaining(nodes: readonly DagNode[], weight: (id: string) => number): Map<string, number> {
  const children = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const n of nodes) for (const d of n.deps) children.get(d)?.push(n.id);
  const memo = new Map<string, number>();
  const visit = (id: string): number => {
    const hit = memo.get(id);
    if (hit !== undefined) return hit;
    const v = Math.max(0, ...(children.get(id) ?? []).map(visit)) + weight(id);
    memo.set(id, v);
    return v;
  };
  for (const n of nodes) visit(n.id);
  return memo;
}

describe('plan/adjacency: the walks of the scheduler, the engine and recovery', () => {
  it('ancestorOrder lists dependencies depth first, each after its own, as the engine did', () => {
    const nodes: DagNode[] = [
      { id: 'd', deps: ['b', 'c'] },
      { id: 'a', deps: [] },
      { id: 'b', deps: ['a'] },
      { id: 'c', deps: ['a'] },
      { id: 'e', deps: ['d'] },
    ];
    const adj = adjacencyOfNodes(nodes);
    assert.deepEqual(ancestorOrder(adj, adj.index.get('e') as number).map((i) => adj.ids[i]), ['a', 'b', 'c', 'd']);
    fc.assert(fc.property(dags, (dag) => {
      const tables = adjacencyOfNodes(dag);
      for (const n of dag) assert.deepEqual(ancestorOrder(tables, tables.index.get(n.id) as number).map((i) => tables.ids[i]), engineAncestors(dag, n.id));
    }), { numRuns: 200 });
  });

  it('descendantMask holds the descendants recovery may edit, not the task itself', () => {
    fc.assert(fc.property(dags, (dag) => {
      const tables = adjacencyOfNodes(dag);
      for (const n of dag) {
        const below = descendantMask(tables, tables.index.get(n.id) as number);
        assert.deepEqual(tables.ids.filter((_, i) => below[i] === 1), recoveryDescendants(dag, n.id));
      }
    }), { numRuns: 200 });
  });

  it('weightedRemainingPath is the heaviest chain to a sink, the node included', () => {
    fc.assert(fc.property(dags, fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 40, maxLength: 40 }), (dag, w) => {
      const weight = (id: string): number => w[Number(id.slice(1))];
      assert.deepEqual(weightedRemainingPath(dag, weight), memoRemaining(dag, weight));
      assert.deepEqual(weightedRemainingPath(dag), memoRemaining(dag, () => 1));
    }), { numRuns: 200 });
  });

  it('leaves out dependencies on unknown ids, and an unknown id has no dependants', () => {
    const adj = adjacencyOfNodes([{ id: 'a', deps: ['ghost'] }, { id: 'b', deps: ['a', 'ghost'] }]);
    assert.deepEqual(adj.preds, [[], [0]]);
    assert.equal(adj.edges, 1);
    assert.deepEqual(dependantIds(adj, 'a'), ['b']);
    assert.deepEqual(dependantIds(adj, 'ghost'), []);
    assert.deepEqual(Object.fromEntries(weightedRemainingPath([{ id: 'a', deps: ['ghost'] }, { id: 'b', deps: ['a'] }])), { a: 2, b: 1 });
  });

  it('dependantIds lists direct dependants in node order', () => {
    const adj = adjacencyOfNodes([{ id: 'z', deps: ['a'] }, { id: 'a', deps: [] }, { id: 'm', deps: ['a'] }]);
    assert.deepEqual(dependantIds(adj, 'a'), ['z', 'm']);
  });
});
