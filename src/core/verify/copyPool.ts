/**
 * Copy views made once per run and reused task after task, where no overlay can be had: a copy of the
 * workspace is made the first time (as materialise.ts makes one: ignore rules honoured, ignored bulk and
 * `node_modules` linked read-only, secrets left out), and every later task gets the same copy brought back in
 * step instead of a new one:
 *
 * - everything in the copy that is not as this pool left it (a file a check wrote, changed, replaced by a link
 *   or a folder; a staged file of the previous task) is removed, judged by inode, change time and size, which
 *   no process can set back;
 * - the workspace is walked again and only what is new or changed since (size, modification time) is copied,
 *   and what the user deleted is removed, so the copy follows a workspace that changes during the run;
 * - the task's staged files are written on top (and removed again the next time).
 *
 * A view is in use by one task at a time; several tasks at once each get a copy of their own. Copies left idle
 * are removed after a while, and when the process exits (their folders are recorded for the cleanup after a
 * crash, like every view).
 */
import { constants as fsConstants, lstatSync, promises as fs, readdirSync, rmSync, statSync, type Dirent, type Stats } from 'node:fs';
import * as path from 'node:path';
import { isSecretPath } from '../run/workspacePaths';
import { withWorkspaceLock } from '../run/workspaceLock';
import { changedMeanwhile, hasSymlinkParent, linkIgnoredOf, normaliseRelPath, NOT_LINKED_IN_NODE_MODULES, recreateLink, refusedStagedPath, REGENERATED_DIRS, SKIPPED_DIRS, type LinkIgnored } from './materialise';
import { VerifySetupError, type StagedLayer } from './types';

/** An idle copy is removed after this long without a task (the next one makes a new copy). */
const IDLE_MS = 60_000;

/** What the pool left at one path of the copy, and, for a copied file, what it copied it from. */
interface Entry {
  kind: 'file' | 'dir' | 'link';
  ino: number;
  ctimeMs: number;
  size: number;
  /** The workspace file's size and modification time when copied (files and workspace links). */
  src?: { size: number; mtimeMs: number };
}

/** One reusable copy: `<dir>/view` is the copy, `<dir>/tmp` a private temp folder. */
export interface PooledCopy {
  readonly dir: string;
  readonly root: string;
  readonly tmp: string;
  refused: Array<{ path: string; reason: string }>;
  droppedLinks: Array<{ path: string; reason: string }>;
  exists(rel: string): Promise<boolean>;
  /** Gives the copy back to the pool (it is brought in step again before its next use). */
  release(): void;
}

interface Slot {
  dir: string;
  root: string;
  tmp: string;
  entries: Map<string, Entry>;
  /** Removes the slot's folder (and its record). */
  remove: () => Promise<void>;
}

const toEntry = (kind: Entry['kind'], st: Stats, src?: Entry['src']): Entry => ({ kind, ino: st.ino, ctimeMs: st.ctimeMs, size: st.size, ...(src ? { src } : {}) });
const kindOf = (d: Dirent | Stats): Entry['kind'] | undefined => (d.isSymbolicLink() ? 'link' : d.isDirectory() ? 'dir' : d.isFile() ? 'file' : undefined);
const rmrf = (p: string): Promise<void> => fs.rm(p, { recursive: true, force: true, maxRetries: 3 });
/** Lets other work of the process run between two folders of a walk. */
const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The folders of every copy this process holds: removed when it exits (a crash leaves them to the next start's sweep). */
const held = new Set<string>();
let exitHook = false;
function hold(dir: string): void {
  held.add(dir);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const d of held) {
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        // best effort: the sweep of the next start removes what is left
      }
    }
  });
}

export class CopyPool {
  private readonly idle: Slot[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = 0;

  /**
   * @param src the workspace (a realpath)
   * @param makeDir makes a recorded temporary folder for a new copy and says how to remove it
   * @param ignored what the lister lets through (a sandboxed copy links the rest), or nothing (copy it all)
   */
  constructor(
    private readonly src: string,
    private readonly makeDir: () => Promise<{ dir: string; remove: () => Promise<void> }>,
    private readonly ignored: LinkIgnored | undefined,
  ) {}

  /** A copy of the workspace with `layers` on top, for one task. */
  async acquire(layers: readonly StagedLayer[]): Promise<PooledCopy> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.busy++;
    let slot = this.idle.pop();
    try {
      if (!slot) {
        const made = await this.makeDir();
        hold(made.dir);
        const remove = async (): Promise<void> => {
          await made.remove();
          held.delete(made.dir);
        };
        slot = { dir: made.dir, root: path.join(made.dir, 'view'), tmp: path.join(made.dir, 'tmp'), entries: new Map(), remove };
        await fs.mkdir(slot.root);
        await fs.mkdir(slot.tmp);
      }
      return await this.prepare(slot, layers);
    } catch (e) {
      this.busy--;
      if (slot) await slot.remove().catch(() => undefined);
      throw e instanceof VerifySetupError ? e : new VerifySetupError(`cannot make the verification copy: ${(e as Error).message}`);
    }
  }

