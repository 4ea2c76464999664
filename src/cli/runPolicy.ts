/**
 * The learned policy of a CLI run: the workspace's policy file under the state folder
 * (`<state>/policy/<sha256 of the workspace's real path>.json`, never in the workspace), opened with the
 * `--config` file's `policy` settings. A corrupt file is set aside and the user told on stderr.
 */
import type { Model } from '../core/models';
import { policyPathFor } from '../core/policy';
import { openPolicy, policySettingsOf, RunPolicy, type PolicyConfig } from '../core/session';
import type { CliIo } from './io';

export interface CliPolicyOptions {
  stateDir: string;
  /** The workspace folder the run works in. */
  dir: string;
  config?: PolicyConfig;
  /** The agents' models, cheapest first. */
  agentModels: readonly Model[];
}

/** Opens the workspace's policy for one run (warnings go to stderr, also with `--json`). */
export async function openCliPolicy(o: CliPolicyOptions, io: CliIo): Promise<RunPolicy> {
  const path = await policyPathFor(o.stateDir, o.dir);
  const { loaded, audit } = await openPolicy(path, policySettingsOf(o.config));
  if (loaded.message) io.stderr(`warning: ${loaded.message}\n`);
  return new RunPolicy({ policy: loaded.policy, ...(loaded.readOnly ? {} : { store: loaded.store }), audit, agentModels: o.agentModels, ...(o.config?.pins ? { pins: o.config.pins } : {}) });
}

/** Saves what the run taught the policy; problems go to stderr. */
export async function closeCliPolicy(policy: RunPolicy | undefined, io: CliIo): Promise<void> {
  if (!policy) return;
  await policy.close();
  for (const m of policy.messages) io.stderr(`warning: policy: ${m}\n`);
}
