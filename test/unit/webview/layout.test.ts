import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Plan } from '../../../src/core/plan/schema';
import { COMPACT_LAYOUT, layoutPlan, PANEL_LAYOUT, type GraphLayout } from '../../../src/webview/layout';
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
