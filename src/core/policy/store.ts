import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { acquireProcessLock } from '../fs/processLock';
import { describeFsError, removeStrayTemps, writeFileVerified, type WriteIo } from '../fs/atomicWrite';
import type { PolicyDocument } from './document';
import { migrate, POLICY_SCHEMA, POLICY_VERSION } from './migrations';
import { CoordinationPolicy, type PolicySettings } from './policy';
import { DEFAULT_POLICY, withShippedPoints } from './points';
import { emptyState, PolicyStateSchema, type PolicyState } from './state';

/**
 * The per-workspace policy file: versioned JSON, never in the repository (the caller gives the path: the
 * extension's workspace storage, or `policyPathFor` for the CLI). Writes are atomic with a backup of the
 * previous good file; an unreadable file is set aside as `<path>.corrupt-<time>` and the backup used; a file
 * from a newer version is refused (never downgraded) and the policy runs from its prior without saving; two
 * writers on one workspace lock, re-read, replay their own pending operations and write, so neither loses
 * the other's updates.
 *
 * Crash safety: every write is verified (src/core/fs/atomicWrite: short writes and a full disk fail and leave
 * the previous file whole); a writer killed between its temporary file and the rename leaves a temporary that
 * the next load or save removes. A lock left by a crashed process is reclaimed once stale (a log line says
 * so); a lock dated in the future (a clock set back, a copied folder) cannot belong to a live writer on this
 * machine and is removed, also with a log line, instead of blocking every save.
 */

/** How a load went; anything but `loaded`/`created` comes with a message for the user (`migrated` says where the original was kept). */
export type LoadStatus = 'loaded' | 'created' | 'migrated' | 'recovered-from-backup' | 'reset-after-corruption' | 'newer-version';

export interface LoadResult {
  policy: CoordinationPolicy;
  store: PolicyStore;
  status: LoadStatus;
  /** A sentence for the user when something was not as expected. */
  message?: string;
  /** True when saving is refused (a newer version's file). */
  readOnly: boolean;
  /** Where an unreadable file was moved. */
  setAside?: string;
}

export interface SaveResult {
  ok: boolean;
  message?: string;
  setAside?: string;
}

type ReadResult =
  | { kind: 'missing' }
  | { kind: 'ok'; state: PolicyState; from: number }
  | { kind: 'newer'; version: number }
  | { kind: 'corrupt'; message: string };

/** Store options. */
export interface StoreOptions {
  /** The prior document for states that do not carry their own (default: the shipped one). */
  document?: PolicyDocument;
  settings?: PolicySettings;
  /** How long a crashed writer's lock stays before it is considered stale (ms). */
  lockStaleMs?: number;
  now?: () => number;
  /** File operations of writes (tests inject disk-full and other faults). */
  io?: WriteIo;
  /** Where notices go (a stale lock reclaimed, ...). */
  log?: (line: string) => void;
}

/** The versioned envelope of a state. */
export function encodeState(state: PolicyState): string {
  return `${JSON.stringify({ schema: POLICY_SCHEMA, version: POLICY_VERSION, data: state })}\n`;
}

/** Parses, migrates and validates a file's text (pure). */
export function decodeState(text: string): ReadResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { kind: 'corrupt', message: `not valid JSON (${(e as Error).message})` };
  }
  const migrated = migrate(json);
  if (!migrated.ok) return migrated.reason === 'newer' ? { kind: 'newer', version: migrated.version } : { kind: 'corrupt', message: migrated.message };
  const parsed = PolicyStateSchema.safeParse(migrated.data);
  if (!parsed.success) return { kind: 'corrupt', message: `invalid content (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''})` };
  return { kind: 'ok', state: parsed.data, from: migrated.from };
}

async function readState(path: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'corrupt', message: `unreadable (${(e as Error).message})` };
  }
  return decodeState(text);
}

export class PolicyStore {
  readonly backupPath: string;
  private readOnly = false;

  constructor(
    readonly path: string,
    private readonly options: StoreOptions = {},
  ) {
    this.backupPath = `${path}.bak`;
  }

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private documentFor(state: PolicyState | undefined): PolicyDocument {
    // A prior stored with the state (an imported policy) may predate a decision point: the shipped one fills it.
    return state?.prior ? withShippedPoints(state.prior) : (this.options.document ?? DEFAULT_POLICY);
  }

  private newPolicy(state: PolicyState | undefined): CoordinationPolicy {
    const doc = this.documentFor(state);
    return new CoordinationPolicy(doc, state ?? emptyState(doc.id, this.now), this.options.settings);
  }

