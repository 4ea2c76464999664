import picomatch from 'picomatch';

/**
 * Workspace paths as plans name them (design.md, "The plan"): relative, `/`-separated, no `.` segments,
 * never absolute, never escaping the root with `..`, never protected. Lexical only: symlinks are checked
 * where files are written, by the staging area.
 */

/** Why a path was refused. The codes double as plan-validation error codes. */
export type PathProblem = 'absolute-path' | 'escaping-path' | 'invalid-path' | 'protected-path';

/** The outcome of {@link checkWorkspacePath}: the normalised path, or why it is refused. */
export type PathCheck =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly problem: PathProblem; readonly reason: string };

/**
 * Protected globs of design.md. A directory pattern is listed with and without `/**` so the directory
 * itself (e.g. a `.git` file in a worktree) is protected too; `.env*` also covers a folder named `.env`
 * (a common virtualenv name) and what is inside it.
 */
export const PROTECTED_GLOBS: readonly string[] = [
  '**/.git',
  '**/.git/**',
  '**/.vscode',
  '**/.vscode/**',
  '**/*.code-workspace',
  '**/.github/workflows',
  '**/.github/workflows/**',
  '**/.env*',
  '**/.env*/**',
  '**/.agensflow',
  '**/.agensflow/**',
];

const protectedMatcher = picomatch([...PROTECTED_GLOBS], { dot: true, nocase: true });

// Every protected path contains one of these (lower case; `.git` also covers `.github`); most paths
// contain none and skip the globs.
const PROTECTED_HINTS = ['.git', '.vscode', '.code-workspace', '.env', '.agensflow'];

// `C:`, `C:\x`, `C:x` (drive-relative is still not workspace-relative), and `//server` after `\` -> `/`.
const DRIVE = /^[a-zA-Z]:/;

/**
 * Splits a path into segments with Windows' equivalent spellings folded, for matching only: Windows
 * ignores trailing dots and spaces in a name (`.git.` opens `.git`) and `name::$DATA` names the same file.
 */
function matchSegments(p: string): string[] {
  return p
    .split(/[\\/]+/)
    .filter((s) => s !== '' && s !== '.')
    .map((s) => s.replace(/:.*$/, '').replace(/[. ]+$/, '') || s);
}

/**
 * True when the path is protected (design.md): `.git/**`, `.vscode/**`, `*.code-workspace`,
 * `.github/workflows/**`, `.env*`, `.agensflow/**`, at any depth, ignoring case. Accepts raw or
 * normalised paths (`\` separators and `.` segments are tolerated).
 */
export function isProtectedPath(p: string): boolean {
  const lower = p.toLowerCase();
  if (!PROTECTED_HINTS.some((hint) => lower.includes(hint))) return false;
  const segments = matchSegments(p);
  return segments.length > 0 && protectedMatcher(segments.join('/'));
}

/**
 * Normalises a workspace-relative path (`./a.py` -> `a.py`, `\` -> `/`, `a/../b` -> `b`, trailing `/`
 * dropped) and says why it is refused when it is absolute, escapes the root, is empty or protected.
 */
export function checkWorkspacePath(p: string): PathCheck {
  if (p.includes('\0')) return { ok: false, problem: 'invalid-path', reason: `"${p}" contains a NUL character` };
  const slashed = p.replace(/\\/g, '/');
  if (slashed.startsWith('/') || DRIVE.test(slashed)) {
    return { ok: false, problem: 'absolute-path', reason: `"${p}" is absolute; plans name workspace-relative paths` };
  }
  const out: string[] = [];
  for (const segment of slashed.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) {
        return { ok: false, problem: 'escaping-path', reason: `"${p}" leads outside the workspace` };
      }
      out.pop();
      continue;
    }
    out.push(segment);
  }
  if (out.length === 0) {
    return { ok: false, problem: 'invalid-path', reason: `"${p}" names the workspace root, not a file` };
  }
  const path = out.join('/');
  if (isProtectedPath(path)) {
    return { ok: false, problem: 'protected-path', reason: `"${p}" is protected and is never owned or written` };
  }
  return { ok: true, path };
}

/**
 * The normalised form of a workspace-relative path, or `undefined` when {@link checkWorkspacePath}
 * refuses it (absolute, escaping, empty or protected). Use `checkWorkspacePath` to learn why.
 */
export function normalizeWorkspacePath(p: string): string | undefined {
  const check = checkWorkspacePath(p);
  return check.ok ? check.path : undefined;
}
