/**
 * The demo's logic, separate from the process entry (demo.ts) so a unit test runs the scripted path
 * in-process without building: prepare ./demo-out, start the scripted model server (or pick a live
 * provider), run `agensflow run` on the gobang task with `--apply auto`, then recap from the run's journal
 * (the injected failure, the local update, the policy's decisions) and play the result headless.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scoreGobang } from '../bench/tasks/score/gobang';
import { gobang } from '../bench/tasks/scripted/gobang';
import { scriptedHandler } from '../bench/tasks/scripted/handler';
import type { RunEvent } from '../src/core/run/events';
import { FakeModelServer } from '../test/fixtures/fake-servers';

/** Runs the CLI with these arguments, its human output going to the demo's stderr; resolves to the exit code. */
export type CliRunner = (argv: readonly string[]) => Promise<number>;

export interface DemoOptions {
  /** The output folder (created; a previous demo's output is replaced). */
  out: string;
  /** Use a real model instead of the scripted server. */
  live: boolean;
  provider?: string;
  baseUrl?: string;
  model?: string;
  env: Readonly<Record<string, string | undefined>>;
  cli: CliRunner;
  write: (text: string) => void;
}

export interface DemoResult {
  exitCode: number;
  events: RunEvent[];
  /** The scripted server's notes (empty when live). */
  notes: string[];
}

/** Marks a folder as the demo's, so a later demo may replace it and never touches anything else. */
const MARKER = '.agensflow-demo';
const SCRIPTED_BANNER = 'scripted model — no model is involved: canned answers for the gobang task, served by a loopback fake server';

export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

function prepareOut(out: string): void {
  if (existsSync(out)) {
    const entries = readdirSync(out);
    if (entries.length > 0 && !entries.includes(MARKER)) throw new DemoUsageError(`${out} exists and is not a previous demo's output: remove it or pass --out DIR`);
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, MARKER), 'Written by `npm run demo`; the demo replaces this folder on its next run.\n');
}

/** Provider flags for a live run, from the options and the environment; throws DemoUsageError when none fits. */
export function liveProviderFlags(o: Pick<DemoOptions, 'provider' | 'baseUrl' | 'model' | 'env'>): string[] {
  const provider = o.provider ?? (o.baseUrl ? 'openai-compatible' : o.env.OPENAI_API_KEY ? 'openai' : o.env.ANTHROPIC_API_KEY ? 'anthropic' : undefined);
  if (!provider) throw new DemoUsageError('--live needs OPENAI_API_KEY or ANTHROPIC_API_KEY in the environment, or --base-url URL (e.g. http://localhost:11434/v1 for Ollama) with --model NAME');
  if (provider === 'openai-compatible' && !o.model) throw new DemoUsageError('--base-url needs --model NAME (the model your server serves)');
  return ['--provider', provider, ...(o.baseUrl ? ['--base-url', o.baseUrl] : []), ...(o.model ? ['--model', o.model] : [])];
}

function readEvents(stateDir: string): RunEvent[] {
  const runs = path.join(stateDir, 'runs');
  if (!existsSync(runs)) return [];
  const id = readdirSync(runs).sort().at(-1);
  const file = id ? path.join(runs, id, 'events.jsonl') : '';
  if (!id || !existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunEvent);
}

/** The recap: what failed and why, how the plan was updated, what the policy decided. */
export function recap(events: readonly RunEvent[], notes: readonly string[]): string[] {
  const lines: string[] = [];
  for (const n of notes) lines.push(`  [scripted] ${n}`);
  for (const e of events) {
    if (e.type === 'task.verified' && e.outcome === 'failed') lines.push(`  ✘ ${e.taskId} failed verification: ${e.findings[0]?.message.split('\n')[0] ?? '(no finding)'}`);
    if (e.type === 'plan.updated') lines.push(`  ↻ local update at ${e.taskId}: ${e.reason} (changed: ${e.changed.join(', ') || 'none'}; added: ${e.added.join(', ') || 'none'}; removed: ${e.removed.join(', ') || 'none'})`);
    if (e.type === 'task.verified' && e.outcome === 'passed' && lines.some((l) => l.includes(`✘ ${e.taskId} failed`))) lines.push(`  ✔ ${e.taskId} passed verification after the update`);
  }
  const decisions = events.filter((e): e is Extract<RunEvent, { type: 'decision' }> => e.type === 'decision');
  lines.push(`  policy: ${decisions.length} decision${decisions.length === 1 ? '' : 's'}`);
  for (const d of decisions.slice(0, 12)) lines.push(`    ${d.point}${d.taskId ? ` [${d.taskId}]` : ''} -> ${d.choice} (${d.mode}): ${d.reason}`);
  if (decisions.length > 12) lines.push(`    ... ${decisions.length - 12} more (see the run's events.jsonl)`);
  return lines;
}

/** Runs the demo; resolves with the CLI's exit code (1 as well when the game fails its headless check). */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const out = path.resolve(o.out);
  prepareOut(out);
  const state = mkdtempSync(path.join(tmpdir(), 'agensflow-demo-state-'));
  let server: FakeModelServer | undefined;
  const notes: string[] = [];
  try {
    let providerFlags: string[];
    if (o.live) {
      providerFlags = liveProviderFlags(o);
      o.write(`live model: ${providerFlags.join(' ')}\n`);
    } else {
      const scripted = scriptedHandler([gobang], (line) => notes.push(line));
      server = await FakeModelServer.start({ handler: scripted.handler });
      providerFlags = ['--provider', 'openai-compatible', '--base-url', server.openaiBaseUrl, '--model', 'scripted-gobang'];
      o.write(`\n=== ${SCRIPTED_BANNER} ===\n\n`);
    }
    o.write(`task (the paper's gobang prompt, plus one sentence fixing an entry point a test can call):\n  ${gobang.prompt}\n\n`);
    const exitCode = await o.cli(['run', gobang.prompt, '--dir', out, '--apply', 'auto', '--state', state, ...providerFlags]);
    const events = readEvents(state);
    o.write(`\n--- what happened ---\n${recap(events, notes).join('\n')}\n`);
    const score = await scoreGobang(out);
    o.write(`\n--- the game, played headless (tkinter stubbed) ---\n${score.criteria.map((c) => `  ${c.ok ? '✔' : '✘'} ${c.name}: ${c.why}`).join('\n')}\n`);
    const files = readdirSync(out).filter((f) => f !== MARKER).sort();
    o.write(`\nfiles in ${path.relative(process.cwd(), out) || out}: ${files.join(', ') || '(none)'}\n`);
    if (files.includes('main.py')) o.write(`play it: cd ${path.relative(process.cwd(), out) || out} && python3 main.py\n`);
    if (!o.live) o.write(`\n(${SCRIPTED_BANNER}; run \`npm run demo -- --live\` with OPENAI_API_KEY or ANTHROPIC_API_KEY set, or --base-url for a local server)\n`);
    return { exitCode: exitCode === 0 && score.score < 1 && !o.live ? 1 : exitCode, events, notes };
  } finally {
    await server?.close();
    rmSync(state, { recursive: true, force: true });
  }
}