  /** Moves an unreadable file aside (never overwriting it) and returns its new name. */
  private async setAside(): Promise<string | undefined> {
    const target = `${this.path}.corrupt-${new Date(this.now).toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(this.path, target);
      return target;
    } catch {
      return undefined;
    }
  }

  /** Where the file of an older format is kept, as it was, before the first save rewrites it. */
  preMigrationBackupPath(version: number): string {
    return `${this.path}.v${version}.bak`;
  }

  /**
   * An older format migrated in memory: the file as it was is copied beside it first (an existing copy is
   * kept: it is the oldest), since the next save replaces it and the rolling backup is overwritten by the
   * save after. Without that copy nothing is saved, so the original is never lost.
   */
  private async loadMigrated(state: PolicyState, from: number): Promise<LoadResult> {
    const policy = this.newPolicy(state);
    const target = this.preMigrationBackupPath(from);
    try {
      const original = await readFile(this.path);
      const existing = await readFile(target).catch(() => undefined);
      if (existing === undefined) await writeFileVerified(target, original, this.options.io ? { io: this.options.io } : {});
      return { policy, store: this, status: 'migrated', readOnly: false, message: `The policy file ${this.path} was migrated from format ${from} to ${POLICY_VERSION}; the original is kept as ${target}.` };
    } catch (e) {
      this.readOnly = true;
      return {
        policy,
        store: this,
        status: 'migrated',
        readOnly: true,
        message: `The policy file ${this.path} (format ${from}) could not be backed up before migrating (${describeFsError(e)}); it is left untouched and this session does not save what it learns.`,
      };
    }
  }

  /** Reads the policy (see the module comment for what happens to a bad file). */
  async load(): Promise<LoadResult> {
    await removeStrayTemps(dirname(this.path), basename(this.path));
    const r = await readState(this.path);
    if (r.kind === 'ok' && r.from < POLICY_VERSION) return this.loadMigrated(r.state, r.from);
    if (r.kind === 'ok') return { policy: this.newPolicy(r.state), store: this, status: 'loaded', readOnly: false };
    if (r.kind === 'missing') return { policy: this.newPolicy(undefined), store: this, status: 'created', readOnly: false };
    if (r.kind === 'newer') {
      this.readOnly = true;
      return {
        policy: this.newPolicy(undefined),
        store: this,
        status: 'newer-version',
        readOnly: true,
        message: `The policy file ${this.path} was written by a newer AgensFlow (format ${r.version}; this one reads up to ${POLICY_VERSION}). It is left untouched; this session uses the default policy and does not save what it learns.`,
      };
    }
    const setAside = await this.setAside();
    const backup = await readState(this.backupPath);
    const where = setAside ? ` It was moved to ${setAside}.` : '';
    if (backup.kind === 'ok') {
      const res: LoadResult = {
        policy: this.newPolicy(backup.state),
        store: this,
        status: 'recovered-from-backup',
        readOnly: false,
        message: `The policy file ${this.path} could not be read (${r.message}).${where} The last backup is used; what was learned since it was written is lost.`,
      };
      if (setAside) res.setAside = setAside;
      return res;
    }
    const res: LoadResult = {
      policy: this.newPolicy(undefined),
      store: this,
      status: 'reset-after-corruption',
      readOnly: false,
      message: `The policy file ${this.path} could not be read (${r.message}) and there is no usable backup.${where} The policy starts again from its defaults.`,
    };
    if (setAside) res.setAside = setAside;
    return res;
  }

  private log(line: string): void {
    this.options.log?.(`[policy] ${line}`);
  }

  /** The lock proper-lockfile keeps beside the file (a folder whose mtime the holder refreshes). */
  get lockPath(): string {
    return `${this.path}.lock`;
  }

  /** Says what will happen to a lock found on disk, and removes one dated in the future (S5). */
  private async inspectLock(staleMs: number): Promise<void> {
    let mtime: number;
    try {
      mtime = (await stat(this.lockPath)).mtimeMs;
    } catch {
      return;
    }
    const wall = Date.now();
    if (mtime > wall + staleMs) {
      // A live holder refreshes the lock to its own "now" every staleMs/2: one this far ahead of our clock was
      // not written by a live writer on this machine. Waiting for it to age would block saving until that date.
      this.log(`the policy lock ${this.lockPath} is dated ${new Date(mtime).toISOString()}, in the future (a clock set back, or a copied folder): removed`);
      await rm(this.lockPath, { recursive: true, force: true });
    } else if (wall - mtime > staleMs) {
      this.log(`reclaiming the stale policy lock ${this.lockPath}, untouched for ${Math.round((wall - mtime) / 1000)} s (its holder stopped: a crashed window?)`);
    }
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(dirname(this.path), { recursive: true });
    const stale = this.options.lockStaleMs ?? 10_000;
    await this.inspectLock(stale);
    let release: () => Promise<void>;
    try {
      release = await acquireProcessLock(this.path, { staleMs: stale, waitMs: 10_000, log: (l) => this.log(l) });
    } catch (e) {
      if (e instanceof Error && e.name === 'LockBusyError') throw new Error(`another AgensFlow process is saving this policy (lock ${this.lockPath}); if none is running, delete that folder`, { cause: e });
      throw e;
    }
    try {
      // Under the lock no other writer is mid-write: any temporary of this file is a crashed writer's.
      await removeStrayTemps(dirname(this.path), basename(this.path));
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }

  private async write(state: PolicyState, backupCurrent: boolean): Promise<void> {
    const io = this.options.io ? { io: this.options.io } : {};
    if (backupCurrent) {
      // The backup is a verified copy too; failing to make one does not block saving the new state.
      const current = await readFile(this.path).catch(() => undefined);
      if (current) await writeFileVerified(this.backupPath, current, io).catch((e: unknown) => this.log(`no backup of the policy written: ${describeFsError(e)}`));
    }
    await writeFileVerified(this.path, encodeState(state), io);
  }

  /**
   * Saves what the policy learned: under the lock, re-reads the file, replays this policy's pending operations
   * onto it and writes the result; the policy then continues from the merged state. A failed save keeps the
   * operations pending for the next attempt.
   */
  async save(policy: CoordinationPolicy): Promise<SaveResult> {
    if (this.readOnly) return { ok: false, message: 'not saved: the policy file belongs to a newer AgensFlow' };
    const ops = policy.takePending();
    try {
      return await this.withLock(async () => {
        const disk = await readState(this.path);
        if (disk.kind === 'newer') {
          this.readOnly = true;
          policy.restorePending(ops);
          return { ok: false, message: `not saved: ${this.path} was meanwhile written by a newer AgensFlow (format ${disk.version})` };
        }
        let merged: PolicyState;
        let setAside: string | undefined;
        if (disk.kind === 'ok' && disk.state.priorId === policy.current.priorId) {
          merged = disk.state;
          policy.replayOnto(merged, ops);
        } else {
          // Nothing usable on disk (or it was reset or replaced by an import meanwhile): this policy's state wins.
          if (disk.kind === 'corrupt') setAside = await this.setAside();
          merged = policy.snapshot();
        }
        merged.updatedAt = Math.max(merged.updatedAt, this.now);
        await this.write(merged, disk.kind === 'ok');
        policy.adoptState(merged);
        const res: SaveResult = { ok: true };
        if (setAside) {
          res.setAside = setAside;
          res.message = `The policy file was unreadable when saving; it was moved to ${setAside}.`;
        }
        return res;
      });
    } catch (e) {
      policy.restorePending(ops);
      return { ok: false, message: `could not save the policy to ${this.path}: ${describeFsError(e)}` };
    }
  }

  /** Replaces the stored state wholesale (reset, import), under the lock, keeping a backup of the old file. */
  async replace(state: PolicyState): Promise<SaveResult> {
    if (this.readOnly) return { ok: false, message: 'not saved: the policy file belongs to a newer AgensFlow' };
    try {
      return await this.withLock(async () => {
        const disk = await readState(this.path);
        await this.write(state, disk.kind === 'ok');
        return { ok: true };
      });
    } catch (e) {
      return { ok: false, message: `could not write the policy to ${this.path}: ${describeFsError(e)}` };
    }
  }

  /** Forgets everything learned: a fresh state from the prior document. Returns the new policy. */
  async reset(): Promise<{ policy: CoordinationPolicy; result: SaveResult }> {
    const doc = this.options.document ?? DEFAULT_POLICY;
    const state = emptyState(doc.id, this.now);
    const result = await this.replace(state);
    return { policy: new CoordinationPolicy(doc, state, this.options.settings), result };
  }

  /** Creates a policy over a given state with this store's settings (after an import). */
  policyFor(state: PolicyState): CoordinationPolicy {
    return this.newPolicy(state);
  }
}

/** Opens the policy file at `path` (see {@link PolicyStore.load}). */
export function loadPolicy(path: string, options: StoreOptions = {}): Promise<LoadResult> {
  return new PolicyStore(path, options).load();
}
