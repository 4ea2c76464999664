/** Test helpers for the verification suites: throwaway workspaces, tree hashes, process liveness. */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VerifyRuntime, type CheckLimiter } from '../../../src/core/verify';

/** Creates a temp workspace holding `files` (relative path -> content); returns its path. */
export async function makeWorkspace(files: Record<string, string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'agensflow-ws-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
  }
  return dir;
}

/** A hash over every path, type, mode, symlink target and content under `dir` (nothing skipped). */
export async function hashTree(dir: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const entries = (await fs.readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const r = path.join(rel, e.name);
      const p = path.join(dir, r);
      const st = await fs.lstat(p);
      h.update(`${r}\0${st.mode}\0`);
      if (e.isSymbolicLink()) h.update(`link:${await fs.readlink(p)}`);
      else if (e.isDirectory()) await walk(r);
      else h.update(await fs.readFile(p));
    }
  };
  await walk('');
  return h.digest('hex');
}

/** True when `pid` no longer runs (gone, or a zombie waiting for a reaper). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    // No /proc (macOS): kill(pid, 0) succeeded, so the process still exists.
    return !existsSync('/proc');
  }
}

/** Polls `cond` until true or `ms` elapsed (SIGKILL delivery is asynchronous); returns the last value. */
export async function eventually(cond: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Removes a temp folder. */
export const rmrf = (dir: string): Promise<void> => fs.rm(dir, { recursive: true, force: true });

/** The absolute path of a fixture under test/fixtures/verify. */
export const fixture = (name: string): string => path.join(__dirname, '..', '..', 'fixtures', 'verify', name);

/**
 * Temporary workspaces for one suite: `ws(files)` makes one (see makeWorkspace); all are removed after the
 * suite. Call inside `describe`.
 */
export function suiteWorkspaces(): (files: Record<string, string>) => Promise<string> {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rmrf(d);
  });
  return async (files) => {
    const d = await makeWorkspace(files);
    dirs.push(d);
    return d;
  };
}

/**
 * A verification runtime without a sandbox (a copy, commands run as they are): for suites that watch the
 * verifiers' processes from outside (pid files written outside the view, process groups), which a sandbox
 * would hide from them. The sandbox's own suites use the machine's support.
 */
export function unsandboxed(limiter?: CheckLimiter): VerifyRuntime {
  return new VerifyRuntime({ support: { view: 'copy', sandbox: 'none', reason: 'test without a sandbox', tools: {} }, ...(limiter ? { limiter } : {}) });
}
