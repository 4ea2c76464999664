/**
 * Verification at repository scale: what making and removing the view of "workspace plus staged layers"
 * costs per task, by mode, on a generated repository of 5,000 source files with and without 600 MB of
 * ignored bulk (a virtualenv and build output, sparse files); the peak extra disk a view holds; and checks
 * per minute with 4 tasks verifying at once, before (main's strategy until this change: a full copy of the
 * workspace except node_modules, .git and .agensflow, per task) and after (this machine's mode).
 *
 * AGENSFLOW_BENCH_VIEW_RUNS (default 15) views per mode; the full-copy "before" runs a third as many.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxSupport, verifyTask, VerifyRuntime, type SandboxSupport } from '../src/core/verify';

const RUNS = Number(process.env.AGENSFLOW_BENCH_VIEW_RUNS ?? 15);
const SOURCE_FILES = 5000;
const BULK_BYTES = 600 * 2 ** 20;

async function makeRepo(withBulk: boolean): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'agensflow-bench-repo-'));
  await fs.writeFile(path.join(root, '.gitignore'), '.venv/\ndist/\nbuild/\n*.log\n');
  await fs.writeFile(path.join(root, 'pyproject.toml'), '[project]\nname = "bench"\n');
  for (let i = 0; i < SOURCE_FILES; i++) {
    const dir = path.join(root, 'src', `pkg${i % 50}`, `sub${i % 7}`);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, `mod${i}.py`), `"""Module ${i}."""\n\n\ndef f${i}(x):\n    return x + ${i}\n`.repeat(4));
  }
  if (withBulk) {
    // Sparse files: the bytes a copy would have to read (and, for most copies, write).
    const bulk = [['.venv/lib/python3/site-packages/big/data.bin', 0.5], ['dist/bench-1.0.tar.gz', 0.2], ['build/lib/blob.so', 0.2], ['.venv/share/doc.bin', 0.1]] as const;
    for (const [rel, share] of bulk) {
      const p = path.join(root, rel);
      await fs.mkdir(path.dirname(p), { recursive: true });
      const h = await fs.open(p, 'w');
      await h.truncate(Math.round(BULK_BYTES * share));
      await h.close();
    }
    for (let i = 0; i < 200; i++) {
      const p = path.join(root, '.venv', 'lib', 'python3', 'site-packages', `p${i % 20}`, `m${i}.py`);
      await fs.mkdir(path.dirname(p), { recursive: true });
      await fs.writeFile(p, 'x = 1\n');
    }
  }
  return root;
}

/** A task's staged layer: 5 files, one of them new. */
function stagedLayer(): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < 4; i++) m.set(`src/pkg${i}/sub${i}/mod${i}.py`, `def f${i}(x):\n    return x * 2\n`.repeat(50));
  m.set('src/pkg0/new_module.py', 'def g():\n    return 1\n'.repeat(50));
  return m;
}

/** Bytes actually allocated under `dir` (st_blocks), links not followed. */
async function allocated(dir: string): Promise<number> {
  let total = 0;
  const walk = async (p: string): Promise<void> => {
    const st = await fs.lstat(p).catch(() => undefined);
    if (!st) return;
    total += st.blocks * 512;
    if (st.isDirectory()) for (const n of await fs.readdir(p).catch(() => [] as string[])) await walk(path.join(p, n));
  };
  await walk(dir);
  return total;
}

/** main's strategy before this change: the whole workspace copied except node_modules, .git and .agensflow. */
async function fullCopy(ws: string, layer: Map<string, string>): Promise<{ root: string; dispose: () => Promise<void> }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'agensflow-verify-'));
  await fs.cp(ws, root, { recursive: true, verbatimSymlinks: true, filter: (from) => !['node_modules', '.git', '.agensflow'].includes(path.basename(from)) });
  for (const [rel, content] of layer) await fs.writeFile(path.join(root, rel), content);
  return { root, dispose: () => fs.rm(root, { recursive: true, force: true }) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p90 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))] ?? NaN;
