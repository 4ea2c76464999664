/**
 * Cleanup that survives a SIGKILL. Every temporary view and every verification process is recorded in the
 * state folder (`<state>/leftovers/<token>.json`) before it is created or started, and the record is removed
 * once it is gone. The next start or resume of any run sweeps the records whose owner process no longer runs:
 * it kills what is left of their processes and removes their views.
 *
 * Never anything it did not create:
 * - a view is removed only when the recorded path is a real folder (not a link), is named
 *   `agensflow-view-<token>` after its own record, and holds the marker file written at creation with that
 *   token; a folder without the marker is only `rmdir`-ed (which removes it only when empty);
 * - a process is killed only when its environment carries `AGENSFLOW_LEASE=<token>` (Linux reads it from
 *   /proc; elsewhere processes are not swept, and the record says so);
 * - records of a live owner (another run in progress) are left alone.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { errnoCode } from '../run/errors';

/** The environment variable that marks a verification process as ours. */
export const LEASE_ENV = 'AGENSFLOW_LEASE';
/** The file inside a view that proves it is ours (holds the view's token). */
export const VIEW_MARKER = '.agensflow-view';
const VIEW_PREFIX = 'agensflow-view-';
const TOKEN = /^[0-9a-f]{24}$/;

/** What a record stands for. */
export type Lease = { kind: 'view'; token: string; path: string; owner: Owner } | { kind: 'process'; token: string; owner: Owner; pid?: number };

/** The process that made a record: its pid and, on Linux, its start time (pids are reused). */
export interface Owner {
  pid: number;
  start?: string;
}

/** The folder name of a view with `token`. */
export function viewName(token: string): string {
  return `${VIEW_PREFIX}${token}`;
}

/** The start time of process `pid` from /proc (clock ticks since boot), or `undefined` where unknown. */
async function startTime(pid: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let me: Promise<Owner> | undefined;
function thisOwner(): Promise<Owner> {
  me ??= startTime(process.pid).then((start) => ({ pid: process.pid, ...(start !== undefined ? { start } : {}) }));
  return me;
}

/** True while the record's owner still runs (the same process: same pid and, where known, start time). */
async function ownerAlive(o: Owner): Promise<boolean> {
  try {
    process.kill(o.pid, 0);
  } catch (e) {
    if (errnoCode(e) === 'ESRCH') return false;
  }
  if (o.start === undefined) return true;
  return (await startTime(o.pid)) === o.start;
}

/** The records of one state folder. */
export class LeaseStore {
  readonly dir: string;
  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'leftovers');
  }

  private file(token: string): string {
    return path.join(this.dir, `${token}.json`);
  }

  /**
   * Records a lease before its view is made or its process started. A plain write suffices: a killed
   * process cannot leave a half-written small file (the write is one system call); a damaged record is
   * dropped by the sweep.
   */
  async record(lease: { kind: 'view'; token: string; path: string } | { kind: 'process'; token: string }): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await fs.writeFile(this.file(lease.token), JSON.stringify({ ...lease, owner: await thisOwner() }));
  }

  /** Adds the pid of a started process to its record (best effort: the sweep finds it by its environment anyway). */
  async started(token: string, pid: number): Promise<void> {
    await fs.writeFile(this.file(token), JSON.stringify({ kind: 'process', token, owner: await thisOwner(), pid })).catch(() => undefined);
  }

  async release(token: string): Promise<void> {
    await fs.rm(this.file(token), { force: true }).catch(() => undefined);
  }

  async list(): Promise<Array<{ token: string; lease?: Lease }>> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const out: Array<{ token: string; lease?: Lease }> = [];
    for (const n of names) {
      const token = n.replace(/\.json$/, '');
      if (!n.endsWith('.json') || !TOKEN.test(token)) continue;
      const lease = parseLease(await fs.readFile(path.join(this.dir, n), 'utf8').catch(() => ''), token);
      out.push(lease ? { token, lease } : { token });
    }
    return out;
  }
}

function parseLease(text: string, token: string): Lease | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  const owner = r.owner as Record<string, unknown> | undefined;
  if (r.token !== token || typeof owner !== 'object' || owner === null || typeof owner.pid !== 'number') return undefined;
  const o: Owner = { pid: owner.pid, ...(typeof owner.start === 'string' ? { start: owner.start } : {}) };
  if (r.kind === 'view' && typeof r.path === 'string' && path.isAbsolute(r.path)) return { kind: 'view', token, path: r.path, owner: o };
  if (r.kind === 'process') return { kind: 'process', token, owner: o, ...(typeof r.pid === 'number' ? { pid: r.pid } : {}) };
  return undefined;
}

