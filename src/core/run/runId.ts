import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A run id that sorts by start time: `YYYYMMDD-HHMMSS-mmm-<6 hex>` in UTC, e.g. `20250614-093012-123-a1b2c3`.
 * Safe as a folder name on every platform.
 */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2025-06-14T09:30:12.123Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${iso.slice(20, 23)}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export const RUN_ID_PATTERN = /^\d{8}-\d{6}-\d{3}-[0-9a-f]{6}$/;

/** The run ids among `names` (a listing of the runs folder), newest first. */
export function runIdsNewestFirst(names: readonly string[]): string[] {
  return names.filter((n) => RUN_ID_PATTERN.test(n)).sort().reverse();
}

/**
 * Whether the newest run under `stateDir` was left `running` (its window closed or crashed mid-run). Read
 * cheaply, without the journal's validation, so a window can decide at startup whether it must load the engine
 * to offer the resume; the journal reads the run properly when it is shown. Unreadable records are skipped,
 * as the run list skips them.
 */
export async function newestRunInterrupted(stateDir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(join(stateDir, 'runs'));
  } catch {
    return false;
  }
  for (const id of runIdsNewestFirst(names)) {
    try {
      const record: unknown = JSON.parse(await readFile(join(stateDir, 'runs', id, 'run.json'), 'utf8'));
      if (typeof record === 'object' && record !== null && 'status' in record && typeof record.status === 'string') return record.status === 'running';
    } catch {
      // Being written, or not a run record: the next one is the newest readable run.
    }
  }
  return false;
}