const mib = (b: number): string => (b / 2 ** 20).toFixed(1);

interface ModeFigures {
  median: number;
  p90: number;
  /** The first view of the run (a copy view makes its copy then; later ones reuse it). */
  first: number;
  peakExtra: number;
}

/** A made view: its temp folder, a check's write into it (untimed), its removal. */
interface Made {
  dir: string;
  write: () => void;
  dispose: () => Promise<void>;
}

/** Makes views; `end()` gives back what the run kept (a copy view's reusable copies), untimed. */
interface Maker {
  make: () => Promise<Made>;
  end: () => Promise<void>;
}

/**
 * Makes and removes a view `runs` times and times that alone. On the first run a command writes a file in
 * the view (untimed) and the peak extra disk is measured then.
 */
async function measure(label: string, runs: number, maker: Maker): Promise<ModeFigures> {
  const times: number[] = [];
  let peakExtra = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const v = await maker.make();
    let t = performance.now() - t0;
    if (i === 0) {
      v.write();
      peakExtra = await allocated(v.dir);
    }
    const t1 = performance.now();
    await v.dispose();
    t += performance.now() - t1;
    times.push(t);
  }
  await maker.end();
  process.stderr.write(`  ${label}: median ${median(times).toFixed(0)} ms, first ${times[0]?.toFixed(0)} ms\n`);
  return { median: median(times), p90: p90(times), first: times[0] ?? NaN, peakExtra };
}

async function checksPerMinute(ws: string, runtime: VerifyRuntime | 'before', rounds: number): Promise<number> {
  const t0 = performance.now();
  let checks = 0;
  for (let r = 0; r < rounds; r++) {
    await Promise.all(
      [0, 1, 2, 3].map(async (k) => {
        const layer = new Map([[`src/pkg${k}/sub${k}/mod${k}.py`, `def f(x):\n    return x + ${r}\n`]]);
        if (runtime === 'before') {
          const c = await fullCopy(ws, layer);
          try {
            execFileSync('python3', ['-I', '-m', 'py_compile', `./src/pkg${k}/sub${k}/mod${k}.py`], { cwd: c.root, stdio: 'ignore' });
          } finally {
            await c.dispose();
          }
        } else {
          const res = await verifyTask({ workspaceDir: ws, layers: [layer], taskFiles: [...layer.keys()], runtime });
          if (res.outcome !== 'passed') throw new Error(`check failed: ${JSON.stringify(res.checks)}`);
        }
        checks++;
      }),
    );
  }
  return (checks / (performance.now() - t0)) * 60_000;
}

