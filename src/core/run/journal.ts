/**
 * The run journal: everything needed to show, resume and apply a run, persisted atomically as it goes.
 * Layout under the state folder:
 *   runs/<runId>/run.json            the run record (plan, statuses, usage, decisions, patch states)
 *   runs/<runId>/patches/<task>.json each finished task's patch with its contents
 *   runs/<runId>/events.jsonl        the event log (append-only, for audit; never needed to resume)
 * `run.json` and the patches are written with writeFileVerified (temp file, short writes refused, size checked,
 * rename), so a crash or a full disk leaves the old or the new file, never half of one; record writes are
 * serialised and coalesced so the engine never waits on the disk. A write that failed is remembered until a
 * later one of the same file succeeds, and {@link RunJournal.flush} throws a JournalWriteError while any is
 * outstanding: a run whose journal is behind is never reported as a success.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeFsError, nodeWriteIo, removeStrayTemps, writeFileVerified, type WriteIo } from '../fs/atomicWrite';
import { errnoCode, JournalError, JournalWriteError } from './errors';
import type { DecisionMode, DecisionOption, Finding, PatchState, RunEvent, TaskStatus } from './events';
import type { TaskPatch } from './patch';
import type { CheckAttribution } from './attribution';
import type { Plan } from '../plan/schema';
import { toPlan } from '../plan/validPlan';
import { RUN_ID_PATTERN, runIdsNewestFirst } from './runId';
import { firstIssue, RunRecordSchema, TaskPatchSchema } from './records';
import { validatePlan } from '../plan/validate';
import { formatJsonPath } from '../plan/errors';

export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'budget';

export interface TaskUsage {
  inputTokens: number;
  outputTokens: number;
  /** Dollars over the priced calls. */
  cost: number;
  /** Calls of a model with no known price: their cost is unknown, not zero. */
  unpricedCalls?: number;
  /** Calls paid by the user's plan (e.g. VS Code's language models): no price, and none owed. */
  includedCalls?: number;
}

export interface TaskRecord {
  status: TaskStatus;
  reason?: string;
  agent?: string;
  attempts: number;
  summary?: string;
  startedAt?: number;
  endedAt?: number;
  usage: TaskUsage;
  /** Writes refused by the path rules. */
  refusals: number;
  patch?: { state: PatchState; files: string[]; reason?: string };
  /** Findings of the last verification that found something (capped). */
  findings?: Finding[];
  /** Plan updates this task's failures caused (the per-task update budget). */
  updates?: number;
  /** Retries of the task's current version spent on failures of the test command (kept across a resume). */
  checkRetries?: number;
}

export interface DecisionRecord {
  ts: number;
  taskId?: string;
  point: string;
  options: DecisionOption[];
  choice: string;
  mode: DecisionMode;
  reason: string;
  /** The learned policy's id of the decision (its outcome can still be recorded after the run). */
  decisionId?: string;
}

/** Options a resumed run reuses (never keys). */
export interface RunSettings {
  maxAgents: number;
  apply: 'review' | 'auto';
  maxTurns: number;
  provider?: string;
  model?: string;
  baseUrl?: string;
  config?: string;
}

/** How verification saw the workspace and what sandbox contained its commands. */
export interface VerificationRecord {
  view: 'overlay' | 'copy';
  sandbox: 'bwrap' | 'sandbox-exec' | 'none';
  reason?: string;
}

export interface RunRecord {
  version: 1;
  runId: string;
  createdAt: number;
  updatedAt: number;
  goal?: string;
  dir: string;
  status: RunStatus;
  exitCode?: number;
  reason?: string;
  settings: RunSettings;
  plan: Plan;
  tasks: Record<string, TaskRecord>;
  usage: TaskUsage;
  decisions: DecisionRecord[];
  /** Plan updates applied in this run (the per-run update budget). */
  updates?: number;
  /** The whole-run check (test command) after every task finished, when one is configured. */
  check?: {
    outcome: 'passed' | 'failed' | 'unverified';
    findings: Finding[];
    /** A failing check: the tasks it was put down to (which retried or re-planned), and why each. */
    attributed?: CheckAttribution[];
  };
  /** How many times this run was resumed. */
  resumes: number;
  /** The verification mode of the run's last start or resume (see the `verify.mode` event). */
  verification?: VerificationRecord;
  /** Wall time of the run's scheduling (last segment when resumed), and its critical-path bound. */
  makespanMs?: number;
  criticalPathMs?: number;
}

/** `$XDG_STATE_HOME/agensflow`, else `~/.local/state/agensflow`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'state'), 'agensflow');
}

export function runDir(stateDir: string, runId: string): string {
  return path.join(stateDir, 'runs', runId);
}

function patchFile(dir: string, taskId: string): string {
  return path.join(dir, 'patches', `${taskId}.json`);
}

/** One run's journal. Mutate the record with {@link update}; persistence follows. */
/** Options of {@link RunJournal.create} and {@link RunJournal.open}. */
export interface JournalOptions {
  /** The file operations (tests inject faults). */
  io?: WriteIo;
}

