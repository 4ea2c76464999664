/** `verifyTask` and `runTestCommand`: make the view, run the planned checks in its sandbox, clean up (see index.ts). */
import * as path from 'node:path';
import type { Finding } from '../run/events';
import { planBuiltinChecks, type PlannedCheck } from './builtins';
import { runProcessCheck, unverifiedCheck, type CheckEnv } from './check-runner';
import { normaliseTestCommand, parseVerifyConfig, type VerifyConfig, type VerifyConfigInput } from './config';
import type { CheckLimiter } from './limiter';
import { normaliseRelPath } from './materialise';
import { MAX_FINDINGS } from './parsers';
import { VerifyRuntime } from './runtime';
import type { VerifyView } from './view';
import { verifierEnv } from './tools';
import { planUserChecks, resolveProgram } from './user';
import { combineOutcomes, isVerifySetupError, type CheckResult, type StagedLayer, type VerifyResult } from './types';


export interface CommonInput {
  /** The user's workspace folder (read, never written). */
  workspaceDir: string;
  /** The run's staged changes, applied in order on top of the workspace. */
  layers?: readonly StagedLayer[];
  /** Verification configuration (user verifiers, test command, limits); defaults when absent. */
  config?: VerifyConfigInput | VerifyConfig;
  /** Cancels: running processes are killed, the result is `unverified`. */
  signal?: AbortSignal;
  /** Environment to start from (default `process.env`); secrets are removed either way. */
  env?: NodeJS.ProcessEnv;
  /**
   * Caps the checks running at once; share one across a run (every task and the test command). Default:
   * the runtime's.
   */
  limiter?: CheckLimiter;
  /**
   * What a run's verifications share (sandbox support, limiter, the record for the cleanup after a crash);
   * default a runtime of this call alone (the sandbox probe is still shared by the process).
   */
  runtime?: VerifyRuntime;
}

export interface VerifyTaskInput extends CommonInput {
  /** The files the task owns (workspace-relative). Deleted ones are skipped. */
  taskFiles: readonly string[];
}

async function withView(input: CommonInput, body: (m: VerifyView, ce: CheckEnv, config: VerifyConfig, limiter: CheckLimiter, runtime: VerifyRuntime) => Promise<CheckResult[]>): Promise<VerifyResult> {
  const config = parseVerifyConfig(input.config ?? {});
  const runtime = input.runtime ?? new VerifyRuntime(input.limiter ? { limiter: input.limiter } : {});
  let m: VerifyView;
  try {
    m = await runtime.view(input.workspaceDir, input.layers ?? []);
  } catch (e) {
    const check = unverifiedCheck({ id: 'setup', tool: 'agensflow', files: [] }, (e as Error).message);
    return { outcome: 'unverified', checks: [check] };
  }
  try {
    const ce: CheckEnv = {
      root: m.root,
      view: m,
      ...(runtime.leases ? { leases: runtime.leases } : {}),
      ...(runtime.tscCache ? { tscCache: runtime.tscCache } : {}),
      workspaceDir: path.resolve(input.workspaceDir),
      env: verifierEnv(input.env ?? process.env),
      timeoutMs: config.timeoutMs,
      outputCapBytes: config.outputCapBytes,
      ...(input.signal ? { signal: input.signal } : {}),
    };
    const checks = await body(m, ce, config, input.limiter ?? runtime.limiter, runtime);
    return { outcome: combineOutcomes(checks), checks };
  } catch (e) {
    if (!isVerifySetupError(e)) throw e;
    return { outcome: 'unverified', checks: [unverifiedCheck({ id: 'setup', tool: 'agensflow', files: [] }, e.message)] };
  } finally {
    await m.dispose();
    // A runtime of this call alone keeps no copy for later.
    if (!input.runtime) await runtime.clear();
  }
}

/** Runs the checks under the limiter (results in plan order); a check still queued at a cancel does not start. */
async function runPlanned(planned: readonly PlannedCheck[], ce: CheckEnv, limiter: CheckLimiter): Promise<CheckResult[]> {
  return Promise.all(planned.map(async (p) => (await limiter.run(() => p.run(ce), ce.signal)) ?? unverifiedCheck(p, `${p.tool}: verification cancelled`)));
}

/** The built-in checks and the matching user verifiers of `files` in the view `m`. */
async function planChecks(files: readonly string[], m: VerifyView, ce: CheckEnv, config: VerifyConfig): Promise<PlannedCheck[]> {
  return [
    ...(config.builtins ? await planBuiltinChecks(files, m.root, (r) => m.hostPath(r), ce.workspaceDir, ce.env) : []),
    ...planUserChecks(config.verifiers, files, m.root, ce.workspaceDir),
  ];
}