export default async function bench(): Promise<{ title: string; markdown: string }> {
  const support: SandboxSupport = await sandboxSupport();
  const copySupport: SandboxSupport = { ...support, view: 'copy' };
  const rows: string[] = [];
  const perMin: string[] = [];
  const stagedBytes = [...stagedLayer().values()].reduce((a, c) => a + Buffer.byteLength(c), 0);
  for (const withBulk of [true, false]) {
    const ws = await makeRepo(withBulk);
    const layer = stagedLayer();
    const what = withBulk ? `5,000 files + ${BULK_BYTES / 2 ** 20} MB ignored bulk` : '5,000 files, no bulk';
    process.stderr.write(`${what}\n`);
    try {
      // One runtime per mode, as one run has: what it finds once per run (secrets, the listing a copy
      // links by) is found on the first view and counted there.
      const viewMaker = (s: SandboxSupport): Maker => {
        const runtime = new VerifyRuntime({ support: s });
        return { end: () => runtime.clear(), make: async (): Promise<Made> => {
          const v = await runtime.view(ws, [layer]);
          return {
            dir: v.tempDir,
            // A check's write, as py_compile or pytest would make in the view.
            write: () => {
              const launch = v.launch({ file: '/bin/sh', args: ['-c', 'echo x > written.txt'], cwd: v.root, env: { PATH: '/usr/bin:/bin' } });
              execFileSync(launch.file, launch.args, { cwd: launch.cwd, env: launch.env, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
            },
            dispose: () => v.dispose(),
          };
        } };
      };
      const modes: Array<[string, number, Maker, string]> = [];
      if (support.view === 'overlay') modes.push([`overlay (${support.sandbox})`, RUNS, viewMaker(support), '≤ 150 ms']);
      modes.push([`copy (${copySupport.sandbox})`, RUNS, viewMaker(copySupport), '≤ 1.5 s']);
      modes.push(['before: full copy per task', Math.max(2, Math.round(RUNS / 3)), { end: () => Promise.resolve(), make: async () => {
        const c = await fullCopy(ws, layer);
        return { dir: c.root, write: () => undefined, dispose: c.dispose };
      } }, '-']);
      for (const [label, runs, make, target] of modes) {
        const f = await measure(`${label}`, runs, make);
        const limit = target === '≤ 150 ms' ? 150 : target === '≤ 1.5 s' ? 1500 : undefined;
        const met = limit === undefined ? '-' : f.median <= limit ? 'yes' : 'no';
        rows.push(`| ${what} | ${label} | ${f.median.toFixed(0)} | ${f.p90.toFixed(0)} | ${f.first.toFixed(0)} | ${target} | ${met} | ${mib(f.peakExtra)} MiB |`);
      }
      if (withBulk) {
        const rounds = 3;
        const before = await checksPerMinute(ws, 'before', rounds);
        const afterRuntime = new VerifyRuntime({ support });
        const after = await checksPerMinute(ws, afterRuntime, rounds);
        await afterRuntime.clear();
        perMin.push(`| before: full copy per task (py_compile, unsandboxed) | ${before.toFixed(0)} |`, `| after: ${support.view} view, ${support.sandbox} sandbox | ${after.toFixed(0)} |`);
        if (support.view === 'overlay') {
          const copyRuntime = new VerifyRuntime({ support: copySupport });
          const copied = await checksPerMinute(ws, copyRuntime, rounds);
          await copyRuntime.clear();
          perMin.push(`| after: copy view (reused per run), ${copySupport.sandbox} sandbox | ${copied.toFixed(0)} |`);
        }
      }
    } finally {
      await fs.rm(ws, { recursive: true, force: true });
    }
  }
  const markdown = [
    `This machine's mode: ${support.view} view, ${support.sandbox} sandbox${support.reason ? ` (${support.reason})` : ''}. A generated repository of 5,000 Python files (20 MB) with, or without, ${BULK_BYTES / 2 ** 20} MB of gitignored bulk (sparse files in .venv, dist and build); a task's staged layer of 5 files (${(stagedBytes / 1024).toFixed(0)} KiB). Overhead = making the view and removing (or, for a copy, giving back) it (the checks themselves not included), through the run's VerifyRuntime (the first view of a run also finds the secrets and, for a copy, lists the workspace and makes the copy that later tasks reuse: brought in step with the workspace and emptied of the previous task's files and writes); ${RUNS} runs per mode. Peak extra disk = bytes allocated by the view's temporary folder after one command wrote a file in it (target in overlay mode: staged bytes + 10 MB).`,
    '',
    '| repository | mode | median (ms) | p90 (ms) | first view (ms) | target | met | peak extra disk |',
    '| --- | --- | ---: | ---: | ---: | --- | --- | ---: |',
    ...rows,
    '',
    'Checks per minute, 4 tasks verifying at once (one py_compile check each, 3 rounds), on the repository with bulk:',
    '',
    '| strategy | checks / min |',
    '| --- | ---: |',
    ...perMin,
    '',
    `The 1-minute load average was ${os.loadavg()[0]?.toFixed(1)} at the end (other work on the machine inflates these figures).`,
  ].join('\n');
  return { title: 'Verification views: overhead per task by mode, disk, checks per minute', markdown };
}
