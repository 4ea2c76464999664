import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Plan } from '../../../src/core/plan/schema';
import { COMPACT_LAYOUT, layoutPlan, PANEL_LAYOUT, quickLayout, SYNC_LAYOUT_MAX, type GraphLayout } from '../../../src/webview/layout';
import { generatedPlan, PLAN_30 } from './sampleLarge';
import { SAMPLE_PLAN } from './sampleRun';

function checkLayout(plan: Plan, layout: GraphLayout): void {
  assert.equal(layout.nodes.size, plan.tasks.length);
  for (const e of layout.edges) {
    const from = layout.nodes.get(e.from);
    const to = layout.nodes.get(e.to);
    assert.ok(from && to);
    assert.ok(from.rank < to.rank, `${e.from} (rank ${from.rank}) -> ${e.to} (rank ${to.rank})`);
    assert.ok(from.y + from.height <= to.y, `${e.from} above ${e.to}`);
    assert.ok(e.points.length >= 2);
  }
  const boxes = [...layout.nodes.values()];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      assert.ok(!overlap, `${a.id} overlaps ${b.id}`);
    }
    assert.ok(boxes[i].x >= 0 && boxes[i].y >= 0);
    assert.ok(boxes[i].x + boxes[i].width <= layout.width + 0.5 && boxes[i].y + boxes[i].height <= layout.height + 0.5);
  }
}

describe('webview: dagre layout', () => {
  it('lays out the sample plan in layers without overlaps', () => {
    const layout = layoutPlan(SAMPLE_PLAN);
    checkLayout(SAMPLE_PLAN, layout);
    assert.equal(layout.edges.length, 15);
    assert.equal(layout.nodes.get('spec')?.rank, 0);
  });

  it('is independent of the order tasks arrive in', () => {
    const a = layoutPlan(SAMPLE_PLAN);
    const b = layoutPlan({ ...SAMPLE_PLAN, tasks: [...SAMPLE_PLAN.tasks].reverse() });
    for (const [id, n] of a.nodes) assert.deepEqual(b.nodes.get(id), n);
  });

  it('keeps edges downward and nodes apart on random DAGs (property, both sizes)', () => {
    const dag = fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 })));
    fc.assert(fc.property(dag, fc.boolean(), ([n, pairs], compact) => {
      const ids = Array.from({ length: n }, (_, i) => `t${i}`);
      const plan: Plan = {
        tasks: ids.map((id, i) => ({
          id, title: id, objective: id, role: 'r', files: [], acceptance: [],
          deps: [...new Set(pairs.filter(([a, b]) => a < b && b === i).map(([a]) => ids[a]))],
        })),
      };
      checkLayout(plan, layoutPlan(plan, compact ? COMPACT_LAYOUT : PANEL_LAYOUT));
    }), { numRuns: 60 });
  });
});

describe('webview: layout at 30 and 100 tasks', () => {
  const inside = (p: { x: number; y: number }, n: { x: number; y: number; width: number; height: number }): boolean =>
    p.x > n.x + 1 && p.x < n.x + n.width - 1 && p.y > n.y + 1 && p.y < n.y + n.height - 1;

  for (const [name, plan] of [['the 30-task shop plan', PLAN_30], ['a generated 100-task plan', generatedPlan(100)]] as const) {
    it(`${name}: no overlapping nodes, every edge routed from its task's bottom to its dependant's top around other tasks`, () => {
      const layout = layoutPlan(plan);
      checkLayout(plan, layout);
      const declared = plan.tasks.reduce((n, t) => n + t.deps.length, 0);
      assert.equal(layout.edges.length, declared, 'every dependency is drawn');
      for (const e of layout.edges) {
        const from = layout.nodes.get(e.from)!;
        const to = layout.nodes.get(e.to)!;
        const first = e.points[0]!;
        const last = e.points.at(-1)!;
        assert.ok(Math.abs(first.y - (from.y + from.height)) < 1 && first.x >= from.x && first.x <= from.x + from.width, `${e.from}->${e.to} leaves ${e.from}'s bottom`);
        assert.ok(Math.abs(last.y - to.y) < 1 && last.x >= to.x && last.x <= to.x + to.width, `${e.from}->${e.to} enters ${e.to}'s top`);
        // A dependency across several layers bends around the tasks between: no point of its route is inside a task.
        if (to.rank - from.rank > 1) assert.ok(e.points.length > 2, `${e.from}->${e.to} spans layers and is routed`);
        // Through the rows between its ends it runs straight down (equal x), beside every task of the row;
        // between rows (where no task is) it may curve.
        for (let i = 1; i < e.points.length; i++) {
          const p = e.points[i - 1]!;
          const q = e.points[i]!;
          assert.ok(q.y > p.y, `${e.from}->${e.to} goes down`);
          const mid = { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
          for (const n of layout.nodes.values()) {
            if (n.id === e.from || n.id === e.to) continue;
            const crossesRow = p.y < n.y + n.height - 1 && q.y > n.y + 1;
            if (crossesRow) assert.equal(p.x, q.x, `${e.from}->${e.to} is vertical where it crosses ${n.id}'s row`);
            assert.ok(!(crossesRow && p.x > n.x && p.x < n.x + n.width), `${e.from}->${e.to} runs through ${n.id}`);
            assert.ok(!inside(mid, n), `${e.from}->${e.to} runs through ${n.id}`);
          }
        }
      }
    });
  }

  it('panel nodes have room for a two-line title and the id line (13 px text, 1.25 line height)', () => {
    const titleLines = 2 * 13 * 1.25;
    const metaLine = 11 * 1.4;
    assert.ok(PANEL_LAYOUT.nodeHeight >= titleLines + metaLine + 12 + 2, `nodeHeight ${PANEL_LAYOUT.nodeHeight}`);
    assert.ok(PANEL_LAYOUT.nodeWidth >= 200, 'about 20 characters a line, so two lines hold a 40-character title');
  });
});

describe('webview: the quick first layout of a large plan', () => {
  it('puts every task below its dependencies, apart from the others, inside the same frame as dagre would use', () => {
    for (const n of [SYNC_LAYOUT_MAX + 1, 200, 500]) {
      const plan = generatedPlan(n, n);
      const quick = quickLayout(plan);
      checkLayout(plan, quick);
      assert.equal(quick.edges.length, plan.tasks.reduce((k, t) => k + t.deps.length, 0));
      // Each task sits one row below its deepest dependency: the rows are the longest chains.
      for (const t of plan.tasks) {
        const deepest = Math.max(-1, ...t.deps.map((d) => quick.nodes.get(d)!.rank));
        assert.equal(quick.nodes.get(t.id)!.rank, deepest + 1, t.id);
      }
    }
  });

  it('a cycle (never in a validated plan) still places every task', () => {
    const plan: Plan = { tasks: ['a', 'b', 'c'].map((id, i, all) => ({ id, title: id, objective: id, role: 'r', files: [], acceptance: [], deps: [all[(i + 1) % 3]!] })) };
    const quick = quickLayout(plan);
    assert.equal(quick.nodes.size, 3);
    const boxes = [...quick.nodes.values()];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) assert.ok(boxes[i]!.x !== boxes[j]!.x || boxes[i]!.y !== boxes[j]!.y);
  });
});
