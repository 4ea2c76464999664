/**
 * Installs code-server (VS Code 1.96.4 in the browser, with the real Node extension host) from the npm
 * registry into a cache outside the repository, doing its post-install steps by hand because its own
 * script fails on these machines (see shared/vscode-host.md):
 *   - `@vscode/proxy-agent` is pinned to a git-over-ssh commit: point it at the registry tarball, after
 *     checking the registry's integrity hash is the pinned one;
 *   - `@vscode/ripgrep` downloads `rg` from GitHub: install with scripts off, copy Debian's `rg`, rebuild;
 *   - the links, the built-in extensions' dependencies and the argon2 rebuild of its postinstall.
 * Idempotent: a marker file is written when the tree is complete; later runs reuse it at once.
 *
 * Usage: `npx tsx test/host/install-code-server.ts [--force]`; prints the install folder on stdout.
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
import { CODE_SERVER_VERSION, cacheRoot, codeServerDir, codeServerEntry, codeServerMarker } from './lib/paths';

/** Debian packages the native builds and the tests need; the same names are in .ci/apt-packages. */
const DEBIAN_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'g++', 'make', 'chromium'];

/** Native modules of code-server's VS Code, each loaded after the rebuild to prove it was built. */
const NATIVE_MODULES_VSCODE = ['node-pty', '@vscode/spdlog', 'native-watchdog', 'kerberos', '@parcel/watcher'];

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

function checkPrerequisites(): void {
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
  if (major !== 20) throw new PrerequisiteMissingError(`code-server ${CODE_SERVER_VERSION} needs Node 20 (this is ${process.version})`);
}

const npm = (args: string[], cwd: string): Promise<string> =>
  exec('npm', [...args, '--no-audit', '--no-fund', '--loglevel=warn'], { cwd, env: cleanNpmEnv(), echo: true });

/** Downloads the package tarball and unpacks it into `dest` (the package root, no `package/` level). */
async function unpack(dest: string): Promise<void> {
  const packDir = path.join(dest, '..', `${path.basename(dest)}.pack`);
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.mkdirSync(packDir, { recursive: true });
  const out = await exec('npm', ['pack', `code-server@${CODE_SERVER_VERSION}`, '--json', '--pack-destination', packDir], {
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
async function checkNativeModules(cwd: string, modules: readonly string[]): Promise<void> {
  const script = `for (const m of ${JSON.stringify(modules)}) require(m);`;
  await exec(process.execPath, ['-e', script], { cwd });
}

async function install(dest: string): Promise<void> {
  log(`unpacking code-server@${CODE_SERVER_VERSION}`);
  await unpack(dest);

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
  await checkNativeModules(vscodeDir, NATIVE_MODULES_VSCODE);

  symlink('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  symlink('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));

  log('installing the built-in extensions\' dependencies');
  await npm(['install', '--omit=dev', ...RUN_UNREVIEWED_SCRIPTS], path.join(vscodeDir, 'extensions'));

  log('installing code-server\'s own dependencies');
  await npm(['install', '--omit=dev', '--ignore-scripts'], dest);
  await npm(['rebuild', 'argon2', ...RUN_UNREVIEWED_SCRIPTS], dest);
  await checkNativeModules(dest, ['argon2']);
  if (!fs.existsSync(codeServerEntry(dest))) throw new Error(`no ${codeServerEntry(dest)} after install`);
}

/** Installs code-server unless a complete install is cached; returns its folder. */
export async function ensureCodeServer(options: { force?: boolean } = {}): Promise<string> {
  const dir = codeServerDir();
  if (!options.force && fs.existsSync(codeServerMarker())) return dir;
  checkPrerequisites();
  fs.mkdirSync(cacheRoot(), { recursive: true });
  // One installer at a time per cache (two test runs may start together); the second reuses the result.
  const release = await lock(cacheRoot(), { lockfilePath: path.join(cacheRoot(), 'code-server.lock'), retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 }, stale: 30 * 60_000 });
  try {
    if (!options.force && fs.existsSync(codeServerMarker())) return dir;
    const started = Date.now();
    // Build in a side folder and rename at the end, so a half-made tree is never taken for an install.
    const staging = `${dir}.partial`;
    // The install fetches hundreds of packages from the npm registry: a transient failure there (a reset
    // connection, a 5xx) should not fail a CI run, so one failed attempt is retried once from scratch.
    for (let attempt = 1; ; attempt++) {
      fs.rmSync(staging, { recursive: true, force: true });
      try {
        await install(staging);
        break;
      } catch (e) {
        if (attempt >= INSTALL_ATTEMPTS || e instanceof PrerequisiteMissingError) throw e;
        log(`install attempt ${attempt} failed, trying once more: ${e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e)}`);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    fs.writeFileSync(
      codeServerMarker(),
      `${JSON.stringify({ version: CODE_SERVER_VERSION, node: process.version, installedAt: new Date().toISOString() })}\n`,
    );
    log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s: ${dir}`);
    return dir;
  } finally {
    await release();
  }
}

if (require.main === module) {
  ensureCodeServer({ force: process.argv.includes('--force') }).then(
    (dir) => process.stdout.write(`${dir}\n`),
    (e: unknown) => {
      log(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      process.exit(1);
    },
  );
}
