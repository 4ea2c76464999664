/**
 * Scheduler benchmark (issue 4, item 9). Over 50 random DAGs of 10-40 tasks with uneven task lengths (each
 * task is 1-6 simulated model calls whose latencies come from a seeded log-normal distribution), it reports
 * makespan / max(critical path, total work / maxAgents) for:
 *   - ours: the real `runSchedule` (src/core/run/scheduler.ts) driven in virtual time;
 *   - flow: Flow's published loop (every 3 completions it stops scheduling, waits for every running task and
 *     runs an update call, then resumes);
 *   - waves: plain topological waves (a barrier after each level);
 *   - sequential: one task at a time;
 * with maxAgents 4 and unbounded. It also measures the engine's overhead per task (time not waiting on the
 * model): the scheduler alone, and the whole engine (agents, staging, patches, journal) with a zero-latency
 * in-process model.
 * Run: `node --import tsx bench/schedule.bench.ts [--json] [--seed N]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChatMessage, Model, ModelRequest, ModelResult } from '../src/core/models/types';
import { validatePlan } from '../src/core/plan';
import { mulberry32 } from '../src/core/policy/random';
import { weightedRemainingPath, type DagNode } from '../src/core/plan/adjacency';
import { startRun } from '../src/core/run/runEngine';
import { runSchedule } from '../src/core/run/scheduler';

// ---------- seeded randomness ----------

function gauss(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(rnd(), 1e-12))) * Math.cos(2 * Math.PI * rnd());
}

/** A model call's latency in ms: log-normal, median 3 s, sigma 0.7 (a heavy right tail, as real providers). */
function callLatency(rnd: () => number): number {
  return Math.round(3000 * Math.exp(0.7 * gauss(rnd)));
}

// ---------- random DAGs ----------

interface SimTask extends DagNode {
  duration: number;
}

function randomDag(rnd: () => number, index: number): SimTask[] {
  const n = 10 + Math.floor(rnd() * 31);
  const tasks: SimTask[] = [];
  for (let i = 0; i < n; i++) {
    const deps = new Set<string>();
    const k = i === 0 ? 0 : Math.floor(rnd() * 4); // 0-3 dependencies on earlier tasks
    for (let j = 0; j < k; j++) deps.add(tasks[Math.floor(rnd() * i)].id);
    const calls = 1 + Math.floor(rnd() * 6);
    let duration = 0;
    for (let c = 0; c < calls; c++) duration += callLatency(rnd);
    tasks.push({ id: `d${index}t${String(i).padStart(2, '0')}`, deps: [...deps], duration });
  }
  return tasks;
}

function criticalPath(tasks: SimTask[]): number {
  const dur = new Map(tasks.map((t) => [t.id, t.duration]));
  return Math.max(...weightedRemainingPath(tasks, (id) => dur.get(id) ?? 0).values());
}

// ---------- virtual time ----------

class VirtualClock {
  now = 0;
  private timers: Array<{ at: number; seq: number; fire: () => void }> = [];
  private seq = 0;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.now + ms, seq: this.seq++, fire: resolve });
    });
  }

  /** Runs `work` to completion, advancing time only when every promise chain waits on a timer. */
  async run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    let result!: T;
    void work.then((r) => {
      done = true;
      result = r;
    });
    for (;;) {
      await new Promise<void>((r) => setImmediate(r)); // drain every microtask first
      if (done) return result;
      if (!this.timers.length) throw new Error('deadlock: nothing scheduled and the work is not done');
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const at = this.timers[0].at;
      this.now = at;
      // Fire every timer due now together, as a real event loop would.
      while (this.timers.length && this.timers[0].at === at) (this.timers.shift() as { fire: () => void }).fire();
    }
  }
}

// ---------- the four schedulers ----------

async function ours(tasks: SimTask[], maxAgents: number): Promise<number> {
  const clock = new VirtualClock();
  const dur = new Map(tasks.map((t) => [t.id, t.duration]));
  await clock.run(
    runSchedule({
      nodes: tasks,
      maxAgents,
      runTask: async (ctx) => {
        await clock.sleep(dur.get(ctx.taskId) ?? 0);
        return 'done';
      },
    }),
  );
  return clock.now;
}

