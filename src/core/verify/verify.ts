/** `verifyTask` and `runTestCommand`: make the view, run the planned checks in its sandbox, clean up (see index.ts). */
import * as path from 'node:path';
import { planBuiltinChecks, type PlannedCheck } from './builtins';
import { runProcessCheck, unverifiedCheck, type CheckEnv } from './check-runner';
import { normaliseTestCommand, parseVerifyConfig, type VerifyConfig, type VerifyConfigInput } from './config';
import type { CheckLimiter } from './limiter';
import { normaliseRelPath } from './materialise';
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

async function withView(input: CommonInput, body: (m: VerifyView, ce: CheckEnv, config: VerifyConfig, limiter: CheckLimiter) => Promise<CheckResult[]>): Promise<VerifyResult> {
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
      workspaceDir: path.resolve(input.workspaceDir),
      env: verifierEnv(input.env ?? process.env),
      timeoutMs: config.timeoutMs,
      outputCapBytes: config.outputCapBytes,
      ...(input.signal ? { signal: input.signal } : {}),
    };
    const checks = await body(m, ce, config, input.limiter ?? runtime.limiter);
    return { outcome: combineOutcomes(checks), checks };
  } catch (e) {
    if (!isVerifySetupError(e)) throw e;
    return { outcome: 'unverified', checks: [unverifiedCheck({ id: 'setup', tool: 'agensflow', files: [] }, e.message)] };
  } finally {
    await m.dispose();
  }
}

/** Runs the checks under the limiter (results in plan order); a check still queued at a cancel does not start. */
async function runPlanned(planned: readonly PlannedCheck[], ce: CheckEnv, limiter: CheckLimiter): Promise<CheckResult[]> {
  return Promise.all(planned.map(async (p) => (await limiter.run(() => p.run(ce), ce.signal)) ?? unverifiedCheck(p, `${p.tool}: verification cancelled`)));
}

/** Verifies one task's files with the built-in checks and the matching user verifiers. */
export function verifyTask(input: VerifyTaskInput): Promise<VerifyResult> {
  return withView(input, async (m, ce, config, limiter) => {
    const results: CheckResult[] = [];
    const files: string[] = [];
    for (const raw of input.taskFiles) {
      const rel = normaliseRelPath(raw);
      const refused = m.refused.find((r) => r.path === rel);
      if (refused) results.push(unverifiedCheck({ id: `staged:${rel}`, tool: 'agensflow', files: [rel] }, `${rel} was not verified: ${refused.reason}`));
      else if (await m.exists(rel)) files.push(rel);
    }
    const planned = [
      ...(config.builtins ? await planBuiltinChecks(files, m.root, (r) => m.hostPath(r), ce.workspaceDir, ce.env) : []),
      ...planUserChecks(config.verifiers, files, m.root, ce.workspaceDir),
    ];
    return [...results, ...(await runPlanned(planned, ce, limiter))];
  });
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
