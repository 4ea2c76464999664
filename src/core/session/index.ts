/** What the front ends (CLI, VS Code) share to compose a run: engine options and planning a goal. */
export { runGoal, isPlanningFailure, type RunGoalOptions, type RunStart, type SessionOutcome, type PlanningFailure } from './runGoal';
export { RunLedger } from './ledger';
export { buildEngineOptions, composeRun, ledgerOf, type EngineConfig, type EngineWiring, type RunModels, type SessionWiring } from './engineOptions';
export { planGoal, exploreOf, type PlanGoalOptions, type PlannedGoal } from './planGoal';
export { RunPolicy, AuditBuffer, type RunPolicyOptions } from './runPolicy';
export { openPolicy, type OpenedPolicy } from './policyOpen';
export { PolicyConfigSchema, policySettingsOf, ModelNamesSchema, modelNames, modelTiers, type PolicyConfig } from './policyConfig';
export { PROTOCOL_TEXT, protocolFingerprint, withProtocol } from './protocols';
export { riskOf, failureKindOf, chainLinks } from './policyContext';
export { recordReview, lastAttemptDecisions } from './policyReview';
export { RunSetupError, isRunSetupError, setupErrorOf, type SetupErrorKind } from './setupError';
export { gateApplies, checkEditedPlan, askAtGate, PlanReviewCancelledError, isPlanReviewCancelledError, MAX_FEEDBACK_CHARS, type PlanGate, type PlanReviewWhen, type PlanReviewRequest, type PlanReviewAnswer } from './planReview';