export class RunJournal {
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private scheduled = false;
  /** The last failed write of run.json, until a later one succeeds. */
  private recordFailure: unknown;
  /** Failed patch writes by task, until that patch is written again. */
  private readonly patchFailures = new Map<string, unknown>();
  private readonly patchWrites = new Set<Promise<void>>();
  /** Least time between two writes of run.json (ms). */
  minIntervalMs = 25;
  private readonly eventLines: string[] = [];
  private flushingEvents: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly record: RunRecord,
    private readonly io: WriteIo = nodeWriteIo,
  ) {}

  get runId(): string {
    return this.record.runId;
  }

  /** Creates the folder and writes the first record. */
  static async create(stateDir: string, record: RunRecord, opts: JournalOptions = {}): Promise<RunJournal> {
    const dir = runDir(stateDir, record.runId);
    await fs.mkdir(path.join(dir, 'patches'), { recursive: true });
    const j = new RunJournal(dir, record, opts.io);
    try {
      await j.writeNow();
    } catch (e) {
      throw new JournalWriteError(`cannot create the run journal in ${dir}: ${describeFsError(e)}`, { cause: e });
    }
    return j;
  }

  /** Opens an existing run (for resume and apply). */
  static async open(stateDir: string, runId: string, opts: JournalOptions = {}): Promise<RunJournal> {
    if (!RUN_ID_PATTERN.test(runId)) throw new JournalError(`"${runId}" is not a run id`);
    const dir = runDir(stateDir, runId);
    const record = await readRecord(path.join(dir, 'run.json'));
    // Temporary files of a writer that crashed (killed mid-write): never part of the journal.
    await removeStrayTemps(dir);
    await removeStrayTemps(path.join(dir, 'patches'));
    return new RunJournal(dir, record, opts.io);
  }

  /** Changes the record and schedules an atomic write (coalesced with others pending). */
  update(mutate: (r: RunRecord) => void): void {
    mutate(this.record);
    this.record.updatedAt = Date.now();
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    this.writing = this.writing.then(async () => {
      this.scheduled = false;
      if (!this.dirty) return;
      await this.writeNow().catch(() => undefined);
      // At most one record write per interval: each one fsyncs, and a burst of them would fill libuv's
      // thread pool ahead of the engine's own file reads. Updates made meanwhile are written together next.
      if (this.minIntervalMs > 0) await new Promise<void>((r) => setTimeout(r, this.minIntervalMs));
    });
  }

  /**
   * Writes the record now, after any write in progress, and waits for it: for a change the run must not
   * lose in a crash before it goes on (a plan update, which a resume has to see).
   */
  persist(): Promise<void> {
    const write = this.writing.then(async () => {
      if (!this.dirty) return;
      await this.writeNow().catch(() => undefined);
    });
    this.writing = write;
    return write;
  }

  /**
   * Waits for pending writes. Throws a JournalWriteError when the record or a patch could not be written
   * (and no later write of it succeeded): the journal on disk is behind the run.
   */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.patchWrites]);
    // A record write that failed is tried once more: the disk may have room again.
    if (this.recordFailure !== undefined) this.dirty = true;
    await this.persist();
    await this.flushEvents();
    const failure = this.recordFailure ?? [...this.patchFailures.values()][0];
    if (failure !== undefined) {
      const what = this.recordFailure !== undefined ? 'run.json' : `the patch of ${[...this.patchFailures.keys()].join(', ')}`;
      throw new JournalWriteError(`the run journal could not be saved (${what}: ${describeFsError(failure)}); it is behind what happened`, { cause: failure });
    }
  }

  /** True while a write of the record or of a patch has failed and not been redone. */
  get behind(): boolean {
    return this.recordFailure !== undefined || this.patchFailures.size > 0;
  }

  private async writeNow(): Promise<void> {
    // The record may name patches: they reach the disk first (the engine does not wait for them).
    if (this.patchWrites.size) await Promise.allSettled([...this.patchWrites]);
    this.dirty = false;
    try {
      await writeFileVerified(path.join(this.dir, 'run.json'), JSON.stringify(this.record, null, 1) + '\n', { io: this.io });
      this.recordFailure = undefined;
    } catch (e) {
      // Still to be written: the next update (or flush) writes the whole record again.
      this.dirty = true;
      this.recordFailure = e;
      throw e;
    }
  }

  /**
   * Stores a patch with its contents (atomically). The record is not written until every patch started
   * before it is on disk, so callers need not wait unless they read the file back.
   */
  savePatch(patch: TaskPatch): Promise<void> {
    const write = writeFileVerified(patchFile(this.dir, patch.taskId), JSON.stringify(patch) + '\n', { io: this.io });
    this.patchWrites.add(write);
    const taskId = patch.taskId;
    write.then(
      () => {
        this.patchWrites.delete(write);
        this.patchFailures.delete(taskId);
      },
      (e: unknown) => {
        this.patchWrites.delete(write);
        this.patchFailures.set(taskId, e);
      },
    );
    return write;
  }

  /** Removes a task's stored patch (a task made to run again); no patch is not an error. */
  async removePatch(taskId: string): Promise<void> {
    if (this.patchWrites.size) await Promise.allSettled([...this.patchWrites]);
    await fs.rm(patchFile(this.dir, taskId), { force: true });
    this.patchFailures.delete(taskId);
  }

  /** The stored patch of a task (checked against the patch schema), or `undefined` when it has none. */
  async loadPatch(taskId: string): Promise<TaskPatch | undefined> {
    let text: string;
    try {
      text = await fs.readFile(patchFile(this.dir, taskId), 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw new JournalError(`cannot read the patch of ${taskId}: ${(e as Error).message}`, { cause: e });
    }
    const invalid = (why: string): JournalError =>
      new JournalError(`run ${this.runId}: patches/${taskId}.json is not a valid AgensFlow patch (${why}); it was left as it is`);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw invalid(`not JSON: ${(e as Error).message}`);
    }
    const parsed = TaskPatchSchema.safeParse(data);
    if (!parsed.success) throw invalid(firstIssue(parsed.error));
    if (parsed.data.taskId !== taskId) throw invalid(`taskId: it names task "${parsed.data.taskId}"`);
    return parsed.data;
  }

  /** Appends to events.jsonl (batched; text deltas are left out to keep the log small). */
  logEvent(event: RunEvent): void {
    if (event.type === 'agent.text') return;
    this.eventLines.push(JSON.stringify(event));
    if (this.eventLines.length === 1) {
      this.flushingEvents = this.flushingEvents.then(() => this.flushEvents());
    }
  }

  /** Appends the events logged so far (best effort: the event log is for audit, never needed to resume). */
  async flushEvents(): Promise<void> {
    if (!this.eventLines.length) return;
    const text = this.eventLines.splice(0).join('\n') + '\n';
    await fs.appendFile(path.join(this.dir, 'events.jsonl'), text).catch(() => undefined);
  }
}

