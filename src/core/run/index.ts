/** The run engine's public API: start/resume a run, apply patches, read the journal, the scheduler parts. */
export { startRun, resumeRun, type StartOptions, type ResumeOptions, type EngineOptions, type RunOutcome } from './runEngine';
export type { VerifyHook, VerifyResult, FailureHook, FailureInfo, FailureDecision, PriceHook, AgentModelChoice } from './hooks';
export { isFatalModelError } from './hooks';
export { applyPatch, checkPatch, type ApplyResult, type PatchCheck, type PatchConflict, type ApplyFs } from './apply';
export { hashBytes, patchStats, type TaskPatch, type FilePatch, type FileChange } from './patch';
export { RunJournal, listRuns, defaultStateDir, runDir, type RunRecord, type RunSummary, type RunStatus, type TaskRecord, type RunSettings } from './journal';
export { applyReviewedPatches, rejectPatches, type ApplyReport } from './review';
export { newRunId, RUN_ID_PATTERN } from './runId';
export { runSchedule, type ScheduleOptions, type TaskRunContext, type TaskOutcome } from './scheduler';
export { DagState, remainingCriticalPath, type DagNode } from './dagState';
export { StagingArea, TaskLayer, DEFAULT_STAGING_LIMITS, type StagedView, type StagingLimits } from './staging';
export { WorkspaceGuard, isSecretPath } from './workspacePaths';
export { runAgent, type AgentOptions, type AgentResult, type AgentEvent } from './agent';
export { AGENT_TOOLS, AGENT_TOOL_LIST } from './agentTools';
export { JournalError, RunConfigError, RunCancelledError, isRunCancelledError } from './errors';
export * from './events';
export { realVerifier } from './verifyHook';
