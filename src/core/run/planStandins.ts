/**
 * Temporary stand-ins for helpers that H1's plan core (src/core/plan/index.ts) will export.
 * Delete this file and import from '../plan' once those land.
 */
import path from 'node:path';
import picomatch from 'picomatch';

const PROTECTED = ['**/.git', '**/.git/**', '**/.vscode', '**/.vscode/**', '**/*.code-workspace', '**/.github/workflows/**', '**/.env*', '**/.agensflow', '**/.agensflow/**'];
const isProtectedMatch = picomatch(PROTECTED, { nocase: true, dot: true });

/** Workspace-relative, `/`-separated, no `.` segments; `undefined` when absolute or escaping. */
export function normalizeWorkspacePath(p: string): string | undefined {
  const slashed = p.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) return undefined;
  const norm = path.posix.normalize(slashed).replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../') || norm === '' || norm === '.') return undefined;
  return norm;
}

/** Protected paths are never owned or written (design.md). */
export function isProtectedPath(p: string): boolean {
  return isProtectedMatch(p);
}