/** What a sweep did. */
export interface SweepReport {
  /** Views removed. */
  removed: string[];
  /** Processes killed. */
  killed: number[];
  /** Records not acted on, with why (a path that is not ours, a platform without /proc). */
  skipped: Array<{ what: string; reason: string }>;
}

/** Pids (Linux) whose environment carries `AGENSFLOW_LEASE=<token>` for one of `tokens`. */
async function processesWithLease(tokens: ReadonlySet<string>): Promise<Array<{ pid: number; token: string }>> {
  if (process.platform !== 'linux' || tokens.size === 0) return [];
  const out: Array<{ pid: number; token: string }> = [];
  const names = await fs.readdir('/proc').catch(() => [] as string[]);
  for (const n of names) {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) continue;
    const env = await fs.readFile(`/proc/${n}/environ`).catch(() => undefined);
    if (!env) continue;
    for (const entry of env.toString('latin1').split('\0')) {
      if (!entry.startsWith(`${LEASE_ENV}=`)) continue;
      const token = entry.slice(LEASE_ENV.length + 1);
      if (tokens.has(token)) out.push({ pid: Number(n), token });
    }
  }
  return out;
}

/**
 * Removes view `p` if, and only if, it is ours (see the module comment). Returns why not otherwise; a
 * folder already gone counts as removed.
 */
export async function removeOwnView(p: string, token: string): Promise<string | undefined> {
  if (path.basename(p) !== viewName(token)) return 'its name is not the one this record made';
  let st;
  try {
    st = await fs.lstat(p);
  } catch (e) {
    return errnoCode(e) === 'ENOENT' ? undefined : `cannot inspect it: ${(e as Error).message}`;
  }
  if (st.isSymbolicLink() || !st.isDirectory()) return 'it is not a folder (a link or a file stands there)';
  const marker = path.join(p, VIEW_MARKER);
  const mst = await fs.lstat(marker).catch(() => undefined);
  if (!mst) {
    // Made, but killed before the marker was written: only an empty folder is removed.
    try {
      await fs.rmdir(p);
      return undefined;
    } catch {
      return 'it holds no marker of ours';
    }
  }
  if (!mst.isFile() || (await fs.readFile(marker, 'utf8').catch(() => '')) !== token) return 'its marker is not ours';
  await fs.rm(p, { recursive: true, force: true, maxRetries: 3 });
  return undefined;
}

/** Kills and removes what dead owners left (see the module comment). Never throws. */
export async function sweepLeftovers(stateDir: string): Promise<SweepReport> {
  const store = new LeaseStore(stateDir);
  const report: SweepReport = { removed: [], killed: [], skipped: [] };
  const orphans: Lease[] = [];
  for (const { token, lease } of await store.list()) {
    if (!lease) {
      await store.release(token);
      continue;
    }
    if (await ownerAlive(lease.owner)) continue;
    orphans.push(lease);
  }
  // Processes first: a process still running in a view would write into it while it is removed.
  const procTokens = new Set(orphans.filter((l) => l.kind === 'process').map((l) => l.token));
  // A process may start a child between a scan and its kill: its group goes with it, and the scan is
  // repeated until it finds nothing (a bounded number of times).
  for (let round = 0; round < 10; round++) {
    const found = await processesWithLease(procTokens);
    if (found.length === 0) break;
    for (const { pid } of found) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // not a group leader
      }
      try {
        process.kill(pid, 'SIGKILL');
        if (!report.killed.includes(pid)) report.killed.push(pid);
      } catch {
        // already gone
      }
    }
  }
  for (const l of orphans) {
    if (l.kind === 'process') {
      if (process.platform !== 'linux') report.skipped.push({ what: `process ${l.pid ?? '?'}`, reason: 'processes are swept on Linux only' });
      await store.release(l.token);
      continue;
    }
    const why = await removeOwnView(l.path, l.token).catch((e: unknown) => `cannot remove it: ${(e as Error).message}`);
    if (why === undefined) report.removed.push(l.path);
    else report.skipped.push({ what: l.path, reason: why });
    await store.release(l.token);
  }
  return report;
}