  /** Removes every idle copy now. */
  async clear(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const slots = this.idle.splice(0);
    await Promise.all(slots.map((s) => s.remove().catch(() => undefined)));
  }

  private released(slot: Slot): void {
    this.busy--;
    this.idle.push(slot);
    if (this.busy === 0 && !this.timer) {
      this.timer = setTimeout(() => void this.clear(), IDLE_MS);
      this.timer.unref();
    }
  }

  private async prepare(slot: Slot, layers: readonly StagedLayer[]): Promise<PooledCopy> {
    const merged = new Map<string, Buffer | string | null>();
    for (const layer of layers) for (const [p, content] of layer) merged.set(normaliseRelPath(p), content);
    // A folder that receives a staged file is copied, not linked (a staged file is never written through a link).
    let ignored = this.ignored;
    if (ignored) {
      const staged = linkIgnoredOf([...merged.keys()]);
      ignored = { listed: ignored.listed, folders: new Set([...ignored.folders, ...staged.folders]) };
    }
    await rmrf(slot.tmp);
    await fs.mkdir(slot.tmp);
    await this.prune(slot, '');
    const droppedLinks: Array<{ path: string; reason: string }> = [];
    const seen = new Set<string>();
    await withWorkspaceLock(this.src, 'read', () => this.sync(slot, '', seen, droppedLinks, ignored));
    // What the user deleted since the last task goes from the copy too.
    for (const rel of [...slot.entries.keys()].sort((a, b) => b.length - a.length)) {
      if (seen.has(rel)) continue;
      slot.entries.delete(rel);
      await rmrf(path.join(slot.root, rel));
    }
    const refused: Array<{ path: string; reason: string }> = [];
    for (const [rel, content] of merged) {
      const why = refusedStagedPath(rel) ?? ((await hasSymlinkParent(slot.root, rel)) ? 'a parent folder is a symlink' : undefined);
      if (why) {
        refused.push({ path: rel, reason: why });
        continue;
      }
      const native = rel.split('/').join(path.sep);
      const dest = path.join(slot.root, native);
      // Never write through what sits where the staged file goes; the next task gets the workspace's file back.
      await rmrf(dest);
      slot.entries.delete(native);
      if (content === null) continue;
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.writeFile(dest, content);
    }
    let released = false;
    return {
      dir: slot.dir,
      root: slot.root,
      tmp: slot.tmp,
      refused,
      droppedLinks,
      exists: async (rel) => {
        try {
          return (await fs.lstat(path.join(slot.root, ...normaliseRelPath(rel).split('/')))).isFile();
        } catch {
          return false;
        }
      },
      release: () => {
        if (released) return;
        released = true;
        this.released(slot);
      },
    };
  }

