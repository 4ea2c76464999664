import assert from 'node:assert/strict';
import fc from 'fast-check';
import { depthOf, kindOf, languageOf, mergeCandidates, mergeTasks, planningFeatures, recoveryFeatures, taskFeatures } from '../../../src/core/policy';
import type { Plan, Task } from '../../../src/core/plan/schema';

const task = (id: string, deps: string[] = [], files: string[] = [`${id}.py`], extra: Partial<Task> = {}): Task => ({
  id,
  title: `Task ${id}`,
  objective: `Build ${id}`,
  role: 'developer',
  deps,
  files,
  acceptance: [`${id} works`],
  ...extra,
});

describe('policy context features', () => {
  it('buckets a task into short features: kind and language from its files, size, depth, failures, role', () => {
    const plan: Plan = { tasks: [task('a'), task('b', ['a']), task('c', ['b'], ['docs/x.md', 'README.md'], { role: 'Technical Writer' })] };
    const f = taskFeatures(plan.tasks[2] as Task, { plan, priorFailures: 3 });
    assert.deepEqual(f, { kind: 'docs', lang: 'text', size: 'M', depth: '2+', fails: '2+', role: 'technical-writer' });
    assert.equal(kindOf(task('t', [], ['tests/test_board.py'])), 'test');
    assert.equal(kindOf(task('k', [], ['package.json', 'tsconfig.json'])), 'config');
    assert.equal(kindOf(task('r', [], ['src/a.ts'], { title: 'Refactor the parser' })), 'refactor');
    assert.equal(kindOf(task('e', [], ['src/a.ts']), new Set(['src/a.ts'])), 'edit');
    assert.equal(kindOf(task('n', [], ['src/a.ts']), new Set()), 'create');
    assert.equal(languageOf(['a.ts', 'b.tsx', 'c.css']), 'ts');
    assert.equal(languageOf(['a.py', 'b.ts']), 'mixed');
    assert.equal(languageOf([]), 'none');
    assert.equal(depthOf(plan, 'a'), 0);
    assert.deepEqual(recoveryFeatures(task('a'), 'test', 1), { failure: 'test', attempt: '1', kind: 'create', size: 'S' });
    assert.equal(recoveryFeatures(task('a'), 'test', 5).attempt, '3+');
    assert.deepEqual(planningFeatures('Fix the crash on save', 3), { type: 'bugfix', scope: '2-5' });
  });
});

describe('policy merge transformation', () => {
  it('merges a task into its predecessor even when a common dependent needs both (deps collapse to one)', () => {
    const plan: Plan = { tasks: [task('a'), task('b', ['a']), task('d', ['a', 'b'])] };
    const r = mergeTasks(plan, 'a', 'b');
    assert.ok(r.ok);
    assert.deepEqual(r.plan.tasks.find((t) => t.id === 'd')?.deps, ['a']);
  });

  it('refuses a merge that another path would turn into a cycle, and accepts a clean one', () => {
    const chain: Plan = { tasks: [task('a'), task('x', ['a']), task('b', ['a', 'x'])] };
    const refused = mergeTasks(chain, 'a', 'b');
    assert.equal(refused.ok, false);
    const plan: Plan = { tasks: [task('a'), task('b', ['a'], ['b.py', 'shared.py']), task('c', ['b']), task('d', ['b', 'z']), task('z')] };
    const r = mergeTasks(plan, 'a', 'b');
    assert.ok(r.ok);
    assert.deepEqual(r.merged.files, ['a.py', 'b.py', 'shared.py']);
    assert.equal(r.merged.id, 'a');
    assert.deepEqual(r.plan.tasks.map((t) => t.id), ['a', 'c', 'd', 'z']);
    assert.deepEqual(r.plan.tasks.find((t) => t.id === 'c')?.deps, ['a']);
    assert.deepEqual(r.plan.tasks.find((t) => t.id === 'd')?.deps, ['a', 'z']);
    assert.deepEqual(r.merged.acceptance, ['a works', 'b works']);
    assert.equal(mergeTasks(plan, 'b', 'a').ok, false, 'the wrong way round');
  });

  it('property: a legal merge keeps the plan acyclic, loses no file and no other task', () => {
    const arbPlan = fc.integer({ min: 2, max: 8 }).chain((n) =>
      fc.array(fc.array(fc.nat({ max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }).map((depLists) => {
        const tasks = depLists.map((deps, i) => task(`t${i}`, [...new Set(deps.filter((d) => d < i).map((d) => `t${d}`))]));
        return { tasks } as Plan;
      }),
    );
    fc.assert(
      fc.property(arbPlan, (plan) => {
        for (const [first, second] of mergeCandidates(plan)) {
          const r = mergeTasks(plan, first, second);
          if (!r.ok) return false;
          const files = new Set(r.plan.tasks.flatMap((t) => t.files));
          if (plan.tasks.some((t) => t.files.some((f) => !files.has(f)))) return false;
          if (r.plan.tasks.length !== plan.tasks.length - 1) return false;
          // Acyclic: a topological order exists.
          const done = new Set<string>();
          let progress = true;
          while (progress) {
            progress = false;
            for (const t of r.plan.tasks) {
              if (!done.has(t.id) && t.deps.every((d) => done.has(d))) {
                done.add(t.id);
                progress = true;
              }
            }
          }
          if (done.size !== r.plan.tasks.length) return false;
          if (r.plan.tasks.some((t) => t.deps.includes(second))) return false;
        }
        return true;
      }),
      { numRuns: 150 },
    );
  });
});
