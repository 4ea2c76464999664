/**
 * The sandbox every verification command runs in, and the probe that finds out which one this machine has.
 *
 * - Linux with unprivileged user namespaces and bubblewrap: the command runs under `bwrap` with a new user,
 *   PID, IPC, UTS and network namespace (no network at all), only the system folders (`/usr`, `/bin`,
 *   `/lib*`, `/etc` minus its secret files) and the toolchains in use (their install prefixes) readable, an
 *   empty private `/tmp` and an empty home folder, the view writable, and every `.env*` in it masked by an
 *   empty file. With overlayfs in the user namespace too, the view is an overlay mounted at the workspace's
 *   own path (see view.ts); otherwise the view is a copy bound at its own path.
 * - macOS: `sandbox-exec` with a generated profile (no network; writes only to the view and a private temp
 *   folder; the home folder unreadable except the workspace and the toolchains; `.env*` unreadable).
 * - Windows, or Linux without user namespaces or bubblewrap: no sandbox. The run says so; running the
 *   project's own commands then relies on the user trusting the workspace.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, promises as fs, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { absolutePathEntries } from './tools';

/** How a run's verification sees the workspace: an overlay at the workspace's path, or a temporary copy. */
export type ViewMode = 'overlay' | 'copy';
/** What contains the verification commands. */
export type SandboxMode = 'bwrap' | 'sandbox-exec' | 'none';

/** What a run's verification uses, and why it is less than the best this product offers when it is. */
export interface VerificationMode {
  view: ViewMode;
  sandbox: SandboxMode;
  /** Why the view is a copy or there is no sandbox (a missing tool, user namespaces disabled, the platform). */
  reason?: string;
}

/** The programs the Linux modes need, found at probe time. */
interface LinuxTools {
  unshare?: string;
  bwrap?: string;
  sh: string;
}

/** A probe's answer with the programs it found (kept for launching). */
export interface SandboxSupport extends VerificationMode {
  tools: { unshare?: string; bwrap?: string; sh?: string; sandboxExec?: string };
}

const SYSTEM_CANDIDATES = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

