/** A seeded 200-task (or N-task) plan (1-3 dependencies each, up to 25 tasks back) in a mid-run state, for the paint benchmark. */
import type { Plan, Task } from '../../src/core/plan/schema';
import type { RunEvent, TaskStatus } from '../../src/core/run/events';
import { applyEvents } from '../../src/protocol/reducer';
import { emptyViewState, type RunViewState } from '../../src/protocol/viewState';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export function plan200(n = 200, seed = 7): Plan {
  const rnd = lcg(seed);
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) {
    const deps = new Set<string>();
    if (i >= 10) for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) deps.add(`t${String(i - 1 - Math.floor(rnd() * Math.min(i, 25))).padStart(3, '0')}`);
    const id = `t${String(i).padStart(3, '0')}`;
    tasks.push({ id, title: `Task ${i}: module ${i % 17}`, objective: `Implement part ${i}.`, role: ['python developer', 'tester', 'writer'][i % 3]!, deps: [...deps], files: [`src/m${i}.py`], acceptance: [] });
  }
  return { goal: 'A 200-task plan for the paint benchmark', tasks };
}

export function state200(n = 200): RunViewState {
  const plan = plan200(n);
  const STATUSES: TaskStatus[] = ['passed', 'passed', 'running', 'verifying', 'pending', 'failed', 'unverified', 'ready'];
  let ts = 1_780_000_000_000;
  const at = (): { runId: string; ts: number } => ({ runId: `bench-${n}`, ts: (ts += 10) });
  const events: RunEvent[] = [{ type: 'run.started', goal: plan.goal ?? '', dir: '/bench', ...at() }, { type: 'plan.ready', plan, ...at() }];
  plan.tasks.forEach((t, i) => events.push({ type: 'task.status', taskId: t.id, status: STATUSES[i % STATUSES.length]!, ...at() }));
  return applyEvents(emptyViewState(), events);
}
