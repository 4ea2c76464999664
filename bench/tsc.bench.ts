/**
 * tsc in verification: a run's tasks each check a TypeScript project with `tsc --noEmit`, in full (every
 * check starts from nothing, as before this change) or incrementally (the run's build information, kept
 * where only tsc can write it: tscCache.ts). A generated project of 1,500 modules that import each other;
 * each task changes one module's body, as a task of a run does, and is verified through the run's
 * VerifyRuntime in this machine's mode. The first check of a run has no build information yet.
 *
 * AGENSFLOW_BENCH_TSC_TASKS (default 8) tasks per strategy.
 */
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxSupport, verifyTask, VerifyRuntime } from '../src/core/verify';

const TASKS = Number(process.env.AGENSFLOW_BENCH_TSC_TASKS ?? 8);
const MODULES = 1500;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function moduleText(i: number, body: string): string {
  const imports = i === 0 ? '' : `import { Service${Math.floor(i / 2)}, make${Math.floor(i / 2)} } from './m${Math.floor(i / 2)}';\n`;
  const uses = i === 0 ? '' : `  parent(): Service${Math.floor(i / 2)} {\n    return make${Math.floor(i / 2)}({ name: this.options.name, retries: 1 });\n  }\n`;
  return `${imports}
export interface Options${i} { name: string; retries: number }

export class Service${i} {
  constructor(private readonly options: Options${i}) {}
  run(input: readonly string[]): string {
    ${body}
  }
${uses}}

export function make${i}(o: Options${i}): Service${i} {
  return new Service${i}(o);
}
`;
}

async function makeProject(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'agensflow-bench-tsc-'));
  await fs.writeFile(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2020', types: [], lib: ['es2020'] }, include: ['src'] }));
  await fs.mkdir(path.join(root, 'src'));
  for (let i = 0; i < MODULES; i++) await fs.writeFile(path.join(root, 'src', `m${i}.ts`), moduleText(i, "return input.map((s) => s.trim()).join(',');"));
  return root;
}

async function runTasks(ws: string, incremental: boolean): Promise<{ first: number; rest: number[] }> {
  const runtime = new VerifyRuntime(incremental ? {} : { incrementalTsc: false });
  const times: number[] = [];
  try {
    for (let t = 0; t < TASKS; t++) {
      const i = 100 + t * 97;
      const rel = `src/m${i}.ts`;
      const layer = new Map([[rel, moduleText(i, `return input.filter((s) => s.length > ${t}).join(';');`)]]);
      const r = await verifyTask({ workspaceDir: ws, layers: [layer], taskFiles: [rel], runtime });
      const tsc = r.checks.find((c) => c.tool === 'tsc');
      if (tsc?.outcome !== 'passed') throw new Error(`tsc did not pass: ${JSON.stringify(r.checks)}`);
      times.push(tsc.durationMs);
      process.stderr.write(`  ${incremental ? 'incremental' : 'full'} task ${t + 1}: ${tsc.durationMs} ms\n`);
    }
    if (incremental && runtime.tscCache && runtime.tscCache.stats.reused !== TASKS - 1) throw new Error(`expected ${TASKS - 1} reuses, saw ${JSON.stringify(runtime.tscCache.stats)}`);
  } finally {
    await runtime.clear();
  }
  return { first: times[0]!, rest: times.slice(1) };
}

export default async function bench(): Promise<{ title: string; markdown: string }> {
  const support = await sandboxSupport();
  const ws = await makeProject();
  try {
    const full = await runTasks(ws, false);
    const inc = support.sandbox === 'none' ? undefined : await runTasks(ws, true);
    const row = (label: string, f: { first: number; rest: number[] }): string =>
      `| ${label} | ${f.first} | ${median(f.rest).toFixed(0)} | ${Math.min(...f.rest)} | ${Math.max(...f.rest)} |`;
    const ratio = inc ? median(full.rest) / median(inc.rest) : undefined;
    return {
      title: 'tsc in verification: full against incremental',
      markdown: [
        `This machine's mode: ${support.view} view, ${support.sandbox} sandbox. A generated TypeScript project of ${MODULES.toLocaleString('en-US')} modules (each imports one other; strict), TypeScript ${(JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')) as { version: string }).version}. ${TASKS} tasks in one run, each changing one module's body, verified one after another through the run's VerifyRuntime; the time is the tsc check's own (sandbox start included), not the view's.`,
        '',
        '| strategy | first check (ms) | median of the others (ms) | min | max |',
        '| --- | ---: | ---: | ---: | ---: |',
        row('full: every check from nothing (before)', full),
        inc ? row('incremental: the run\'s build information (after)', inc) : '| incremental | - | - | - | - |',
        '',
        inc
          ? `After the first check, incremental checks take ${(1 / ratio!).toFixed(2)}× the time of full ones (${ratio!.toFixed(1)}× faster), measured in the same process one after the other.`
          : 'This machine has no sandbox: tsc runs in full (its build information would be writable by every command).',
        '',
        `The 1-minute load average was ${os.loadavg()[0]?.toFixed(1)} at the end (other work on the machine inflates these figures).`,
      ].join('\n'),
    };
  } finally {
    await fs.rm(ws, { recursive: true, force: true });
  }
}
