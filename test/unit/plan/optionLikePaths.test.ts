/**
 * No path from a plan is ever read as a command option (design.md, invariants): a task may not own a path
 * any segment of which begins with `-` (issue 11, break 1). The verification layer also passes every path
 * as `./name` (test/unit/verify/optionInjection.test.ts); this is the first gate.
 */
import { strict as assert } from 'node:assert';
import { applyPlanUpdate, leavesRoot, validatePlan } from '../../../src/core/plan';
import { fromEdges, task } from './helpers';

const plan = (files: string[]): unknown => ({ tasks: [{ id: 'evil', title: 'Evil', objective: 'o', files }] });

describe('plan paths: option-like names', () => {
  it('refuses every path with a segment beginning with "-", naming the task and the JSON path', () => {
    const attacks = [
      '--require=evil.js',
      '--import=data/text/javascript,process.exit(0);0&&x.js',
      '-rf.py',
      './-x.tex',
      'docs/--shell-escape.tex',
      'a/-b/c.py',
    ];
    const r = validatePlan(plan(attacks));
    assert.equal(r.ok, false);
    const errors = r.ok ? [] : r.errors;
    assert.deepEqual(
      errors.map((e) => [e.code, e.path, e.taskIds]),
      attacks.map((_, j) => ['option-like-path', ['tasks', 0, 'files', j], ['evil']]),
    );
    assert.match(errors[0]!.message, /beginning with "-".*option/);
    // With a ":" (or a folder "--require=." ending in a dot) the name is refused as unportable before its
    // dash is looked at: refused either way.
    for (const p of ['--import=data:text/javascript,process.exit(0);0&&x.js', '--require=./evil.js']) assert.equal(validatePlan(plan([p])).ok, false, p);
  });

  it('accepts dashes inside names and names beginning with dots', () => {
    const r = validatePlan(plan(['my-file.py', 'a-b/c--d.js', '..foo.py', '.eslintrc.json', 'x/..y/z.py']));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.deepEqual(r.plan.tasks[0]!.files, ['my-file.py', 'a-b/c--d.js', '..foo.py', '.eslintrc.json', 'x/..y/z.py']);
  });

  it('an update (the updater model) cannot add or give a task an option-like path either', () => {
    const before = fromEdges(['a>b']);
    const r = applyPlanUpdate(before, { reason: 'r', replace: [task('b', ['a'], ['--require=x.js'])], add: [task('c', ['b'], ['-c.py'])], remove: [] });
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.errors.map((e) => e.code), ['option-like-path', 'option-like-path']);
  });

  it('leavesRoot: only a ".." segment or an absolute path leaves', () => {
    for (const rel of ['..', '../a', '..\\a', '/abs', 'C:\\x', '\\\\server\\share']) assert.equal(leavesRoot(rel), true, rel);
    for (const rel of ['', 'a', '..foo.py', '..foo/bar', 'a/../b', '...']) assert.equal(leavesRoot(rel), false, rel);
  });
});
