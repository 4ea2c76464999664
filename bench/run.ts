/**
 * The benchmark harness: `npm run bench` runs every bench/*.bench.ts in filename order and writes
 * bench/REPORT.md (a header naming the machine, then one section per module, each with the command that
 * produced it). `npm run bench -- --only plan` runs bench/plan.bench.ts alone and replaces only its
 * section, keeping the others.
 *
 * A module default-exports `async () => ({ title, markdown })`. Each runs in its own Node process so
 * one benchmark's JIT state and garbage cannot skew the next. A module without a default export is run
 * as a script and its standard output is reported verbatim.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What a benchmark module's default export resolves to. */
export interface BenchSection {
  readonly title: string;
  readonly markdown: string;
}

const BENCH_DIR = __dirname;
const REPORT = join(BENCH_DIR, 'REPORT.md');

const nameOf = (file: string): string => basename(file).replace(/\.bench\.ts$/, '');

/** Child mode: import one module, call its default export, write the section as JSON. */
async function child(file: string, out: string): Promise<void> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  // tsx may wrap a CommonJS module's exports once more.
  let fn = mod.default;
  if (fn !== null && typeof fn === 'object' && 'default' in fn) fn = (fn as { default: unknown }).default;
  if (typeof fn !== 'function') return; // a script: it ran on import, its stdout is the report
  const section = (await (fn as () => Promise<BenchSection>)()) as BenchSection;
  writeFileSync(out, JSON.stringify(section));
}

function machine(): string {
  const cpu = cpus();
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  const load = loadavg().map((l) => l.toFixed(1)).join(' / ');
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${gib} GiB memory, Node ${process.version}, ${platform()} ${release()}; load average at start ${load} (1 / 5 / 15 min)`;
}

function runOne(file: string): string {
  const name = nameOf(file);
  const scratch = mkdtempSync(join(tmpdir(), 'agensflow-bench-'));
  const out = join(scratch, 'section.json');
  const started = Date.now();
  process.stderr.write(`bench: ${name} ...\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', file, out], {
    cwd: join(BENCH_DIR, '..'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  let section: BenchSection;
  if (existsSync(out)) {
    section = JSON.parse(readFileSync(out, 'utf8')) as BenchSection;
  } else {
    section = { title: name, markdown: `\`\`\`\n${(r.stdout ?? '').trimEnd()}\n\`\`\`` };
  }
  rmSync(scratch, { recursive: true, force: true });
  const status = r.status === 0 ? '' : ` · **exit code ${r.status ?? r.signal}**`;
  process.stderr.write(`bench: ${name} done in ${seconds} s${status ? ` (exit ${r.status ?? r.signal})` : ''}\n`);
  return [
    `<!-- bench:${name} -->`,
    `## ${section.title}`,
    '',
    `Command: \`npm run bench -- --only ${name}\` (bench/${basename(file)}) · measured ${new Date().toISOString().slice(0, 10)} in ${seconds} s${status}`,
    '',
    section.markdown.trimEnd(),
    `<!-- /bench:${name} -->`,
  ].join('\n');
}

/** Sections already in REPORT.md, by name, so `--only` keeps the others. */
function previousSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(REPORT)) return sections;
  const text = readFileSync(REPORT, 'utf8');
  for (const m of text.matchAll(/<!-- bench:([\w.-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g)) sections.set(m[1], m[0]);
  return sections;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--child') {
    await child(argv[1], argv[2]);
    return 0;
  }
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? argv[onlyAt + 1]?.split(',') : undefined;
  if (onlyAt >= 0 && (only === undefined || only.length === 0)) {
    process.stderr.write('usage: npm run bench [-- --only NAME[,NAME]]\n');
    return 2;
  }
  const files = readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .map((f) => join(BENCH_DIR, f));
  const unknown = (only ?? []).filter((n) => !files.some((f) => nameOf(f) === n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: no bench/${unknown[0]}.bench.ts (have: ${files.map(nameOf).join(', ')})\n`);
    return 2;
  }
  const sections = only === undefined ? new Map<string, string>() : previousSections();
  for (const file of files) if (only === undefined || only.includes(nameOf(file))) sections.set(nameOf(file), runOne(file));
  const ordered = files.map(nameOf).filter((n) => sections.has(n)).map((n) => sections.get(n) as string);
  const header = [
    '# Benchmark report',
    '',
    'Written by `npm run bench` (bench/run.ts), which runs every `bench/*.bench.ts` in its own Node process.',
    'Each section names the command that reproduces its figures.',
    '',
    `Last run: ${new Date().toISOString()} on ${machine()}.`,
    '',
  ].join('\n');
  writeFileSync(REPORT, `${header}\n${ordered.join('\n\n')}\n`);
  process.stderr.write(`bench: wrote ${REPORT}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
