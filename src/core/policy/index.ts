/**
 * The learned per-workspace coordination policy: decision points with context features, Thompson
 * sampling with pooled contexts and a capped warm start, skip certificates, an audit record per decision, and
 * a versioned per-workspace store.
 *
 * Typical use by the engine:
 * ```ts
 * const loaded = await loadPolicy(policyPathFor(stateDir, workspaceDir));   // or the extension's storage path
 * if (loaded.message) log.warn(loaded.message);                             // corrupt file set aside, ...
 * const policy = loaded.policy;
 * const d = policy.decide('model', taskFeatures(task, { plan }), ['cheap', 'strong'], { taskId: task.id });
 * emit({ ...d.event, runId, ts: Date.now() });                              // a `decision` RunEvent
 * // ... after verification:
 * policy.record(d.id, { success: passed, source: 'verification', costUsd, latencyMs });
 * await loaded.store.save(policy);                                         // lock, re-read, merge, write
 * ```
 */
export { CoordinationPolicy, CHECK_POINT, DEFAULT_EXPLORATION_SHARE, PolicyUsageError } from './policy';
export type { CheckFlags, DecideFlags, Decision, DecisionEventPayload, OptionInput, OptionSpec, Outcome, OutcomeSource, PolicySettings, RecordResult } from './policy';
export { AuditLog } from './audit';
export type { AuditCertificate, AuditEntry, AuditOption, AuditOutcome, AuditRecord } from './audit';
export { DEFAULT_CERTIFICATE, evaluateCertificate } from './certificate';
export type { CertificateSettings, CertificateVerdict } from './certificate';
export { PolicyDocumentSchema } from './document';
export type { PolicyDocument, PolicyDocumentInput, PriorArm, PriorPoint, PriorRule } from './document';
export { countBucket, depthOf, editFormatFeatures, kindOf, languageOf, mergeFeatures, modelLabel, planningFeatures, recoveryFeatures, roleLabel, sizeOf, taskFeatures } from './features';
export type { FailureKind, Features, TaskFeatureInput, TaskKind } from './features';
export { DEFAULT_LEARNING } from './learning';
export type { LearningSettings, PolicyOp } from './learning';
export { DECISION_POINTS, DEFAULT_POLICY, withShippedPoints, EDIT_FORMAT_OPTIONS, RECOVERY_OPTIONS, PROTOCOL_OPTIONS, PLAN_K_OPTIONS, MERGE_OPTIONS } from './points';
export type { DecisionPoint } from './points';
export { seededRng, systemRng } from './random';
export type { Rng } from './random';
export { emptyState, PolicyStateSchema } from './state';
export type { ArmStats, PolicyState } from './state';
export { PRESETS, resolveWeights } from './weights';
export type { PresetName, Weights } from './weights';
export { mergeCandidates, mergeTasks } from './merge';
export type { MergeResult } from './merge';
export { loadPolicy, PolicyStore, encodeState, decodeState } from './store';
export type { LoadResult, LoadStatus, SaveResult, StoreOptions } from './store';
export { MIGRATIONS, migrate, POLICY_SCHEMA, POLICY_VERSION } from './migrations';
export type { Migration, MigrationResult } from './migrations';
export { auditPathFor, policyPathFor } from './paths';
export { exportPolicy, importPolicy, PolicyExportSchema, EXPORT_CAP } from './exchange';
export type { ImportResult, PolicyExport } from './exchange';
export { describePolicy } from './inspect';
export type { ContextView, OptionEstimate, PointView } from './inspect';
export { PinSchema, PinsSchema, pinFor, updatePins } from './pins';
export type { Pin } from './pins';
