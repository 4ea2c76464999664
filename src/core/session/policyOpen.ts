/**
 * Opens a workspace's policy file for a run or a view: the store (a corrupt file is set aside and the
 * message says so), the policy with the user's settings, and its audit log beside the file.
 */
import { AuditLog, auditPathFor, loadPolicy, type LoadResult, type PolicySettings } from '../policy';
import { AuditBuffer } from './runPolicy';

export interface OpenedPolicy {
  loaded: LoadResult;
  /** Audit entries of this session, appended to `<policy>.audit.jsonl` when the run's policy closes. */
  audit: AuditBuffer;
}

/** Loads the policy at `path` (see `PolicyStore.load`); `loaded.message` is for the user when set. */
export async function openPolicy(path: string, settings: PolicySettings = {}): Promise<OpenedPolicy> {
  const audit = new AuditBuffer(new AuditLog(auditPathFor(path)));
  const loaded = await loadPolicy(path, { settings: { ...settings, onAudit: audit.add } });
  return { loaded, audit };
}
