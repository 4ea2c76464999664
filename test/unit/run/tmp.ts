import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary folder per test, removed by `cleanup`. */
export function tempDirs(): { make(prefix?: string): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make: (prefix = 'af-run-') => {
      const d = mkdtempSync(path.join(os.tmpdir(), prefix));
      made.push(d);
      return d;
    },
    cleanup: () => {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}