/** Discrete-event simulation of Flow's loop (flow.py, refine_threshold 3, strategy (b)); ready tasks by id. */
function flow(tasks: SimTask[], maxAgents: number, rnd: () => number, threshold = 3): number {
  const waiting = new Map(tasks.map((t) => [t.id, t.deps.length]));
  const children = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const d of t.deps) children.get(d)?.push(t.id);
  const dur = new Map(tasks.map((t) => [t.id, t.duration]));
  const ready = tasks.filter((t) => t.deps.length === 0).map((t) => t.id);
  const running: Array<{ id: string; end: number }> = [];
  let now = 0;
  let counter = 0;
  let finished = 0;
  while (finished < tasks.length) {
    ready.sort();
    while (ready.length && running.length < maxAgents) {
      const id = ready.shift() as string;
      running.push({ id, end: now + (dur.get(id) ?? 0) });
    }
    running.sort((a, b) => a.end - b.end);
    const next = running.shift() as { id: string; end: number };
    now = next.end;
    finished++;
    counter++;
    for (const c of children.get(next.id) ?? []) {
      const left = (waiting.get(c) ?? 0) - 1;
      waiting.set(c, left);
      if (left === 0) ready.push(c);
    }
    if (counter >= threshold && finished < tasks.length) {
      counter = 0;
      // Stop scheduling, wait for every running task (their completions release children), then update.
      for (const r of running.splice(0).sort((a, b) => a.end - b.end)) {
        now = Math.max(now, r.end);
        finished++;
        for (const c of children.get(r.id) ?? []) {
          const left = (waiting.get(c) ?? 0) - 1;
          waiting.set(c, left);
          if (left === 0) ready.push(c);
        }
      }
      if (finished < tasks.length) now += callLatency(rnd);
    }
  }
  return now;
}

/** Topological waves: every task of a level (at most maxAgents at once, longest first), then a barrier. */
function waves(tasks: SimTask[], maxAgents: number): number {
  const level = new Map<string, number>();
  for (const t of tasks) level.set(t.id, 1 + Math.max(0, ...t.deps.map((d) => level.get(d) ?? 0)));
  const byLevel = new Map<number, number[]>();
  for (const t of tasks) byLevel.set(level.get(t.id) ?? 1, [...(byLevel.get(level.get(t.id) ?? 1) ?? []), t.duration]);
  let total = 0;
  for (const l of [...byLevel.keys()].sort((a, b) => a - b)) {
    const durations = (byLevel.get(l) ?? []).sort((a, b) => b - a);
    const slots = Array(Math.min(maxAgents, durations.length)).fill(0) as number[];
    for (const d of durations) {
      slots.sort((a, b) => a - b);
      slots[0] += d;
    }
    total += Math.max(...slots);
  }
  return total;
}

function sequential(tasks: SimTask[]): number {
  return tasks.reduce((s, t) => s + t.duration, 0);
}

// ---------- overhead of the engine ----------

async function schedulerOverheadPerTask(tasks: SimTask[]): Promise<number> {
  const t0 = performance.now();
  await runSchedule({ nodes: tasks, maxAgents: 4, runTask: async () => 'done' });
  return (performance.now() - t0) / tasks.length;
}

/** A zero-latency model: turn 1 writes the task's file, turn 2 finishes. */
class InstantModel implements Model {
  readonly provider = 'openai-compatible' as const;
  readonly name = 'instant';
  async call(req: ModelRequest): Promise<ModelResult> {
    const first = req.messages.find((m): m is Extract<ChatMessage, { role: 'user' }> => m.role === 'user')?.content ?? '';
    const id = /^Task ([a-z0-9_-]+):/.exec(first)?.[1] ?? 'x';
    const turn = req.messages.filter((m) => m.role === 'assistant').length;
    const call =
      turn === 0 ? { id: 'c1', name: 'write_file', arguments: { path: `out/${id}.txt`, content: `${id}\n` }, rawArguments: '' } : { id: 'c2', name: 'finish', arguments: { summary: id }, rawArguments: '' };
    return { text: '', toolCalls: [call], usage: { inputTokens: 1, outputTokens: 1 }, stopReason: 'tool_calls', model: this.name };
  }
}