/**
 * Reads and checks a run record: the schema (older records get the defaults of fields added since), then the
 * plan rules again (no cycle, known deps, safe paths), since the file may have been edited or damaged.
 */
async function readRecord(file: string): Promise<RunRecord> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new JournalError(errnoCode(e) === 'ENOENT' ? `no run journal at ${path.dirname(file)}` : `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  const invalid = (why: string): JournalError =>
    new JournalError(`run ${path.basename(path.dirname(file))}: run.json is not a valid AgensFlow run record (${why}); it was left as it is`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw invalid(`not JSON: ${(e as Error).message}`);
  }
  const parsed = RunRecordSchema.safeParse(data);
  if (!parsed.success) throw invalid(firstIssue(parsed.error));
  // The task cap was checked when the run started (with its own --max-tasks); only the graph rules matter here.
  const plan = validatePlan(parsed.data.plan, { maxTasks: Number.MAX_SAFE_INTEGER });
  if (!plan.ok) {
    const e = plan.errors[0];
    throw invalid(`plan${e?.path?.length ? '.' + formatJsonPath(e.path) : ''}: ${e?.message ?? 'invalid'}`);
  }
  return { ...parsed.data, plan: toPlan(plan.plan) };
}

export interface RunSummary {
  runId: string;
  createdAt: number;
  goal?: string;
  dir: string;
  status: RunStatus;
  tasks: number;
  counts: Partial<Record<TaskStatus, number>>;
}

/** Past runs under `stateDir`, newest first; unreadable journals are skipped. */
export async function listRuns(stateDir: string): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await fs.readdir(path.join(stateDir, 'runs'));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw e;
  }
  const out: RunSummary[] = [];
  for (const name of runIdsNewestFirst(names)) {
    try {
      const r = await readRecord(path.join(runDir(stateDir, name), 'run.json'));
      const counts: Partial<Record<TaskStatus, number>> = {};
      for (const t of Object.values(r.tasks)) counts[t.status] = (counts[t.status] ?? 0) + 1;
      out.push({ runId: r.runId, createdAt: r.createdAt, goal: r.goal ?? r.plan.goal, dir: r.dir, status: r.status, tasks: r.plan.tasks.length, counts });
    } catch {
      // A journal being written by a crashed process or a foreign folder: not listed.
    }
  }
  return out;
}
