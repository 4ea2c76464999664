/**
 * What one run's verifications share: the machine's sandbox support (probed once), the cap on checks
 * running at once, the record of temporary views and processes for the cleanup after a crash, and the
 * workspace's secrets (found once per run).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { listWorkspaceFiles, listWorkspaceFileStats } from '../context/workspaceFiles';
import type { Finding } from '../run/events';
import { CheckLimiter } from './limiter';
import { linkIgnoredOf, type LinkIgnored } from './materialise';
import { LeaseStore, sweepLeftovers, type SweepReport } from './leftovers';
import { sandboxSupport, type SandboxSupport, type VerificationMode } from './sandbox';
import type { StagedLayer } from './types';
import { createView, findSecrets, leasedTempDir, type SecretPath, type VerifyView } from './view';
import { CopyPool } from './copyPool';
import { TscBuildCache } from './tscCache';
import { removeOwnView } from './leftovers';

/** Most files listed to decide what a copy links instead of copying. */
const LISTING_CAP = 200_000;

export interface VerifyRuntimeOptions {
  /** The state folder: views and processes are recorded in `<state>/leftovers` (absent: not recorded). */
  stateDir?: string;
  /** Caps the checks running at once (default: one of the CPU count). */
  limiter?: CheckLimiter;
  /** `copy` makes every view a copy even where an overlay works (benchmarks, a user's choice). */
  view?: 'copy';
  /** The machine's support (tests); default the probe's, shared by the process. */
  support?: SandboxSupport | Promise<SandboxSupport>;
  /** The home folder the sandbox hides (default the user's). */
  home?: string;
  /** `false`: every `tsc` check runs in full (benchmarks compare the two). Default: incremental where safe. */
  incrementalTsc?: false;
}

export class VerifyRuntime {
  readonly limiter: CheckLimiter;
  readonly leases: LeaseStore | undefined;
  /** The build information of the run's incremental `tsc` checks (see tscCache.ts). */
  readonly tscCache: TscBuildCache | undefined;
  private readonly supported: Promise<SandboxSupport>;
  private readonly secretsByRoot = new Map<string, Promise<SecretPath[]>>();
  private readonly listedByRoot = new Map<string, Promise<LinkIgnored | undefined>>();
  private readonly baselines = new Map<string, Promise<Finding[] | undefined>>();
  private readonly pools = new Map<string, Promise<CopyPool>>();

  constructor(private readonly opts: VerifyRuntimeOptions = {}) {
    this.limiter = opts.limiter ?? new CheckLimiter();
    this.leases = opts.stateDir !== undefined ? new LeaseStore(opts.stateDir) : undefined;
    this.tscCache = opts.incrementalTsc === false ? undefined : new TscBuildCache(this.leases);
    this.supported = Promise.resolve(opts.support ?? sandboxSupport()).then((s) =>
      opts.view === 'copy' && s.view === 'overlay' ? { ...s, view: 'copy', reason: 'copy chosen by the settings' } : s,
    );
  }

  /** The machine's support as this runtime uses it. */
  support(): Promise<SandboxSupport> {
    return this.supported;
  }

  /** The view and sandbox every verification of this runtime uses, and why it is less than the best. */
  async mode(): Promise<VerificationMode> {
    const { view, sandbox, reason } = await this.supported;
    return { view, sandbox, ...(reason !== undefined ? { reason } : {}) };
  }

  /** Kills and removes what runs killed before left (never this process's own). */
  sweep(): Promise<SweepReport | undefined> {
    return this.opts.stateDir !== undefined ? sweepLeftovers(this.opts.stateDir) : Promise.resolve(undefined);
  }

  /**
   * What the lister lets through in `root`, listed once per run: a copy links the rest. Nothing when the
   * listing is cut short (a workspace past the cap is copied whole, as without ignore rules).
   */
  private async ignoredOf(root: string): Promise<{ ignored?: LinkIgnored }> {
    let listed = this.listedByRoot.get(root);
    if (!listed) {
      listed = listWorkspaceFiles(root, { limit: LISTING_CAP }).then((l) => (l.truncated ? undefined : linkIgnoredOf(l.files)), () => undefined);
      this.listedByRoot.set(root, listed);
    }
    const ignored = await listed;
    return ignored ? { ignored } : {};
  }

  /**
   * The errors of the whole-project check `checkId` on the unchanged workspace at `root`: `compute` runs once
   * per state of the workspace (its listed files' sizes and modification times), and again once the user
   * changed a file. `undefined` (not kept) when the baseline could not be had.
   */
  async baseline(root: string, checkId: string, compute: () => Promise<Finding[] | undefined>): Promise<Finding[] | undefined> {
    const key = `${path.resolve(root)}\0${checkId}\0${await workspaceState(root)}`;
    let found = this.baselines.get(key);
    if (!found) {
      const computing = compute().catch(() => undefined);
      found = computing;
      this.baselines.set(key, computing);
      void computing.then((b) => {
        if (b === undefined && this.baselines.get(key) === computing) this.baselines.delete(key);
      });
    }
    return found;
  }

  /**
   * The run's reusable copies of the workspace at `root` (made once, brought in step per task), for where the
   * view is a copy. Idle copies go after a while; {@link VerifyRuntime.clear} removes them at once.
   */
  private copyPool(root: string, support: SandboxSupport): Promise<CopyPool> {
    let pool = this.pools.get(root);
    if (!pool) {
      const leases = this.leases;
      pool = (async () => {
        const src = await fs.realpath(root);
        const { ignored } = support.sandbox !== 'none' ? await this.ignoredOf(root) : {};
        const makeDir = async (): Promise<{ dir: string; remove: () => Promise<void> }> => {
          const { dir, token } = await leasedTempDir(leases);
          return {
            dir,
            remove: async () => {
              await removeOwnView(dir, token);
              await leases?.release(token);
            },
          };
        };
        return new CopyPool(src, makeDir, ignored);
      })();
      this.pools.set(root, pool);
    }
    return pool;
  }

  /**
   * Removes the run's idle copies now (a run that ended; otherwise they go after a while on their own) and
   * its `tsc` build information.
   */
  async clear(): Promise<void> {
    await Promise.all([...[...this.pools.values()].map(async (p) => (await p).clear()), this.tscCache?.clear()]);
  }

  /** A view of `layers` over `workspaceDir`, recorded for the cleanup. */
  async view(workspaceDir: string, layers: readonly StagedLayer[]): Promise<VerifyView> {
    const root = path.resolve(workspaceDir);
    let secrets = this.secretsByRoot.get(root);
    if (!secrets) {
      secrets = findSecrets(root);
      this.secretsByRoot.set(root, secrets);
    }
    const support = await this.supported;
    return createView({
      workspaceDir: root,
      layers,
      support,
      secrets: await secrets,
      ...(support.view === 'copy' && support.sandbox !== 'none' ? await this.ignoredOf(root) : {}),
      copyPool: () => this.copyPool(root, support),
      ...(this.leases ? { leases: this.leases } : {}),
      ...(this.opts.home !== undefined ? { home: this.opts.home } : {}),
    });
  }
}

/** A digest of the workspace's listed files (paths, sizes, modification times): what a baseline is keyed by. */
async function workspaceState(root: string): Promise<string> {
  const h = createHash('sha256');
  const listed = await listWorkspaceFileStats(root, { limit: LISTING_CAP }).catch(() => ({ files: [], truncated: true }));
  for (const f of listed.files) h.update(`${f.path}\0${f.size}\0${f.mtimeMs}\n`);
  return h.digest('hex');
}
