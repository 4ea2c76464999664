/**
 * The build information of an incremental `tsc`, kept per run where it is safe.
 *
 * `tsc --incremental` trusts its build-info file: file hashes and the errors found last time. Whoever can
 * write that file can make a later check pass, so it lives where nothing the agents wrote can reach it: a
 * private temporary folder of ours (0700, recorded for the cleanup after a crash like a view), never in the
 * view. Each `tsc` gets a folder of its own inside it holding a copy of the last build information of its
 * project, and only that folder is writable to it (a bind in bubblewrap, a rule in macOS's profile); no
 * other command sees the folder. What `tsc` leaves there becomes the project's build information only when
 * it ended by itself and the file is whole JSON, by an atomic rename (two checks at once: the last one wins,
 * neither reads a torn file). Without a sandbox every command runs with the user's rights and could write
 * there too: `tsc` then runs in full, as before.
 *
 * `tsc`'s own program is never the agents' (staged files under `node_modules` are refused, and a staged
 * copy of the user's program is pinned to the user's), and reads only sources and configuration.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { LeaseStore } from './leftovers';
import { removeOwnView } from './leftovers';
import { newToken } from './sandbox';
import { leasedTempDir } from './view';

/** Build information larger than this is not kept (a project that big gains little from a copy of it). */
const MAX_BUILD_INFO_BYTES = 256 * 1024 * 1024;
const FILE = 'build.tsbuildinfo';

/** One `tsc`'s private folder and options. */
export interface TscCheckout {
  /** The folder this `tsc` alone may write (absolute). */
  dir: string;
  /** The options that make `tsc --noEmit` incremental, writing its build information only into `dir`. */
  args: string[];
  /** Keeps what `tsc` wrote as its project's build information (when it is whole JSON). Never throws. */
  keep(): Promise<void>;
  /** Removes the private folder. Never throws. */
  dispose(): Promise<void>;
}

export class TscBuildCache {
  private base: Promise<{ dir: string; token: string } | undefined> | undefined;
  /** How many `tsc` runs were incremental, how many of them started from kept build information, how many left some. */
  readonly stats = { checkouts: 0, reused: 0, kept: 0 };

  constructor(private readonly leases: LeaseStore | undefined) {}

  /**
   * A private folder for one `tsc` of `projectDir` as commands see it under `viewRoot` (an overlay's views
   * share the workspace's path, and so their build information; each copy has its own), holding the
   * project's last build information. `undefined` when no temporary folder can be made (then `tsc` runs in
   * full).
   */
  async checkout(viewRoot: string, projectDir: string): Promise<TscCheckout | undefined> {
    this.base ??= leasedTempDir(this.leases).catch(() => undefined);
    const base = await this.base;
    if (!base) return undefined;
    const key = createHash('sha256').update(`${viewRoot}\0${projectDir}`).digest('hex').slice(0, 32);
    const kept = path.join(base.dir, `${key}.tsbuildinfo`);
    // Every folder sits at the same depth in `base`: the paths tsc records relative to its file stay valid.
    const dir = path.join(base.dir, newToken());
    const file = path.join(dir, FILE);
    try {
      await fs.mkdir(dir, { mode: 0o700 });
      const reused = await fs.copyFile(kept, file).then(
        () => true,
        (e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
          return false;
        },
      );
      this.stats.checkouts++;
      if (reused) this.stats.reused++;
    } catch {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return undefined;
    }
    return {
      dir,
      args: ['--incremental', 'true', '--composite', 'false', '--tsBuildInfoFile', file, '--generateTrace', 'null'],
      keep: async () => {
        try {
          const st = await fs.lstat(file);
          if (!st.isFile() || st.size > MAX_BUILD_INFO_BYTES) return;
          JSON.parse(await fs.readFile(file, 'utf8'));
          await fs.rename(file, kept);
          this.stats.kept++;
        } catch {
          // Not written, or not whole: the last good build information stays.
        }
      },
      dispose: () => fs.rm(dir, { recursive: true, force: true }).catch(() => undefined),
    };
  }

  /** The folder of the run's build information, once a `tsc` asked for it. */
  async folder(): Promise<string | undefined> {
    return (await this.base)?.dir;
  }

  /** Removes the run's build information (a run that ended). */
  async clear(): Promise<void> {
    const base = await this.base;
    this.base = undefined;
    if (!base) return;
    await removeOwnView(base.dir, base.token).catch(() => undefined);
    await this.leases?.release(base.token).catch(() => undefined);
  }
}
