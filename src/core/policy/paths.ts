import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * Where the CLI keeps a workspace's policy: `<state>/policy/<sha256 of the workspace's real path>.json`.
 * Never inside the workspace (the policy is the user's, not the repository's). The extension passes its
 * workspace storage path instead.
 */
export async function policyPathFor(stateDir: string, workspaceDir: string): Promise<string> {
  const abs = resolve(workspaceDir);
  const real = await realpath(abs).catch(() => abs);
  const digest = createHash('sha256').update(real).digest('hex');
  return join(stateDir, 'policy', `${digest}.json`);
}

/** The audit log kept beside a policy file. */
export function auditPathFor(policyPath: string): string {
  return policyPath.replace(/\.json$/, '') + '.audit.jsonl';
}