function findProgram(name: string): string | undefined {
  for (const dir of [...SYSTEM_CANDIDATES, ...absolutePathEntries(process.env.PATH)]) {
    const p = path.join(dir, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Runs a probe command; resolves to its exit code and output (never rejects). */
function tryRun(file: string, args: string[], timeoutMs = 10_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', (e) => resolve({ code: null, output: e.message }));
    child.on('close', (code) => resolve({ code, output: output.trim() }));
  });
}

/**
 * The fixed script run as the first program of the Linux overlay mode, inside a new user and mount
 * namespace: it keeps the workspace as it was reachable at `lower` (for the user's own programs, which the
 * agents' staged versions must not replace), mounts the overlay on the workspace's own path, removes the
 * staged deletions through it (the overlay records them as whiteouts in its upper layer), then executes the
 * rest of its arguments (bubblewrap and the command). Arguments: the workspace, staged layer, upper, work
 * folder, lower, count of deletions, the deletions, then the command. Paths are arguments, never spliced into the script text.
 */
export const OVERLAY_SCRIPT = [
  'set -e',
  'ws="$1"; staged="$2"; upper="$3"; work="$4"; lower="$5"; n="$6"; shift 6',
  // The command's own PATH is not ours: the system's tools are named by a PATH of their own.
  'p=/usr/sbin:/usr/bin:/sbin:/bin',
  // Each command gets upper and work folders of its own: overlayfs empties its work folder at every mount, so
  // two checks of one view starting at once with a shared one failed now and then (ENOENT, "special device
  // overlay does not exist"). The shell's pid names them (one host pid namespace: unique among live commands).
  'upper="$upper/$$"; work="$work/$$"',
  'PATH=$p mkdir -p "$upper" "$work"',
  'PATH=$p mount --bind "$ws" "$lower"',
  'PATH=$p mount -t overlay overlay -o "lowerdir=$staged:$ws,upperdir=$upper,workdir=$work" "$ws" || { echo "agensflow: the overlay view could not be mounted" >&2; exit 125; }',
  'while [ "$n" -gt 0 ]; do PATH=$p rm -rf -- "$ws/$1"; shift; n=$((n-1)); done',
  'exec "$@"',
].join('\n');

/** Characters that cannot appear in a path handed to overlayfs's mount options (its separators). */
export function overlayUnsafePath(p: string): boolean {
  return /[,:\\\n]/.test(p);
}

/** Tests the whole Linux chain once on scratch folders: overlay in a user namespace, then bubblewrap inside it. */
async function probeLinux(): Promise<SandboxSupport> {
  const tools: LinuxTools = { sh: findProgram('sh') ?? '/bin/sh', ...optional('unshare', findProgram('unshare')), ...optional('bwrap', findProgram('bwrap')) };
  if (!tools.bwrap) return { view: 'copy', sandbox: 'none', reason: 'bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)', tools };
  const bwrapTest = await tryRun(tools.bwrap, ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-all', '--die-with-parent', 'true']);
  if (bwrapTest.code !== 0) {
    return { view: 'copy', sandbox: 'none', reason: `bubblewrap cannot make a sandbox here (user namespaces disabled or restricted?): ${bwrapTest.output.split('\n')[0] ?? ''}`, tools };
  }
  if (!tools.unshare) return { view: 'copy', sandbox: 'bwrap', reason: 'unshare (util-linux) is not installed: the view is a copy', tools };
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'agensflow-probe-'));
  try {
    const dirs = ['ws', 'staged', 'upper', 'work', 'lower'].map((d) => path.join(scratch, d));
    for (const d of dirs) await fs.mkdir(d);
    await fs.writeFile(path.join(scratch, 'staged', 'probe'), 'ok');
    const [ws, staged, upper, work, lower] = dirs as [string, string, string, string, string];
    const r = await tryRun(tools.unshare, [
      ...unshareArgs(),
      tools.sh, '-c', OVERLAY_SCRIPT, 'sh', ws, staged, upper, work, lower, '0',
      tools.bwrap, '--ro-bind', '/', '/', '--dev', '/dev', '--bind', ws, ws, '--unshare-all', '--die-with-parent', tools.sh, '-c', 'cat "$0/probe" > "$0/written"', ws,
    ]);
    // The command's writes land in its own folder under `upper` (named by its shell's pid).
    const [own] = await fs.readdir(upper).catch(() => [] as string[]);
    const written = own === undefined ? '' : await fs.readFile(path.join(upper, own, 'written'), 'utf8').catch(() => '');
    if (r.code === 0 && written === 'ok') return { view: 'overlay', sandbox: 'bwrap', tools };
    return { view: 'copy', sandbox: 'bwrap', reason: `overlayfs in a user namespace is not available: ${r.output.split('\n')[0] ?? `exit ${r.code}`}`, tools };
  } finally {
    await fs.rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** `unshare`'s options for the overlay mode: a new user (mapped to root) and mount namespace, mounts private. */
export function unshareArgs(): string[] {
  return ['-Urm', '--propagation', 'private'];
}

/** Probes this machine (no caching: see {@link sandboxSupport}). */
export async function probeSandbox(platform: NodeJS.Platform = process.platform): Promise<SandboxSupport> {
  if (platform === 'linux') return probeLinux();
  if (platform === 'darwin') {
    const sandboxExec = '/usr/bin/sandbox-exec';
    const ok = await fs.stat(sandboxExec).then((s) => s.isFile(), () => false);
    return ok ? { view: 'copy', sandbox: 'sandbox-exec', tools: { sandboxExec } } : { view: 'copy', sandbox: 'none', reason: 'sandbox-exec is missing', tools: {} };
  }
  return { view: 'copy', sandbox: 'none', reason: `${platform === 'win32' ? 'Windows' : platform} has no user-level sandbox: verification commands run with your rights (trusted workspaces only)`, tools: {} };
}

let probed: Promise<SandboxSupport> | undefined;

/**
 * This machine's sandbox support, probed once per process (the kernel's abilities do not change while we
 * run) and shared by every run of the process.
 */
export function sandboxSupport(): Promise<SandboxSupport> {
  probed ??= probeSandbox();
  return probed;
}

/** Files under /etc that hold secrets (host keys, password hashes): masked even where they are readable. */
function etcSecrets(): string[] {
  const out = ['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-', '/etc/sudoers'];
  try {
    for (const n of readdirSync('/etc/ssh')) if (n.startsWith('ssh_host_') && !n.endsWith('.pub')) out.push(`/etc/ssh/${n}`);
  } catch {
    // no ssh server keys
  }
  return out;
}

function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function isDirSync(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** True when `inner` is `outer` or lies inside it. */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Folders too broad to bind for a toolchain: they hold the user's files and other projects. */
function tooBroad(dir: string, home: string | undefined): boolean {
  const broad = ['/', '/tmp', '/var/tmp', '/home', '/Users', '/root', '/srv', '/mnt', '/media', realOr(os.tmpdir())];
  if (broad.includes(dir)) return true;
  return home !== undefined && within(home, dir);
}

/**
 * The folders a command needs to read besides the system ones: the install prefix of each absolute PATH
 * entry (`/opt/node/bin` -> `/opt/node`; a version manager's root), of the program and of absolute file
 * arguments (a compiler's script). Where the prefix is too broad (the root, a temp or home folder, an
 * ancestor of the home folder) only the entry's own folder is bound. A PATH entry right below the home
 * folder's `.local` gives only itself and `~/.local/lib` (Python's user site), not the rest of `.local`
 * (keyrings, other applications' data).
 */
export function toolchainDirs(program: string, args: readonly string[], env: NodeJS.ProcessEnv, home: string | undefined, exclude: readonly string[]): string[] {
  const out = new Set<string>();
  const homeReal = home ? realOr(home) : undefined;
  const add = (dir: string, fallback?: string): void => {
    const real = realOr(dir);
    if (tooBroad(real, homeReal)) {
      if (fallback !== undefined) add(fallback);
      return;
    }
    if (!isDirSync(real) || exclude.some((x) => within(real, x))) return;
    out.add(real);
  };
  const prefixOf = (file: string): void => {
    const real = realOr(file);
    add(path.dirname(path.dirname(real)), path.dirname(real));
  };
  for (const entry of absolutePathEntries(env.PATH ?? env.Path)) {
    const real = realOr(entry);
    if (homeReal && path.dirname(real) === path.join(homeReal, '.local')) {
      add(real);
      add(path.join(homeReal, '.local', 'lib'));
      continue;
    }
    add(path.dirname(real), real);
  }
  prefixOf(program);
  for (const a of args) if (path.isAbsolute(a) && !exclude.some((x) => within(a, x))) prefixOf(a);
  // A folder inside another one already bound adds nothing.
  const all = [...out].sort();
  return all.filter((d) => !all.some((o) => o !== d && within(d, o)));
}

/** One command to wrap. */
export interface SandboxedCommand {
  file: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * Folders outside the view this one command may write (absolute, made by us for it alone: the private
   * build-info folder of an incremental `tsc`). Never given to a command that runs the agents' code.
   */
  writable?: readonly string[];
}

/** Where a command's view is and what in it must stay unreadable. */
export interface SandboxLayout {
  /** The path the command sees the view at (the workspace's own path in overlay mode, the copy's otherwise). */
  viewRoot: string;
  /** Absolute paths inside the view to mask (`.env*` files and folders). */
  secrets: ReadonlyArray<{ path: string; dir: boolean }>;
  /** Folders the command may read (the user's workspace behind a copy's links). */
  readable: readonly string[];
  /** The private temp folder of macOS's sandbox (Linux uses an in-memory /tmp). */
  privateTmp?: string;
  /** The user's home folder (hidden), default `os.homedir()`. */
  home?: string;
  /** Files bound read-only over the view (a program of the user's workspace that the agents staged a version of). */
  pinned?: ReadonlyArray<{ src: string; dest: string }>;
}

/** The system folders bubblewrap binds read-only (when they exist; a link such as `/bin -> usr/bin` is kept as a link). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc', '/var/lib/texmf', '/var/cache/fontconfig'];

/** bubblewrap's arguments (before `--` and the command) for `cmd` in `layout`. */
export function bwrapArgs(cmd: SandboxedCommand, layout: SandboxLayout, statusFd?: number): string[] {
  const home = layout.home ?? os.homedir();
  const a: string[] = ['--die-with-parent', '--unshare-all', '--new-session'];
  if (statusFd !== undefined) a.push('--json-status-fd', String(statusFd));
  for (const d of SYSTEM_DIRS) {
    let st: Stats;
    try {
      st = lstatSync(d);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) a.push('--symlink', readlinkSync(d), d);
    else if (st.isDirectory()) a.push('--ro-bind', d, d);
  }
  for (const f of etcSecrets()) if (existsSync(f)) a.push('--ro-bind', '/dev/null', f);
  if (isDirSync('/etc/ssl/private')) a.push('--tmpfs', '/etc/ssl/private', '--remount-ro', '/etc/ssl/private');
  a.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp');
  if (home && home !== '/') a.push('--tmpfs', home);
  for (const d of toolchainDirs(cmd.file, cmd.args, cmd.env, home, [layout.viewRoot, ...layout.readable])) a.push('--ro-bind', d, d);
  for (const r of layout.readable) a.push('--ro-bind', r, r);
  a.push('--bind', layout.viewRoot, layout.viewRoot);
  for (const w of cmd.writable ?? []) a.push('--bind', w, w);
  for (const p of layout.pinned ?? []) a.push('--ro-bind', p.src, p.dest);
  for (const s of layout.secrets) {
    if (s.dir) a.push('--tmpfs', s.path, '--remount-ro', s.path);
    else a.push('--ro-bind', '/dev/null', s.path);
  }
  // The sandbox's root is bubblewrap's own tmpfs: read-only too, so a write anywhere else fails at once.
  a.push('--remount-ro', '/', '--setenv', 'TMPDIR', '/tmp', '--chdir', cmd.cwd);
  return a;
}

/** A string literal in Apple's sandbox profile language (SBPL, a Scheme). */
function sbplString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function sbplRegexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/"]/g, '\\$&');
}

/**
 * The `sandbox-exec` profile of macOS for `layout`: everything denied by default; processes may run and read
 * the system, but not the home folder (except the view, the workspace behind a copy's links and the
 * toolchains), not `.env*` anywhere in the view; writes only to the view, the private temp folder and
 * `/dev/null`-like devices; no network at all. Later rules win in SBPL, so the order below matters.
 */
export function sandboxExecProfile(cmd: SandboxedCommand, layout: SandboxLayout): string {
  const home = layout.home ?? os.homedir();
  const readable = [layout.viewRoot, ...layout.readable, ...(cmd.writable ?? []), ...toolchainDirs(cmd.file, cmd.args, cmd.env, home, [layout.viewRoot, ...layout.readable])];
  const writable = [layout.viewRoot, ...(layout.privateTmp ? [layout.privateTmp] : []), ...(cmd.writable ?? [])];
  const lines = [
    '(version 1)',
    '(deny default)',
    '(allow process-exec)',
    '(allow process-fork)',
    '(allow signal (target same-sandbox))',
    '(allow sysctl-read)',
    '(allow mach-lookup)',
    '(allow ipc-posix-shm)',
    '(allow file-read*)',
    ...(home && home !== '/' ? [`(deny file-read* (subpath ${sbplString(home)}))`] : []),
    `(allow file-read* ${readable.map((r) => `(subpath ${sbplString(r)})`).join(' ')})`,
    `(deny file-read* (regex #"^${sbplRegexEscape(layout.viewRoot)}/(.*/)?\\.[eE][nN][vV][^/]*(/|$)"))`,
    ...layout.secrets.map((s) => `(deny file-read* (${s.dir ? 'subpath' : 'literal'} ${sbplString(s.path)}))`),
    `(allow file-write* ${writable.map((w) => `(subpath ${sbplString(w)})`).join(' ')} (literal "/dev/null") (literal "/dev/tty") (regex #"^/dev/fd/"))`,
    `(deny file-write* (regex #"^${sbplRegexEscape(layout.viewRoot)}/(.*/)?\\.[eE][nN][vV][^/]*(/|$)"))`,
    '(deny network*)',
  ];
  return lines.join('\n') + '\n';
}

/** A fresh random token (hex): names of temp views and process leases. */
export function newToken(): string {
  return randomBytes(12).toString('hex');
}
