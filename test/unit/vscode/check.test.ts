import { strict as assert } from 'node:assert';
import { checkPlanText, formatMetrics } from '../../../src/vscode/planFile/check';

const valid = JSON.stringify({ tasks: [
  { id: 'a', title: 'A', objective: 'o', files: [] },
  { id: 'b', title: 'B', objective: 'o', files: [], deps: ['a'] },
] });

describe('checkPlanText', () => {
  it('returns the metrics of a valid plan', () => {
    const r = checkPlanText(valid);
    assert.equal(r.kind, 'valid');
    if (r.kind !== 'valid') return;
    assert.deepEqual({ ...r.metrics, criticalPath: [...r.metrics.criticalPath] }, { tasks: 2, edges: 1, depth: 2, parallelism: 1, dependencyComplexity: 0, criticalPath: ['a', 'b'] });
  });

  it('places malformed JSON at the core\'s position, also after a byte-order mark', () => {
    const text = '{ "tasks": [ } ';
    for (const [prefix, shift] of [['', 0], ['\ufeff', 1]] as const) {
      const r = checkPlanText(prefix + text);
      assert.equal(r.kind, 'malformed');
      if (r.kind !== 'malformed') return;
      assert.equal(r.problem.range.start, text.indexOf('}') + shift);
      assert.equal(r.line, 1);
    }
  });

  it('honours the task cap', () => {
    const r = checkPlanText(valid, { maxTasks: 1 });
    assert.equal(r.kind, 'invalid');
    if (r.kind === 'invalid') assert.ok(r.problems.some((p) => p.code === 'too-many-tasks'));
  });
});

describe('formatMetrics', () => {
  it('names every metric, rounded for reading, and the critical path in order', () => {
    const line = formatMetrics({ tasks: 5, edges: 4, depth: 3, parallelism: 5 / 3, dependencyComplexity: 0.8, criticalPath: ['spec', 'board', 'game'] });
    assert.equal(line, '5 tasks, 4 edges, depth 3, parallelism 1.67, C_dep 0.8, critical path spec → board → game');
    assert.match(formatMetrics({ tasks: 1, edges: 0, depth: 1, parallelism: 1, dependencyComplexity: 0, criticalPath: ['a'] }), /^1 task, 0 edges,/);
  });
});