async function engineOverheadPerTask(tasks: SimTask[]): Promise<{ wall: number; cpu: number }> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'af-bench-'));
  try {
    const checked = validatePlan({ tasks: tasks.map((t) => ({ id: t.id, title: t.id, objective: 'o', deps: t.deps, files: [`out/${t.id}.txt`] })) }, { maxTasks: tasks.length });
    if (!checked.ok) throw new Error(`the simulated plan is invalid: ${checked.errors.map((e) => e.message).join('; ')}`);
    const plan = checked.plan;
    const cpu0 = process.cpuUsage();
    const out = await startRun({ dir: base, stateDir: path.join(base, '.state'), plan, model: new InstantModel(), maxAgents: 4 });
    const cpu = process.cpuUsage(cpu0);
    if (out.exitCode !== 0) throw new Error(`engine run failed: ${out.exitCode}`);
    // Wall: the scheduling span (makespan) with a model that answers at once; CPU: the process's user+system time.
    return { wall: (out.record.makespanMs ?? 0) / tasks.length, cpu: (cpu.user + cpu.system) / 1000 / tasks.length };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

// ---------- report ----------

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const seedArg = process.argv.indexOf('--seed');
  const seed = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 20250401;
  const rnd = mulberry32(seed).next;
  const dags = Array.from({ length: 50 }, (_, i) => randomDag(rnd, i));
  const suites: Array<{ name: string; maxAgents: number }> = [
    { name: 'maxAgents 4', maxAgents: 4 },
    { name: 'unbounded', maxAgents: Infinity },
  ];
  const report: Record<string, unknown> = { seed, dags: dags.length, tasks: dags.reduce((n, d) => n + d.length, 0) };
  const lines: string[] = [`schedule benchmark: ${dags.length} DAGs, ${report.tasks} tasks, seed ${seed}; ratio = makespan / max(critical path, work / maxAgents)`, ''];
  let ok = true;
  for (const suite of suites) {
    const ratios: Record<string, number[]> = { ours: [], flow: [], waves: [], sequential: [] };
    let oursBeatsWaves = 0;
    let oursTiesWaves = 0;
    const updRnd = mulberry32(seed ^ 0x9e3779b9).next;
    for (const dag of dags) {
      const work = sequential(dag);
      const bound = Math.max(criticalPath(dag), Number.isFinite(suite.maxAgents) ? work / suite.maxAgents : 0);
      const m = { ours: await ours(dag, suite.maxAgents), flow: flow(dag, suite.maxAgents, updRnd), waves: waves(dag, suite.maxAgents), sequential: work };
      for (const k of Object.keys(m) as Array<keyof typeof m>) ratios[k].push(m[k] / bound);
      if (m.ours < m.waves) oursBeatsWaves++;
      else if (m.ours === m.waves) oursTiesWaves++;
    }
    const summary = Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, { median: quantile(v, 0.5), p90: quantile(v, 0.9), max: Math.max(...v) }]));
    const medOurs = summary.ours.median;
    const medWaves = summary.waves.median;
    const pass = medOurs <= 1.05 && medOurs < medWaves;
    ok &&= pass;
    report[suite.name] = { ...summary, oursBeatsWaves, oursTiesWaves };
    lines.push(`${suite.name}:`);
    for (const [k, v] of Object.entries(summary)) lines.push(`  ${k.padEnd(10)} median ${v.median.toFixed(3)}  p90 ${v.p90.toFixed(3)}  max ${v.max.toFixed(3)}`);
    lines.push(`  ours faster than waves on ${oursBeatsWaves}/${dags.length} DAGs (equal on ${oursTiesWaves}); targets: ours median <= 1.05 and below waves: ${pass ? 'met' : 'MISSED'}`, '');
  }
  const sched: number[] = [];
  for (const dag of dags) sched.push(await schedulerOverheadPerTask(dag));
  const engineWall: number[] = [];
  const engineCpu: number[] = [];
  for (const dag of dags.slice(0, 10)) {
    const o = await engineOverheadPerTask(dag);
    engineWall.push(o.wall);
    engineCpu.push(o.cpu);
  }
  report.overheadMsPerTask = { scheduler: quantile(sched, 0.5), engineWall: quantile(engineWall, 0.5), engineCpu: quantile(engineCpu, 0.5) };
  const overheadOk = quantile(sched, 0.5) <= 1;
  ok &&= overheadOk;
  lines.push(
    `engine overhead per task (median, ms): scheduler ${quantile(sched, 0.5).toFixed(3)} (target <= 1: ${overheadOk ? 'met' : 'MISSED'});`,
    `  whole engine with a zero-latency model (2 calls/task, staging, patches, journal with fsync; 10 DAGs): wall ${quantile(engineWall, 0.5).toFixed(3)}, CPU ${quantile(engineCpu, 0.5).toFixed(3)}`,
  );
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode = ok ? 0 : 1;
}

void main();
