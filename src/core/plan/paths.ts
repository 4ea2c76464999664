import picomatch from 'picomatch';

/**
 * Workspace paths as plans name them: relative, `/`-separated, no `.` segments,
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
 * Protected globs. A directory pattern is listed with and without `/**` so the directory
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
  // Our ignore file (an agent must not hide files from the lister) and MCP servers' configuration, which
  // tools start as programs.
  '**/.agensflowignore',
  '**/.mcp.json',
  '**/.cursor/mcp.json',
  '**/.roo/mcp.json',
  '**/.claude/settings.json',
  '**/.claude/settings.local.json',
];

const protectedMatcher = picomatch([...PROTECTED_GLOBS], { dot: true, nocase: true });

// Every protected path contains one of these (lower case; `.git` also covers `.github`); most paths
// contain none and skip the globs.
const PROTECTED_HINTS = ['.git', '.vscode', '.code-workspace', '.env', '.agensflow', 'mcp.json', '.claude'];

// `C:`, `C:\x`, `C:x` (drive-relative is still not workspace-relative), and `//server` after `\` -> `/`.
const DRIVE = /^[a-zA-Z]:/;
// `file:///etc/passwd`, `vscode-remote://...`: a URL names a location of its own, never a workspace file.
const URL_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]+:/;
// Control characters (newline, tab, escape, ...) hide in names and break line-based tools and reviews.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// Characters Windows forbids in names (`:` is also its drive and alternate-stream syntax).
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
// Windows device names, with any extension (`nul.txt` opens the NUL device there).
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\..*)?$/i;

/** Longest path (characters) and name (UTF-8 bytes) a plan or an agent may use; file systems refuse longer. */
export const MAX_PATH_CHARS = 1024;
export const MAX_NAME_BYTES = 255;

/** `p` quoted for a message: escaped (newlines, NUL) and shortened, so a hostile path cannot flood it. */
function quote(p: string): string {
  return JSON.stringify(p.length > 120 ? `${p.slice(0, 120)}…` : p);
}

/** Why one name of a path cannot be a portable file name, or `undefined` when it can. */
function badName(segment: string): string | undefined {
  if (WINDOWS_FORBIDDEN.test(segment)) return `the name ${quote(segment)} contains one of < > : " | ? * (not allowed on Windows)`;
  if (/[. ]$/.test(segment)) return `the name ${quote(segment)} ends with a dot or a space (Windows drops them, so it would name another file)`;
  if (WINDOWS_DEVICE.test(segment.trimEnd())) return `the name ${quote(segment)} is a reserved device name on Windows`;
  if (Buffer.byteLength(segment, 'utf8') > MAX_NAME_BYTES) return `a name is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

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

/** The secrets rule: `.env`, `.env.local`, ... at any depth, any case. Secrets are never listed or read. */
export function isSecretPath(rel: string): boolean {
  return rel.split('/').some((seg) => seg.toLowerCase().startsWith('.env'));
}

/**
 * True when the path is protected: `.git/**`, `.vscode/**`, `*.code-workspace`,
 * `.github/workflows/**`, `.env*`, `.agensflow/**`, `.agensflowignore` and MCP configuration, at any
 * depth, ignoring case. Accepts raw or
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
  if (p.includes('\0')) return { ok: false, problem: 'invalid-path', reason: `${quote(p)} contains a NUL character` };
  if (p.length > MAX_PATH_CHARS) return { ok: false, problem: 'invalid-path', reason: `a path of ${p.length} characters is longer than the limit of ${MAX_PATH_CHARS}` };
  if (CONTROL.test(p)) return { ok: false, problem: 'invalid-path', reason: `${quote(p)} contains a control character (newline, tab, ...)` };
  const slashed = p.replace(/\\/g, '/');
  if (slashed.startsWith('/') || DRIVE.test(slashed)) {
    return { ok: false, problem: 'absolute-path', reason: `${quote(p)} is absolute; plans name workspace-relative paths` };
  }
  if (URL_SCHEME.test(slashed)) return { ok: false, problem: 'absolute-path', reason: `${quote(p)} is a URL; plans name workspace-relative paths` };
  if (slashed === '~' || slashed.startsWith('~/')) {
    return { ok: false, problem: 'absolute-path', reason: `${quote(p)} names the home folder; plans name workspace-relative paths` };
  }
  const out: string[] = [];
  let bad: string | undefined;
  for (const segment of slashed.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) {
        return { ok: false, problem: 'escaping-path', reason: `${quote(p)} leads outside the workspace` };
      }
      out.pop();
      continue;
    }
    bad ??= badName(segment);
    out.push(segment);
  }
  if (out.length === 0) {
    return { ok: false, problem: 'invalid-path', reason: `${quote(p)} names the workspace root, not a file` };
  }
  const path = out.join('/');
  if (isProtectedPath(path)) {
    return { ok: false, problem: 'protected-path', reason: `${quote(p)} is protected and is never owned or written` };
  }
  if (bad) return { ok: false, problem: 'invalid-path', reason: `${quote(p)}: ${bad}` };
  return { ok: true, path };
}

/**
 * The first segment of a normalised path that begins with `-`, or `undefined`. Plans may not own such a
 * path: a name like `--require=x.js` handed to a tool would be read as an option (no path from
 * a plan is ever read as a command option). Any segment counts, not only the first: tools receive paths
 * relative to other folders (latexmk runs in the file's folder and gets its base name; a user verifier's
 * `{files}` are relative to its cwd; project scripts pass names on), so every segment can end up first.
 * The verification layer also prefixes the paths it passes with `./`; this rule keeps such names out of
 * every other tool a user may run on the workspace.
 */
export function optionLikeSegment(normalisedPath: string): string | undefined {
  return normalisedPath.split('/').find((s) => s.startsWith('-'));
}

/**
 * True when `relative` (the result of `path.relative(root, p)`, either separator) leaves `root`: it is
 * `..`, begins with a `..` segment, or is absolute (another drive). A name that merely begins with two
 * dots (`..foo.py`) stays inside.
 */
export function leavesRoot(relative: string): boolean {
  return relative === '..' || /^\.\.[\\/]/.test(relative) || relative.startsWith('/') || relative.startsWith('\\') || DRIVE.test(relative);
}

/**
 * The normalised form of a workspace-relative path, or `undefined` when {@link checkWorkspacePath}
 * refuses it (absolute, escaping, empty or protected). Use `checkWorkspacePath` to learn why.
 */
export function normalizeWorkspacePath(p: string): string | undefined {
  const check = checkWorkspacePath(p);
  return check.ok ? check.path : undefined;
}
