/** A workspace and a run journal with proposed patches, and a ReviewService over them, in the stand-in host. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { hashBytes, newRunId, RunJournal, type RunRecord } from '../../../src/core/run';
import type { FilePatch, TaskPatch } from '../../../src/core/run/patch';
import { createLogger } from '../../../src/vscode/log';
import { ReviewService } from '../../../src/vscode/review/reviewService';

export function silentLog() {
  const lines: string[] = [];
  const sink = { trace: (m: string) => lines.push(m), debug: (m: string) => lines.push(m), info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string | Error) => lines.push(String(m)) };
  return { lines, log: createLogger(sink, 'review') };
}

export interface Fixture {
  base: string;
  root: string;
  stateDir: string;
  runId: string;
  review: ReviewService;
  logLines: string[];
}

export function filePatch(path: string, before: string | null, after: string | null): FilePatch {
  return {
    path,
    change: before === null ? 'created' : after === null ? 'deleted' : 'modified',
    baseHash: before === null ? null : hashBytes(before),
    before,
    after,
    diff: createTwoFilesPatch(`a/${path}`, `b/${path}`, before ?? '', after ?? ''),
  };
}

/** A workspace with `files` on disk, and a run whose task `t1` proposes `patch` (and each of `more` its own). */
export async function fixture(files: Record<string, string>, patch: FilePatch[], more: Record<string, FilePatch[]> = {}, deps: Record<string, string[]> = {}): Promise<Fixture> {
  const base = mkdtempSync(join(tmpdir(), 'af-review-'));
  const root = join(base, 'ws');
  const stateDir = join(base, 'state');
  mkdirSync(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  const runId = newRunId();
  const now = Date.now();
  const patches: Record<string, FilePatch[]> = { t1: patch, ...more };
  const usage = { inputTokens: 0, outputTokens: 0, cost: 0 };
  const record: RunRecord = {
    version: 1, runId, createdAt: now, updatedAt: now, dir: root, status: 'completed',
    settings: { maxAgents: 1, apply: 'review', maxTurns: 5 },
    plan: { tasks: Object.entries(patches).map(([id, fp]) => ({ id, title: id.toUpperCase(), objective: 'o', role: 'developer', deps: deps[id] ?? [], files: fp.map((f) => f.path), acceptance: [] })) },
    tasks: Object.fromEntries(Object.keys(patches).map((id) => [id, { status: 'passed', attempts: 1, usage, refusals: 0 }])),
    usage, decisions: [], resumes: 0,
  } as unknown as RunRecord;
  const journal = await RunJournal.create(stateDir, record);
  for (const [taskId, files] of Object.entries(patches)) {
    const taskPatch: TaskPatch = { version: 1, runId, taskId, state: 'proposed', files };
    await journal.savePatch(taskPatch);
  }
  await journal.flush();
  const { log, lines } = silentLog();
  const review = new ReviewService({ stateDir, log, onPatch: () => undefined });
  return { base, root, stateDir, runId, review, logLines: lines };
}