/** Verifies one task's files with the built-in checks and the matching user verifiers. */
export function verifyTask(input: VerifyTaskInput): Promise<VerifyResult> {
  return withView(input, async (m, ce, config, limiter, runtime) => {
    const results: CheckResult[] = [];
    const files: string[] = [];
    for (const raw of input.taskFiles) {
      const rel = normaliseRelPath(raw);
      const refused = m.refused.find((r) => r.path === rel);
      if (refused) results.push(unverifiedCheck({ id: `staged:${rel}`, tool: 'agensflow', files: [rel] }, `${rel} was not verified: ${refused.reason}`));
      else if (await m.exists(rel)) files.push(rel);
    }
    const planned = await planChecks(files, m, ce, config);
    const ran = await runPlanned(planned, ce, limiter);
    const own = new Set(input.taskFiles.map(normaliseRelPath));
    // A whole-project checker's errors are compared with the unchanged workspace's, once one failed.
    const counted = await Promise.all(
      ran.map(async (r, i) => {
        if (!planned[i]?.wholeProject || r.outcome !== 'failed' || !r.compared) return r;
        const base = await runtime.baseline(ce.workspaceDir, r.id, () => baselineOf(planned[i]!, ce, config, limiter, runtime));
        return base === undefined ? r : countNew(r, base, own);
      }),
    );
    return [...results, ...counted.map(({ compared: _compared, ...r }) => r)];
  });
}

/**
 * The errors of check `p` on the unchanged workspace (no staged layer): none when the check does not exist
 * there (the task made its project), `undefined` when they cannot be known (it could not run, its output was
 * cut, or it printed errors it does not list file by file).
 */
async function baselineOf(p: PlannedCheck, ce: CheckEnv, config: VerifyConfig, limiter: CheckLimiter, runtime: VerifyRuntime): Promise<Finding[] | undefined> {
  const view = await runtime.view(ce.workspaceDir, []);
  try {
    const bce: CheckEnv = { ...ce, root: view.root, view };
    const same = (await planChecks(p.files, view, bce, config)).find((c) => c.id === p.id);
    if (!same) return [];
    const r = await limiter.run(() => same.run(bce), ce.signal);
    if (r?.outcome === 'passed') return [];
    return r?.outcome === 'failed' && r.compared?.complete ? r.compared.findings : undefined;
  } finally {
    await view.dispose();
  }
}

/** What matches a finding with the baseline's: its file and message (line numbers shift with any edit). */
const findingKey = (f: Finding): string => `${f.file ?? ''}\0${f.message}`;

/**
 * Counts only the errors the task brought: those in its own files, and elsewhere those the unchanged
 * workspace did not have (each baseline error excuses one identical error, by file and message). The others
 * are reported as pre-existing, not counted.
 */
export function countNew(r: CheckResult, baseline: readonly Finding[], own: ReadonlySet<string>): CheckResult {
  if (!r.compared) return r;
  const left = new Map<string, number>();
  for (const f of baseline) left.set(findingKey(f), (left.get(findingKey(f)) ?? 0) + 1);
  const counted: Finding[] = [];
  const excused = new Set<string>();
  let preExisting = 0;
  for (const f of r.compared.findings) {
    const n = left.get(findingKey(f)) ?? 0;
    if (n > 0 && (f.file === undefined || !own.has(f.file))) {
      left.set(findingKey(f), n - 1);
      preExisting++;
      if (f.file !== undefined) excused.add(f.file);
    } else {
      counted.push(f);
    }
  }
  if (preExisting === 0) return r;
  const where = [...excused].sort();
  const shown = where.length ? ` (${where.slice(0, 3).join(', ')}${where.length > 3 ? `, and ${where.length - 3} more` : ''})` : '';
  const note: Finding = { message: `${preExisting} pre-existing error${preExisting === 1 ? '' : 's'} in files this task does not own${shown}, not counted`, tool: r.tool };
  if (counted.length > 0) return { ...r, preExisting, findings: [...counted.slice(0, MAX_FINDINGS), note] };
  // The output's head was cut: an error of the task's may be among the lines lost, so the check stands.
  if (!r.compared.complete) return { ...r, findings: [...r.findings, { message: `${r.tool}: its output was too long to tell the task's errors from the ${preExisting} pre-existing ones; raise outputCapBytes`, tool: r.tool }] };
  return { ...r, outcome: 'passed', preExisting, findings: [note], output: `${note.message}\n${r.output}` };
}

/**
 * Runs the configured whole-run test command (e.g. `["npm","test"]`) on the workspace plus all staged
 * layers. Resolves to `undefined` when no test command is configured.
 */
export async function runTestCommand(input: CommonInput): Promise<VerifyResult | undefined> {
  const config = parseVerifyConfig(input.config ?? {});
  if (!config.testCommand) return undefined;
  const t = normaliseTestCommand(config.testCommand);
  return withView({ ...input, config }, async (m, ce, _config, limiter) => {
    const cwdRel = path.posix.normalize((t.cwd ?? '.').replace(/\\/g, '/'));
    const [program, ...args] = t.command as [string, ...string[]];
    const spec = {
      id: 'test',
      tool: path.basename(program),
      files: [],
      file: resolveProgram(program, ce.workspaceDir, cwdRel, ce.env),
      args,
      cwd: path.join(m.root, ...cwdRel.split('/')),
      installHint: `install ${program} or fix the test command in your settings`,
      ...(t.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}),
    };
    const check = (await limiter.run(() => runProcessCheck(spec, ce), ce.signal)) ?? unverifiedCheck(spec, `${spec.tool}: verification cancelled`);
    return [check];
  });
}
