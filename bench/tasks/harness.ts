/**
 * The paper-tasks benchmark (issue 8): runs AgensFlow on the paper's three tasks with their prompts, each
 * trial in a fresh workspace through the CLI's `run` (in-process, `--apply auto --json`), then scores the
 * workspace per the paper's criteria and records tokens, cost and wall time. With `provider: 'scripted'` a
 * loopback server answers from canned outputs (a test of the harness, not of a model).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/io';
import type { RunEvent } from '../../src/core/run/events';
import { FakeModelServer } from '../../test/fixtures/fake-servers';
import { scoreGobang } from './score/gobang';
import { scoreSlides } from './score/slides';
import type { PaperTask, TaskScore } from './score/types';
import { scoreWebsite } from './score/website';
import { gobang } from './scripted/gobang';
import { scriptedHandler } from './scripted/handler';
import { slides } from './scripted/slides';
import { website } from './scripted/website';

export const PAPER_TASKS: readonly PaperTask[] = ['gobang', 'slides', 'website'];
const SCRIPTS = { gobang, slides, website };
const SCORERS: Record<PaperTask, (dir: string) => Promise<TaskScore>> = { gobang: scoreGobang, slides: scoreSlides, website: scoreWebsite };

export interface BenchTasksOptions {
  /** `scripted` (no model), or a CLI provider id. */
  provider: 'scripted' | 'openai' | 'openai-compatible' | 'anthropic';
  baseUrl?: string;
  model?: string;
  trials: number;
  tasks: readonly PaperTask[];
  maxAgents?: number;
  /** Where each trial's workspace is kept (`<out>/<task>-<n>/`). */
  out: string;
  /** The environment the CLI reads keys from. */
  env: Readonly<Record<string, string | undefined>>;
  /** Progress lines. */
  log: (line: string) => void;
}

export interface TrialResult {
  task: PaperTask;
  trial: number;
  exitCode: number;
  score: TaskScore;
  tokens: number;
  /** Dollars, when the model has a price. */
  cost?: number;
  wallMs: number;
  planUpdates: number;
  workspace: string;
  /** The run's notable events, one line each (failures, verdicts, decisions, updates, the end), to explain a result. */
  trace: string[];
}

/** One line for an event worth reading when a trial ends unexpectedly, or `undefined`. */
function traceLine(e: RunEvent): string | undefined {
  switch (e.type) {
    case 'task.status':
      return e.status === 'failed' || e.reason ? `task ${e.taskId} ${e.status}${e.reason ? `: ${e.reason}` : ''}` : undefined;
    case 'agent.started':
      return `agent ${e.taskId} attempt ${e.attempt} (${e.model})`;
    case 'task.verified':
      return `verified ${e.taskId} ${e.outcome}${e.findings.length ? `: ${e.findings.map((f) => f.message.split('\n')[0]).join(' | ')}` : ''}`;
    case 'decision':
      return `decision ${e.point}${e.taskId ? ` (${e.taskId})` : ''}: ${e.choice} [${e.mode}] ${e.reason}`;
    case 'plan.updated':
      return `plan updated for ${e.taskId}: changed ${e.changed.join(',')}`;
    case 'log':
      return e.level === 'warn' || e.level === 'error' ? `${e.level}: ${e.message}` : undefined;
    case 'run.finished':
      return `run ${e.status} (exit ${e.exitCode})${e.reason ? `: ${e.reason}` : ''}`;
    default:
      return undefined;
  }
}

/** The prompt a trial gives: the scripted tasks carry the paper's prompt (plus gobang's entry-point sentence). */
export const promptOf = (task: PaperTask): string => SCRIPTS[task].prompt;

/** Runs every trial of every task, in order (trials share nothing: fresh workspace, fresh state). */
export async function runBenchTasks(o: BenchTasksOptions): Promise<TrialResult[]> {
  const server = o.provider === 'scripted' ? await FakeModelServer.start({ handler: scriptedHandler(Object.values(SCRIPTS)).handler }) : undefined;
  const flags =
    server !== undefined
      ? ['--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'scripted']
      : ['--provider', o.provider, ...(o.baseUrl ? ['--base-url', o.baseUrl] : []), ...(o.model ? ['--model', o.model] : [])];
  const results: TrialResult[] = [];
  try {
    for (const task of o.tasks) {
      for (let trial = 1; trial <= o.trials; trial++) results.push(await runTrial(task, trial, flags, o));
    }
  } finally {
    await server?.close();
  }
  return results;
}

async function runTrial(task: PaperTask, trial: number, flags: readonly string[], o: BenchTasksOptions): Promise<TrialResult> {
  const scratch = mkdtempSync(path.join(tmpdir(), `agensflow-bench-${task}-`));
  const ws = path.join(scratch, 'ws');
  mkdirSync(ws);
  const events: RunEvent[] = [];
  let pending = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith('{')) events.push(JSON.parse(line) as RunEvent);
      }
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd: scratch,
    env: o.env,
  };
  o.log(`${task} trial ${trial}: running`);
  const started = performance.now();
  const exitCode = await main(['run', promptOf(task), '--dir', ws, '--apply', 'auto', '--json', '--state', path.join(scratch, 'state'), ...(o.maxAgents ? ['--max-agents', String(o.maxAgents)] : []), ...flags], io);
  const wallMs = performance.now() - started;
  const score = await SCORERS[task](ws);
  const usage = events.filter((e): e is Extract<RunEvent, { type: 'usage' }> => e.type === 'usage');
  const priced = usage.filter((u) => u.cost !== undefined);
  const keep = path.join(o.out, `${task}-${trial}`);
  rmSync(keep, { recursive: true, force: true });
  cpSync(ws, keep, { recursive: true });
  rmSync(scratch, { recursive: true, force: true });
  const result: TrialResult = {
    task,
    trial,
    exitCode,
    score,
    tokens: usage.reduce((s, u) => s + u.inputTokens + u.outputTokens, 0),
    ...(priced.length ? { cost: priced.reduce((s, u) => s + (u.cost ?? 0), 0) } : {}),
    wallMs,
    planUpdates: events.filter((e) => e.type === 'plan.updated').length,
    workspace: keep,
    trace: [...events.map(traceLine).filter((l): l is string => l !== undefined), ...(stderr ? [`stderr: ${stderr.trim()}`] : [])],
  };
  o.log(`${task} trial ${trial}: exit ${exitCode}, score ${(score.score * 100).toFixed(0)}% (${score.criteria.map((c) => `${c.name} ${c.ok ? '✔' : '✘'}`).join(', ')})`);
  return result;
}
