import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_TASKS, locateJsonPath, parsePlanText, validatePlan, type PlanError } from '../../../src/core/plan';
import { task } from './helpers';

const fixtures = join(__dirname, '../../fixtures/plans');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

function errorsOf(input: unknown, opts = {}): readonly PlanError[] {
  const result = validatePlan(input, opts);
  assert.equal(result.ok, false, 'expected the plan to be rejected');
  return result.ok ? [] : result.errors;
}
const only = (errors: readonly PlanError[], code: string): PlanError[] => errors.filter((e) => e.code === code);

describe('validatePlan', () => {
  it('accepts the gobang fixture, normalises its paths and freezes it', () => {
    const result = parsePlanText(read('gobang.json'));
    assert.ok(result.ok);
    const plan = result.plan;
    assert.equal(plan.tasks.length, 5);
    assert.deepEqual(plan.tasks.find((t) => t.id === 'gui')?.files, ['gobang/gui.py']);
    assert.equal(plan.tasks.find((t) => t.id === 'main')?.role, 'developer');
    assert.ok(Object.isFrozen(plan) && Object.isFrozen(plan.tasks) && Object.isFrozen(plan.tasks[0]) && Object.isFrozen(plan.tasks[0].files));
    assert.throws(() => (plan.tasks as unknown[]).push(1), TypeError);
  });

  it('reports a cycle with its path and points at the closing dependency', () => {
    const errors = errorsOf({ tasks: [task('a', ['b']), task('b', ['a']), task('c', ['c'])] });
    const [cycle] = only(errors, 'cycle');
    assert.match(cycle.message, /a -> b -> a/);
    assert.deepEqual([...cycle.taskIds].sort(), ['a', 'b']);
    assert.deepEqual(cycle.path, ['tasks', 0, 'deps', 0]);
    assert.equal(only(errors, 'self-dep').length, 1, 'a self dependency is its own error, not a cycle');
    assert.equal(only(errors, 'cycle').length, 1);
  });

  it('names the shortest cycle through the smallest id, and one error per cyclic group', () => {
    const errors = errorsOf({
      tasks: [task('x', ['z']), task('y', ['x']), task('z', ['y']), task('p', ['q']), task('q', ['p']), task('ok')],
    });
    const messages = only(errors, 'cycle').map((e) => e.message).sort();
    assert.equal(messages.length, 2);
    assert.match(messages[0], /p -> q -> p/);
    assert.match(messages[1], /x -> y -> z -> x/);
  });

  it('reports unknown and self dependencies with the raw index of the dep', () => {
    const errors = errorsOf({ tasks: [task('a'), task('b', ['a', 'a', 'nope', 'b'])] });
    assert.deepEqual(only(errors, 'unknown-dep').map((e) => [e.taskIds, e.path]), [[['b'], ['tasks', 1, 'deps', 2]]]);
    assert.deepEqual(only(errors, 'self-dep').map((e) => [e.taskIds, e.path]), [[['b'], ['tasks', 1, 'deps', 3]]]);
  });

  it('reports duplicate ids at the later occurrence', () => {
    const errors = errorsOf({ tasks: [task('a'), task('b'), task('a')] });
    assert.deepEqual(only(errors, 'duplicate-id').map((e) => e.path), [['tasks', 2, 'id']]);
  });

  it('reports a file owned by two tasks after normalisation, ignoring case', () => {
    const errors = errorsOf({ tasks: [task('a', [], ['src/x.py']), task('b', [], ['./src\\x.py']), task('c', [], ['SRC/X.PY'])] });
    const owners = only(errors, 'duplicate-owner');
    assert.deepEqual(owners.map((e) => e.taskIds), [['a', 'b'], ['a', 'c']]);
    assert.deepEqual(owners[0].path, ['tasks', 1, 'files', 0]);
  });

  it('counts one file named twice in one task once', () => {
    const result = validatePlan({ tasks: [task('a', [], ['x.py', './x.py'])] });
    assert.ok(result.ok);
    assert.deepEqual(result.plan.tasks[0].files, ['x.py']);
  });

  it('reports a path that is a file of one task and a folder of another', () => {
    const errors = errorsOf({ tasks: [task('a', [], ['lib']), task('b', [], ['lib/x.py'])] });
    assert.deepEqual(only(errors, 'file-folder-conflict').map((e) => [e.taskIds, e.path]), [[['a', 'b'], ['tasks', 1, 'files', 0]]]);
  });

  it('reports absolute, escaping and protected paths with their JSON paths', () => {
    const errors = errorsOf({ tasks: [task('a', [], ['ok.py', '/abs', '../up', '.vscode/settings.json', 'C:\\win'])] });
    assert.deepEqual(
      errors.map((e) => [e.code, e.path]),
      [
        ['absolute-path', ['tasks', 0, 'files', 1]],
        ['escaping-path', ['tasks', 0, 'files', 2]],
        ['protected-path', ['tasks', 0, 'files', 3]],
        ['absolute-path', ['tasks', 0, 'files', 4]],
      ],
    );
    assert.ok(errors.every((e) => e.taskIds[0] === 'a'));
  });

  it('reports an empty plan', () => {
    assert.deepEqual(errorsOf({ tasks: [] }).map((e) => e.code), ['empty-plan']);
  });

  it('caps tasks at 64 by default and at maxTasks when given', () => {
    const tasks = (n: number): unknown[] => Array.from({ length: n }, (_, i) => task(`t${i}`));
    assert.equal(DEFAULT_MAX_TASKS, 64);
    assert.ok(validatePlan({ tasks: tasks(64) }).ok);
    assert.deepEqual(errorsOf({ tasks: tasks(65) }).map((e) => e.code), ['too-many-tasks']);
    assert.ok(validatePlan({ tasks: tasks(65) }, { maxTasks: 65 }).ok);
    assert.match(errorsOf({ tasks: tasks(4) }, { maxTasks: 3 })[0].message, /4 tasks, more than the cap of 3/);
  });

  it('reports schema errors with paths and still checks the graph of the well-formed tasks', () => {
    const errors = errorsOf({ tasks: [{ id: 'Bad', title: 'x', objective: 'y', files: [] }, { id: 'b', objective: 'o', files: 'f' }, task('c', ['c', 'Bad', 'gone'])] });
    const schema = only(errors, 'schema');
    assert.deepEqual(schema.map((e) => e.path), [['tasks', 0, 'id'], ['tasks', 1, 'title'], ['tasks', 1, 'files']]);
    assert.deepEqual(schema.map((e) => e.taskIds), [['Bad'], ['b'], ['b']]);
    assert.match(schema[1].message, /tasks\[1\]\.title: is required/);
    // A dependency on a task that exists but is malformed is not "unknown"; the rest still are.
    assert.deepEqual(errors.filter((e) => e.code !== 'schema').map((e) => e.code), ['self-dep', 'unknown-dep']);
  });

  it('rejects non-objects and a missing task list as schema errors', () => {
    assert.deepEqual(errorsOf(42).map((e) => [e.code, e.path]), [['schema', []]]);
    assert.deepEqual(errorsOf({ goal: 'g' }).map((e) => [e.code, e.path]), [['schema', ['tasks']]]);
  });

  it('drops unknown keys and counts duplicate deps once', () => {
    const result = validatePlan({ extra: 1, tasks: [{ ...task('a'), colour: 'red' }, task('b', ['a', 'a'])] });
    assert.ok(result.ok);
    assert.deepEqual(result.plan.tasks[1].deps, ['a']);
    assert.equal('colour' in result.plan.tasks[0], false);
    assert.equal('extra' in result.plan, false);
  });

  it('reports every error of the invalid fixture at once, each locatable in the text', () => {
    const text = read('invalid-graph.json');
    const result = parsePlanText(text);
    assert.equal(result.ok, false);
    const errors = result.ok ? [] : result.errors;
    assert.deepEqual(
      [...new Set(errors.map((e) => e.code))].sort(),
      ['absolute-path', 'cycle', 'duplicate-id', 'duplicate-owner', 'escaping-path', 'protected-path', 'self-dep', 'unknown-dep'],
    );
    for (const e of errors) assert.ok(e.path && locateJsonPath(text, e.path), `${e.code} has a locatable path`);
    const ghost = errors.find((e) => e.code === 'unknown-dep');
    assert.deepEqual(ghost?.path && locateJsonPath(text, ghost.path)?.line, 5);
  });
});

describe('parsePlanText', () => {
  it('reports malformed JSON with its line and column, as a result', () => {
    const result = parsePlanText(read('malformed.json'));
    assert.ok(!result.ok && 'syntaxError' in result);
    assert.equal(result.syntaxError.name, 'PlanSyntaxError');
    assert.equal(result.syntaxError.line, 3);
    assert.equal(result.syntaxError.column, 32); // the `}` after the trailing comma
    assert.deepEqual(result.errors.map((e) => e.code), ['json']);
  });

  it('reports empty text and ignores a byte-order mark', () => {
    const empty = parsePlanText('');
    assert.ok(!empty.ok && 'syntaxError' in empty && empty.syntaxError.line === 1);
    assert.ok(parsePlanText(`\uFEFF${JSON.stringify({ tasks: [task('a')] })}`).ok);
  });
});
