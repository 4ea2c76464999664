import { randomBytes } from 'node:crypto';

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