  /**
   * Removes from the copy every entry under `rel` that is not as the pool left it (the checks' writes, staged
   * files). The metadata of a folder is read with synchronous calls, one folder at a time with a yield between
   * folders: thousands of small stat calls cost far less that way than each as a thread-pool round trip.
   */
  private async prune(slot: Slot, rel: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(slot.root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    const stale: string[] = [];
    const dirs: string[] = [];
    for (const d of entries) {
      const child = rel ? path.join(rel, d.name) : d.name;
      const known = slot.entries.get(child);
      const st = known ? lstatSync(path.join(slot.root, child), { throwIfNoEntry: false }) : undefined;
      const kind = st ? kindOf(st) : undefined;
      if (!known || !st || kind !== known.kind || st.ino !== known.ino || (kind !== 'dir' && (st.ctimeMs !== known.ctimeMs || st.size !== known.size))) {
        slot.entries.delete(child);
        stale.push(child);
      } else if (kind === 'dir') {
        dirs.push(child);
      }
    }
    await Promise.all(stale.map((c) => rmrf(path.join(slot.root, c))));
    for (const d of dirs) {
      await yieldNow();
      await this.prune(slot, d);
    }
  }

  /** Records what now sits at `child` in the copy. */
  private async record(slot: Slot, child: string, kind: Entry['kind'], src?: Entry['src']): Promise<void> {
    const st = await fs.lstat(path.join(slot.root, child));
    slot.entries.set(child, toEntry(kind, st, src));
  }

  /**
   * Brings the copy of folder `rel` in step with the workspace: what is new or changed is copied or linked.
   * Unchanged files are told by synchronous stat calls (see {@link CopyPool.prune}); only the changes are
   * written, at once.
   */
  private async sync(slot: Slot, rel: string, seen: Set<string>, droppedLinks: Array<{ path: string; reason: string }>, ignored: LinkIgnored | undefined): Promise<void> {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(this.src, rel), { withFileTypes: true });
    } catch (e) {
      if (changedMeanwhile(e) || (e as NodeJS.ErrnoException).code === 'EACCES') return;
      throw e;
    }
    if (rel && slot.entries.get(rel)?.kind !== 'dir') {
      // Never a link (an ignored folder linked before, that a staged file now needs as a real one): written through, it would reach the workspace.
      await rmrf(path.join(slot.root, rel));
      await fs.mkdir(path.join(slot.root, rel), { recursive: true });
      await this.record(slot, rel, 'dir');
    }
    if (rel) seen.add(rel);
    const work: Array<Promise<void>> = [];
    const dirs: string[] = [];
    for (const e of entries) {
      const child = rel ? path.join(rel, e.name) : e.name;
      if (isSecretPath(e.name)) continue;
      const slashed = child.split(path.sep).join('/');
      if (e.isSymbolicLink()) {
        const st = lstatSync(path.join(this.src, child), { throwIfNoEntry: false });
        const known = slot.entries.get(child);
        if (st && known?.src && known.src.mtimeMs === st.mtimeMs && known.src.size === st.size) seen.add(child);
        else work.push(this.relink(slot, child, slashed, st, seen, droppedLinks));
        continue;
      }
      if (e.isDirectory()) {
        if (e.name === 'node_modules') work.push(this.mirror(slot, child, seen));
        else if (SKIPPED_DIRS.has(e.name) || REGENERATED_DIRS.has(e.name)) continue;
        else if (ignored && !ignored.folders.has(slashed)) work.push(this.link(slot, child, seen));
        else dirs.push(child);
        continue;
      }
      // FIFOs, sockets and devices are left out (copying one fails or blocks), and so is what cannot be read.
      if (!e.isFile()) continue;
      if (ignored && !ignored.listed.has(slashed)) {
        work.push(this.link(slot, child, seen));
        continue;
      }
      let st: Stats | undefined;
      try {
        st = statSync(path.join(this.src, child), { throwIfNoEntry: false });
      } catch (err) {
        if (changedMeanwhile(err) || (err as NodeJS.ErrnoException).code === 'EACCES') continue;
        throw err;
      }
      if (!st) continue;
      const known = slot.entries.get(child);
      if (known?.kind === 'file' && known.src?.size === st.size && known.src.mtimeMs === st.mtimeMs) seen.add(child);
      else work.push(this.copyFile(slot, child, st, seen));
    }
    await Promise.all(work);
    for (const d of dirs) {
      await yieldNow();
      await this.sync(slot, d, seen, droppedLinks, ignored);
    }
  }

  /** Recreates a workspace link in the copy (or drops it, saying why). */
  private async relink(slot: Slot, child: string, slashed: string, st: Stats | undefined, seen: Set<string>, droppedLinks: Array<{ path: string; reason: string }>): Promise<void> {
    await rmrf(path.join(slot.root, child));
    slot.entries.delete(child);
    const reason = await recreateLink(this.src, slot.root, child).catch((err: unknown) => (changedMeanwhile(err) ? 'it changed while the copy was made' : Promise.reject(err)));
    if (reason !== undefined) droppedLinks.push({ path: slashed, reason });
    else if (st) {
      await this.record(slot, child, 'link', { size: st.size, mtimeMs: st.mtimeMs });
      seen.add(child);
    }
  }

  /** Copies one workspace file (new or changed since the copy held it; `st` its stat). */
  private async copyFile(slot: Slot, child: string, st: Stats, seen: Set<string>): Promise<void> {
    const from = path.join(this.src, child);
    const to = path.join(slot.root, child);
    await rmrf(to);
    slot.entries.delete(child);
    try {
      // EXCL: the path was just emptied; anything that appeared there since is not written through.
      await fs.copyFile(from, to, fsConstants.COPYFILE_FICLONE | fsConstants.COPYFILE_EXCL);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (changedMeanwhile(err) || code === 'EACCES' || code === 'EPERM') return;
      throw err;
    }
    await this.record(slot, child, 'file', { size: st.size, mtimeMs: st.mtimeMs });
    seen.add(child);
  }

  /** Links an ignored file or folder of the workspace into the copy (read-only in the sandbox). */
  private async link(slot: Slot, child: string, seen: Set<string>): Promise<void> {
    if (slot.entries.get(child)?.kind !== 'link') {
      await rmrf(path.join(slot.root, child));
      await fs.symlink(path.join(this.src, child), path.join(slot.root, child));
      await this.record(slot, child, 'link');
    }
    seen.add(child);
  }

  /** A `node_modules` as a real folder of links to the user's packages (see materialise.ts). */
  private async mirror(slot: Slot, rel: string, seen: Set<string>): Promise<void> {
    if (slot.entries.get(rel)?.kind !== 'dir') {
      await rmrf(path.join(slot.root, rel));
      await fs.mkdir(path.join(slot.root, rel), { recursive: true });
      await this.record(slot, rel, 'dir');
    }
    seen.add(rel);
    let names: string[];
    try {
      names = await fs.readdir(path.join(this.src, rel));
    } catch {
      return;
    }
    for (const name of names) {
      if (NOT_LINKED_IN_NODE_MODULES.has(name)) continue;
      const child = path.join(rel, name);
      if (slot.entries.get(child)?.kind !== 'link') {
        await rmrf(path.join(slot.root, child));
        await fs.symlink(path.join(this.src, child), path.join(slot.root, child), process.platform === 'win32' ? 'junction' : undefined);
        await this.record(slot, child, 'link');
      }
      seen.add(child);
    }
  }
}
