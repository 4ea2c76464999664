/**
 * The run's staging area: every agent write lands in a layer of its task, never in the workspace. A task
 * reads the workspace plus what its upstream tasks staged; its own layer wins. When the task ends its layer
 * becomes a {@link TaskPatch}. Base files are hashed when the run first reads or stages them, so apply can
 * tell a user's edit from ours.
 */
import { closeSync, constants, fstatSync, openSync, promises as fs, readSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { errnoCode } from './errors';
import { hashBytes, makeFilePatch, type FileChange, type FilePatch, type TaskPatch } from './patch';
import { isSecretPath, lexicalCheck, WorkspaceGuard } from './workspacePaths';
import { listWorkspaceFiles } from '../context/workspaceFiles';

export interface BaseRecord {
  /** sha256 of the bytes; `null` when the file did not exist. */
  hash: string | null;
  content: string | null;
  /** Set when the file cannot be shown as text (binary, not UTF-8, too large). */
  unreadable?: string;
  /**
   * Set when the path may be neither read nor written: a folder, a FIFO, socket or device, a file with
   * other hard links, or one the OS refuses to open. Says why.
   */
  blocked?: string;
  /** Bytes in the file, when it is a regular file larger than the read cap (read_file then shows its head). */
  oversize?: number;
}

export interface StagingLimits {
  /** Largest content one write may stage (bytes). Default 1 MB. */
  maxFileBytes: number;
  /** Largest total a task's layer may hold (bytes). Default 5 MB. */
  maxTaskBytes: number;
  /** Largest file `read_file` returns (bytes). Default 1 MB. */
  maxReadBytes: number;
  /** Most entries `list_files` returns. Default 1000. */
  maxListEntries: number;
  /** Most files one task's layer (its patch) may hold. Default 500. */
  maxTaskFiles: number;
}

export const DEFAULT_STAGING_LIMITS: StagingLimits = { maxFileBytes: 1 << 20, maxTaskBytes: 5 << 20, maxReadBytes: 1 << 20, maxListEntries: 1000, maxTaskFiles: 500 };

/** `missing`: the file is not there (never existed, or deleted in the task's view). */
export type ToolOutcome<T> = { ok: true; value: T } | { ok: false; error: string; refused?: boolean; missing?: boolean };

/** What verification and the failure hook see of a task's output. */
export interface StagedView {
  /** The workspace root as given. */
  readonly root: string;
  readonly taskId: string;
  /** This task's own staged changes: path -> content (`null`: deleted). */
  readonly own: ReadonlyMap<string, string | null>;
  /** Upstream and own staged changes together, own winning. */
  readonly changes: ReadonlyMap<string, string | null>;
  /** Content as this task sees it, or `undefined` when absent or unreadable. */
  readFile(path: string): Promise<string | undefined>;
  /**
   * The workspace's version of a file from before the run (what the task's change is a change of): `null` when
   * it did not exist, `undefined` when it cannot be read as text or the path is refused.
   */
  readBase?(path: string): Promise<string | null | undefined>;
  /** Every file as this task sees it (workspace listing merged with staged changes). */
  listFiles(dir?: string): Promise<string[]>;
}

/** Whole-run staging: shared base records, one layer per running task, patches of finished tasks. */
export class StagingArea {
  readonly guard: WorkspaceGuard;
  private readonly bases = new Map<string, Promise<BaseRecord>>();
  private readonly finished = new Map<string, ReadonlyMap<string, string | null>>();

  /** @param reserved absolute paths agents never write (see {@link WorkspaceGuard}). */
  constructor(
    readonly root: string,
    readonly limits: StagingLimits = DEFAULT_STAGING_LIMITS,
    reserved: readonly string[] = [],
  ) {
    this.guard = new WorkspaceGuard(root, reserved);
  }

  /** The base record of `rel` (recorded at the first call), read through the already checked path `abs`. */
  base(rel: string, abs: string): Promise<BaseRecord> {
    let rec = this.bases.get(rel);
    if (!rec) {
      rec = readBase(abs, this.limits.maxReadBytes);
      this.bases.set(rel, rec);
    }
    return rec;
  }

  /**
   * Reads `paths` from the workspace again at their next use: a finished task's patch was applied and the task
   * runs again, so its next change is a change of what is now on disk.
   */
  forgetBases(paths: readonly string[]): void {
    for (const p of paths) this.bases.delete(p);
  }

  /** Makes a finished task's staged files visible to its dependents (also used on resume). */
  addFinished(patch: TaskPatch): void {
    this.finished.set(patch.taskId, new Map(patch.files.map((f) => [f.path, f.after])));
  }

  /** Every finished task's staged files together (each path has one owner, so the order does not matter). */
  allFinished(): Map<string, string | null> {
    const all = new Map<string, string | null>();
    for (const files of this.finished.values()) for (const [p, c] of files) all.set(p, c);
    return all;
  }

  /** A fresh layer for `taskId` that sees the staged files of `upstream` (its ancestors). */
  openLayer(taskId: string, owned: readonly string[], upstream: readonly string[]): TaskLayer {
    const visible = new Map<string, string | null>();
    for (const id of upstream) for (const [p, c] of this.finished.get(id) ?? []) visible.set(p, c);
    return new TaskLayer(this, taskId, new Set(owned), visible);
  }
}

/**
 * Opens a workspace file for reading without ever blocking or following a link: `O_NONBLOCK` so a FIFO
 * cannot hang the open, `O_NOFOLLOW` so a link swapped in after the guard's realpath is refused (the guard
 * hands over resolved paths). Windows has neither flag; there a FIFO cannot be made by a plain file.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** Why a file of this kind is never read or written, or `undefined` for a regular file with one link. */
function notPlainFile(st: Stats): string | undefined {
  if (st.isDirectory()) return 'is a folder';
  if (st.isFIFO()) return 'is a FIFO (named pipe), not a regular file';
  if (st.isSocket()) return 'is a socket, not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a regular file';
  if (!st.isFile()) return 'is not a regular file';
  // A second name of the same file can be a secret (`.env`, a key elsewhere on the disk) under an innocent
  // name: such files are refused outright, since the other names cannot all be found.
  if (st.nlink > 1) return `has ${st.nlink} hard links (another name of the same file may be a secret), so it is neither read nor written`;
  return undefined;
}

/** Reads at most `max` bytes from the start of `fh`. */
async function readHead(fh: FileHandle, max: number): Promise<Buffer> {
  const buf = Buffer.alloc(max);
  let got = 0;
  while (got < max) {
    const { bytesRead } = await fh.read(buf, got, max - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** sha256 of the whole file, read in bounded chunks (a file over the read cap is never held in memory). */
async function hashFile(fh: FileHandle): Promise<string> {
  const h = createHash('sha256');
  const buf = Buffer.alloc(1 << 20);
  let pos = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return h.digest('hex');
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
}

async function readBase(abs: string, maxBytes: number): Promise<BaseRecord> {
  let fh: FileHandle;
  try {
    fh = await fs.open(abs, OPEN_FLAGS);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { hash: null, content: null };
    if (code === 'EISDIR') return { hash: 'dir', content: null, unreadable: 'is a folder', blocked: 'is a folder' };
    // A socket cannot be opened at all (ENXIO): say what the file is when that is why.
    const st = await fs.lstat(abs).catch(() => undefined);
    const odd = st && notPlainFile(st);
    const why = odd ?? (code === 'ELOOP' ? 'is a symbolic link' : `cannot be opened (${code ?? (e instanceof Error ? e.name : 'error')})`);
    return { hash: 'unopenable', content: null, unreadable: why, blocked: why };
  }
  let data: Buffer;
  let hash: string;
  try {
    const st = await fh.stat();
    const odd = notPlainFile(st);
    if (odd) return { hash: st.isDirectory() ? 'dir' : 'special', content: null, unreadable: odd, blocked: odd };
    if (st.size > maxBytes) return { hash: await hashFile(fh), content: null, unreadable: `is ${st.size} bytes, larger than the read cap of ${maxBytes}`, oversize: st.size };
    // Never more than the cap, even if the file grew since the stat.
    data = await readHead(fh, maxBytes + 1);
    if (data.length > maxBytes) return { hash: await hashFile(fh), content: null, unreadable: `is larger than the read cap of ${maxBytes} bytes`, oversize: data.length };
    hash = hashBytes(data);
  } catch (e) {
    const why = `cannot be read (${errnoCode(e) ?? (e instanceof Error ? e.name : 'error')})`;
    return { hash: 'unreadable', content: null, unreadable: why, blocked: why };
  } finally {
    await fh.close();
  }
  if (data.includes(0)) return { hash, content: null, unreadable: 'is a binary file' };
  const text = data.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(data)) return { hash, content: null, unreadable: 'is not UTF-8 text' };
  return { hash, content: text };
}

/** One task's layer and its view of the files. Every method returns a result; none throws for bad input. */
export class TaskLayer implements StagedView {
  readonly own = new Map<string, string | null>();
  private readonly merged: Map<string, string | null>;
  private bytes = 0;

  constructor(
    private readonly area: StagingArea,
    readonly taskId: string,
    private readonly owned: ReadonlySet<string>,
    upstream: ReadonlyMap<string, string | null>,
  ) {
    this.merged = new Map(upstream);
  }

  get root(): string {
    return this.area.root;
  }

  get changes(): ReadonlyMap<string, string | null> {
    return this.merged;
  }

  /** `read_file`: own layer, then upstream layers, then the workspace; secrets and escapes refused. */
  async read(input: string): Promise<ToolOutcome<string>> {
    const r = await this.readView(input);
    return r.ok ? { ok: true, value: r.value.note === undefined ? r.value.text : `${r.value.text}${r.value.text.endsWith('\n') ? '' : '\n'}${r.value.note}` } : r;
  }

  /**
   * The file as this task sees it, with its checked relative path. `note` is set when only the head of a
   * file over the read cap is given (cut at a line end), and says how much was shown.
   */
  async readView(input: string): Promise<ToolOutcome<{ path: string; text: string; note?: string }>> {
    const chk = await this.area.guard.check(input, 'read');
    if (!chk.ok) return { ok: false, error: chk.reason, refused: true };
    const staged = this.merged.get(chk.path);
    if (staged !== undefined) return staged === null ? { ok: false, error: `${chk.path} was deleted`, missing: true } : { ok: true, value: { path: chk.path, text: staged } };
    const base = await this.area.base(chk.path, chk.absolute);
    if (base.hash === null) return { ok: false, error: `${chk.path} does not exist`, missing: true };
    if (base.oversize !== undefined) return this.readHead(chk.path, chk.absolute, base.oversize);
    if (base.content === null) return { ok: false, error: `${chk.path} ${base.unreadable ?? 'cannot be read'}` };
    return { ok: true, value: { path: chk.path, text: base.content } };
  }

  /** The start of a file over the read cap, cut at a line end, with a note saying how much was shown. */
  private async readHead(rel: string, abs: string, size: number): Promise<ToolOutcome<{ path: string; text: string; note: string }>> {
    const max = this.area.limits.maxReadBytes;
    let data: Buffer;
    try {
      const fh = await fs.open(abs, OPEN_FLAGS);
      try {
        if (notPlainFile(await fh.stat())) return { ok: false, error: `${rel} is no longer a regular file` };
        data = await readHead(fh, max);
      } finally {
        await fh.close();
      }
    } catch (e) {
      return { ok: false, error: `${rel} cannot be read (${errnoCode(e) ?? 'error'})` };
    }
    if (data.includes(0)) return { ok: false, error: `${rel} is a binary file of ${size} bytes` };
    const nl = data.lastIndexOf(0x0a);
    const text = (nl >= 0 ? data.subarray(0, nl + 1) : data).toString('utf8');
    const shown = Buffer.byteLength(text, 'utf8');
    return { ok: true, value: { path: rel, text, note: `[read_file: showed the first ${shown} of ${size} bytes; the file is larger than the read cap of ${max} bytes]` } };
  }

  /**
   * The text of `rel` (a path the lister gave) as this task sees it, for scanning many files: staged content,
   * else the workspace file if it is a plain text file within the read cap. Links, special files, files with
   * other hard links, binaries and secrets give `undefined`; nothing is recorded as a base. Synchronous: for
   * thousands of small files a worker-thread round trip per call costs several times the read itself (the
   * caller yields to the event loop between files).
   */
  scanText(rel: string): string | undefined {
    if (isSecretPath(rel)) return undefined;
    const staged = this.merged.get(rel);
    if (staged !== undefined) return staged ?? undefined;
    let fd: number;
    try {
      fd = openSync(path.join(this.area.root, ...rel.split('/')), OPEN_FLAGS);
    } catch {
      return undefined;
    }
    try {
      const st = fstatSync(fd);
      if (notPlainFile(st) || st.size > this.area.limits.maxReadBytes) return undefined;
      // Only the file's size is read: a file that grew since is scanned as it was.
      const buf = Buffer.allocUnsafe(st.size);
      let got = 0;
      while (got < st.size) {
        const n = readSync(fd, buf, got, st.size - got, got);
        if (n === 0) break;
        got += n;
      }
      const data = buf.subarray(0, got);
      if (data.includes(0)) return undefined;
      return data.toString('utf8');
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }

  async readFile(path: string): Promise<string | undefined> {
    const r = await this.read(path);
    return r.ok ? r.value : undefined;
  }

  async readBase(input: string): Promise<string | null | undefined> {
    const chk = await this.area.guard.check(input, 'read');
    if (!chk.ok) return undefined;
    const base = await this.area.base(chk.path, chk.absolute);
    if (base.hash === null) return null;
    return base.content ?? undefined;
  }

  /** `write_file` (content) or `delete_file` (`null`) into this layer. */
  async stage(input: string, content: string | null): Promise<ToolOutcome<{ path: string; change: FileChange; bytes: number }>> {
    const chk = await this.area.guard.check(input, 'write', (rel) => this.owned.has(rel));
    if (!chk.ok) return { ok: false, error: chk.reason, refused: true };
    const rel = chk.path;
    const limits = this.area.limits;
    // Content length in UTF-16 units bounds its UTF-8 size from below by a third: no need to encode a huge body.
    if (content !== null && content.length > limits.maxFileBytes) return { ok: false, error: `${rel}: the content (${content.length} characters) exceeds the per-file cap of ${limits.maxFileBytes} bytes` };
    const size = content === null ? 0 : Buffer.byteLength(content, 'utf8');
    if (size > limits.maxFileBytes) return { ok: false, error: `${rel}: ${size} bytes exceeds the per-file cap of ${limits.maxFileBytes}` };
    if (!this.own.has(rel) && this.own.size >= limits.maxTaskFiles) return { ok: false, error: `${rel}: the task already changed ${this.own.size} files, the cap of files per task (maxTaskFiles ${limits.maxTaskFiles})` };
    const twin = await this.caseTwin(rel, chk.absolute);
    if (twin) return { ok: false, error: `${rel} differs only by case from ${twin}; on Windows and macOS they are one file`, refused: true };
    const previous = this.own.get(rel);
    const prevSize = previous ? Buffer.byteLength(previous, 'utf8') : 0;
    if (this.bytes - prevSize + size > this.area.limits.maxTaskBytes) return { ok: false, error: `the task's output would exceed its cap of ${this.area.limits.maxTaskBytes} bytes` };
    const base = await this.area.base(rel, chk.absolute);
    if (base.blocked) return { ok: false, error: `${rel} ${base.blocked}`, refused: true };
    const exists = this.merged.has(rel) ? this.merged.get(rel) !== null : base.hash !== null;
    if (content === null && !exists) return { ok: false, error: `${rel} does not exist` };
    this.own.set(rel, content);
    this.merged.set(rel, content);
    this.bytes += size - prevSize;
    const change: FileChange = content === null ? 'deleted' : base.hash === null ? 'created' : 'modified';
    return { ok: true, value: { path: rel, change, bytes: size } };
  }

  /**
   * A file this task sees whose path equals `rel` but for case (staged, or beside it in the workspace), or
   * `undefined`. Creating it would make two files that case-insensitive file systems cannot hold apart.
   */
  private async caseTwin(rel: string, abs: string): Promise<string | undefined> {
    const lower = rel.toLowerCase();
    for (const [p, c] of this.merged) if (c !== null && p !== rel && p.toLowerCase() === lower) return p;
    const name = path.basename(abs);
    let siblings: string[];
    try {
      siblings = await fs.readdir(path.dirname(abs));
    } catch {
      return undefined;
    }
    if (siblings.includes(name)) return undefined;
    const twin = siblings.find((s) => s.toLowerCase() === name.toLowerCase());
    return twin === undefined ? undefined : rel.slice(0, rel.lastIndexOf('/') + 1) + twin;
  }

  /** `list_files`: the workspace under `dir` merged with staged changes, secrets left out. */
  async list(dirInput: string, limit = this.area.limits.maxListEntries): Promise<ToolOutcome<{ files: string[]; truncated: boolean; dir: string }>> {
    let dir = '';
    const trimmed = dirInput.trim();
    if (trimmed !== '' && trimmed !== '.' && trimmed !== './') {
      const chk = await this.area.guard.check(trimmed, 'read');
      if (!chk.ok) return { ok: false, error: chk.reason, refused: true };
      dir = chk.path;
    }
    const listed = await listWorkspaceFiles(this.area.root, { dir, limit });
    const set = new Set(listed.files);
    const prefix = dir ? `${dir}/` : '';
    for (const [p, c] of this.merged) {
      if (!p.startsWith(prefix)) continue;
      if (c === null) set.delete(p);
      else set.add(p);
    }
    const files = [...set].filter((p) => !isSecretPath(p)).sort();
    return { ok: true, value: { files: files.slice(0, limit), truncated: listed.truncated || files.length > limit, dir } };
  }

  async listFiles(dir = ''): Promise<string[]> {
    const r = await this.list(dir);
    return r.ok ? r.value.files : [];
  }

  /** The layer as a patch (files sorted by path); no-op writes are left out. */
  async seal(runId: string): Promise<TaskPatch> {
    const files: FilePatch[] = [];
    for (const rel of [...this.own.keys()].sort()) {
      const chk = lexicalCheck(rel);
      if (!chk.ok) continue;
      const base = await this.area.base(rel, `${this.area.root}/${rel}`);
      const fp = makeFilePatch(rel, base, this.own.get(rel) ?? null);
      if (fp) files.push(fp);
    }
    return { version: 1, runId, taskId: this.taskId, state: 'proposed', files };
  }
}
