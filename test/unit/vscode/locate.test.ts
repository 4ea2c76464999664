import { strict as assert } from 'node:assert';
import type { PlanError } from '../../../src/core/plan/errors';
import { validatePlan } from '../../../src/core/plan/validate';
import { locatePlanErrors, syntaxErrorRange, type OffsetRange } from '../../../src/vscode/planFile/locate';

const task = (id: string, deps: string[] = [], files: string[] = []): object => ({ id, title: id, objective: `do ${id}`, deps, files });
const planText = (tasks: object[]): string => JSON.stringify({ tasks }, null, 2);
const textAt = (text: string, r: OffsetRange): string => text.slice(r.start, r.end);

describe('locatePlanErrors', () => {
  it('underlines the value at the JSON path (an unknown dependency)', () => {
    const text = planText([task('a'), task('b', ['a', 'ghost'])]);
    const [p] = locatePlanErrors(text, [{ code: 'unknown-dep', message: 'b depends on ghost', taskIds: ['b'], path: ['tasks', 1, 'deps', 1] }]);
    assert.equal(textAt(text, p.range), '"ghost"');
    // The task the path points into is not repeated as related information.
    assert.deepEqual(p.related, []);
  });

  it('relates the other tasks of an error with a path (a cycle reported at a dependency)', () => {
    const text = planText([task('b', ['c']), task('c', ['b'])]);
    const [p] = locatePlanErrors(text, [{ code: 'cycle', message: 'b -> c -> b', taskIds: ['b', 'c'], path: ['tasks', 0, 'deps', 0] }]);
    assert.equal(textAt(text, p.range), '"c"');
    assert.deepEqual(p.related.map((r) => r.taskId), ['c']);
    assert.equal(textAt(text, p.related[0].range), '"c"');
  });

  it('falls back to the task id when a required property is missing', () => {
    const text = JSON.stringify({ tasks: [{ id: 'only', objective: 'o', files: [] }] }, null, 2);
    const [p] = locatePlanErrors(text, [{ code: 'schema', message: 'tasks[0].title: is required', taskIds: ['only'], path: ['tasks', 0, 'title'] }]);
    assert.equal(textAt(text, p.range), '"only"');
  });

  it('puts an error with task ids only on each task, each pointing at the others (a cycle)', () => {
    const text = planText([task('x', ['z']), task('y', ['x']), task('z', ['y']), task('free')]);
    const error: PlanError = { code: 'cycle', message: 'cycle x -> y -> z -> x', taskIds: ['x', 'y', 'z'] };
    const problems = locatePlanErrors(text, [error]);
    assert.deepEqual(problems.map((p) => textAt(text, p.range)), ['"x"', '"y"', '"z"']);
    assert.deepEqual(problems[1].related.map((r) => r.taskId), ['x', 'z']);
    assert.equal(textAt(text, problems[1].related[0].range), '"x"');
  });

  it('narrows a container to the key that holds it, and an error without place to the tasks key', () => {
    const text = planText([]);
    const [withPath] = locatePlanErrors(text, [{ code: 'empty-plan', message: 'the plan has no tasks', taskIds: [], path: ['tasks'] }]);
    const [noPath] = locatePlanErrors(text, [{ code: 'empty-plan', message: 'the plan has no tasks', taskIds: [] }]);
    assert.equal(textAt(text, withPath.range), '"tasks"');
    assert.deepEqual(noPath.range, withPath.range);
  });

  it('reports identical problems once', () => {
    const text = planText([task('a')]);
    const e: PlanError = { code: 'schema', message: 'm', taskIds: ['a'], path: ['tasks', 0, 'id'] };
    assert.equal(locatePlanErrors(text, [e, { ...e }]).length, 1);
  });

  it('places every error the plan core reports inside the document, on the task at fault', () => {
    const text = planText([task('a', ['b'], ['x.py']), task('b', ['a'], ['x.py']), task('c', ['c'], ['/etc/passwd'])]);
    const result = validatePlan(JSON.parse(text));
    assert.equal(result.ok, false);
    if (result.ok) return;
    const problems = locatePlanErrors(text, result.errors);
    assert.ok(problems.length >= result.errors.length);
    for (const p of problems) {
      assert.ok(p.range.start >= 0 && p.range.end <= text.length && p.range.end > p.range.start, `${p.code} range ${JSON.stringify(p.range)}`);
    }
    const codes = new Set(problems.map((p) => p.code));
    for (const code of ['cycle', 'self-dep', 'duplicate-owner', 'absolute-path']) assert.ok(codes.has(code), `missing ${code}`);
    const selfDep = problems.find((p) => p.code === 'self-dep');
    assert.ok(selfDep && textAt(text, selfDep.range).includes('"c"'));
    const absolute = problems.find((p) => p.code === 'absolute-path');
    assert.ok(absolute && textAt(text, absolute.range) === '"/etc/passwd"');
  });
});

describe('syntaxErrorRange', () => {
  it('covers the offending token at the given offset', () => {
    const text = '{ "tasks": [ tru ] }';
    const offset = text.indexOf('tru');
    const r = syntaxErrorRange(text, offset);
    assert.equal(r.start, offset);
    assert.ok(r.end > r.start && r.end <= text.length);
  });

  it('stays inside the text at the end of input', () => {
    const text = '{ "tasks": [';
    const r = syntaxErrorRange(text, text.length + 5);
    assert.deepEqual(r, { start: text.length, end: text.length });
  });
});
