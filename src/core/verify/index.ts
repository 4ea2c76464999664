/**
 * Verification with real tools and the inspector. The run engine calls:
 *
 * - `verifyTask({workspaceDir, layers, taskFiles, config})` when a task's agent finishes: a view of the
 *   workspace plus the run's staged layers is made (view.ts: an overlay at the workspace's own path where
 *   the machine allows it, else a copy in a temp folder; never the user's folder), the built-in checks for
 *   the task's files and the matching user verifiers run in it inside the sandbox (sandbox.ts), and the view
 *   is removed. A run shares one `VerifyRuntime` (runtime.ts) for all of it.
 * - `runTestCommand({workspaceDir, layers, config})` once after all tasks, when a test command is configured.
 *
 * Both resolve to a `VerifyResult` and do not throw for failing, missing or hanging tools.
 * `createVerifyHook({config, inspector})` wraps `verifyTask`, then the inspector, as the engine's
 * `VerifyHook`; `inspectTask` asks a model for a `submit_verdict` on one task.
 *
 * Where commands come from: the built-in table (by file extension) and the user's configuration
 * (`VerifyConfigSchema`: settings or the CLI's `--config`), never model output or files the agents wrote.
 * Programs are resolved to absolute paths from PATH and the user's workspace as it was, and spawned
 * without a shell, with a timeout that kills the process tree and capped output. Note that a user command
 * such as `npm test` runs the project's own scripts in the view, which may include agent-written code: the
 * sandbox contains it where the machine has one (no network, no writes outside the view, no secrets), and
 * such commands need a trusted workspace either way. Built-in checks never do, and nothing here ever runs an
 * installer (`npm install`, `pip install`): the project's dependencies are the user's, as they were before
 * the run.
 *
 * No path from a plan or a model is read as an option: every file path handed to a tool is `./`-prefixed
 * or absolute (`pathArg`), and plans cannot own names beginning with `-`. tsc's writing options
 * (`incremental`, `tsBuildInfoFile`, `generateTrace`) are switched off on its command line. At most
 * `CheckLimiter.size` checks (default: the CPU count) run at once, shared by a run's tasks.
 */
export { verifyTask, runTestCommand, type VerifyTaskInput, type CommonInput } from './verify';
export { createCheckHook, createVerifyHook, failingFindings, type ToolCheckOptions, type VerifyHookOptions } from './hook';
export {
  inspectTask,
  inspectorMessages,
  changeHunks,
  SUBMIT_VERDICT,
  VerdictSchema,
  DEFAULT_INSPECT_LIMITS,
  type Verdict,
  type InspectInput,
  type InspectResult,
  type InspectedFile,
  type InspectLimits,
} from './inspector';
export * from './types';
export * from './config';
export { materialise, normaliseRelPath, type Materialised } from './materialise';
export { verifierEnv, whichOnPath, missingToolMessage } from './tools';
export { CheckLimiter, defaultCheckConcurrency } from './limiter';
export { VerifyRuntime, type VerifyRuntimeOptions } from './runtime';
export { probeSandbox, sandboxSupport, type SandboxSupport, type VerificationMode, type ViewMode, type SandboxMode } from './sandbox';
export { sweepLeftovers, LeaseStore, type SweepReport } from './leftovers';
export { createView, findSecrets, type VerifyView } from './view';
