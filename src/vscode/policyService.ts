/**
 * The extension's access to the workspace's learned policy (kept in its workspace storage, never in the
 * workspace): opening it with the `agensflow.policy.*` settings, the user's pins, a run's `RunPolicy`, the
 * view model of "Show Learned Policy", reset, export and import. Free of `vscode` at run time (unit-tested in
 * Node); the commands in policyCommands.ts add the dialogs.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileVerified } from '../core/fs/atomicWrite';
import type { Model } from '../core/models';
import { describePolicy, exportPolicy, importPolicy, PinsSchema, type Pin, type PointView, type PolicySettings, type SaveResult } from '../core/policy';
import { RunJournal } from '../core/run/journal';
import { isRunSetupError, openPolicy, recordReview, RunPolicy, type OpenedPolicy } from '../core/session';
import type { Logger } from './log';
import type { PolicyDocumentView } from './policyView';
import { agentModelNamesOf } from './run/runConfig';
import type { AGENSFLOW_SETTINGS, SettingValues } from './settings';

type Settings = SettingValues<typeof AGENSFLOW_SETTINGS>;

/** The workspace-state key of the user's pins (versioned with its schema: an invalid value is dropped). */
export const POLICY_PINS_KEY = 'agensflow.policy.pins.v1';

/** Where pins are kept: a slice of the extension's workspace state. */
export interface PinMemento {
  get(): unknown;
  update(pins: Pin[]): PromiseLike<void>;
}

export interface PolicyServiceDeps {
  /** The extension's state folder (workspace storage, else global storage). */
  stateDir: string;
  settings: <K extends keyof Settings & string>(key: K) => Settings[K];
  pins: PinMemento;
  /** Tells the user something went wrong with the policy file (a warning message in VS Code). */
  warn(message: string): void;
  log: Logger;
  /** How a provider's calls are paid (the provider registry's pricing kind), for the policy view's cost column. */
  pricingOf?: (provider: string) => 'per-token' | 'included' | undefined;
}

/** The policy file inside the extension's state folder. */
export function extensionPolicyPath(stateDir: string): string {
  return join(stateDir, 'policy', 'policy.json');
}

/** The policy settings from `agensflow.policy.*`. */
export function policySettingsFromVscode(get: PolicyServiceDeps['settings']): PolicySettings {
  return {
    preset: get('policy.preset'),
    weights: { ...get('policy.weights') },
    explorationShare: get('policy.exploration'),
    defectCostUsd: get('policy.defectCost'),
  };
}

export class PolicyService {
  readonly path: string;

  constructor(private readonly deps: PolicyServiceDeps) {
    this.path = extensionPolicyPath(deps.stateDir);
  }

  /** Opens the policy; a corrupt file is set aside by the store, and the user is told. */
  async open(): Promise<OpenedPolicy> {
    const opened = await openPolicy(this.path, policySettingsFromVscode(this.deps.settings));
    if (opened.loaded.message) {
      this.deps.log.warn(opened.loaded.message);
      this.deps.warn(opened.loaded.message);
    }
    return opened;
  }

  /** The user's pins (invalid stored values are dropped). */
  pins(): Pin[] {
    const parsed = PinsSchema.safeParse(this.deps.pins.get() ?? []);
    return parsed.success ? parsed.data : [];
  }

  async setPins(pins: Pin[]): Promise<void> {
    await this.deps.pins.update(pins);
  }

  /** A run's policy over the agents' models (cheapest first); `close()` it when the run ends. */
  async openForRun(agentModels: readonly Model[]): Promise<RunPolicy> {
    const { loaded, audit } = await this.open();
    return new RunPolicy({ policy: loaded.policy, ...(loaded.readOnly ? {} : { store: loaded.store }), audit, agentModels, pins: this.pins() });
  }

  /** Records the user's accept (applied) or reject of a task's patch as an outcome, and saves. */
  async recordReview(runId: string, taskId: string, accepted: boolean): Promise<void> {
    const journal = await RunJournal.open(this.deps.stateDir, runId);
    const { loaded, audit } = await this.open();
    if (recordReview(loaded.policy, journal.record, taskId, accepted) === 0 || loaded.readOnly) return;
    await audit.flush();
    const saved = await loaded.store.save(loaded.policy);
    if (!saved.ok) this.deps.log.warn(`the review of ${taskId} could not be saved to the policy: ${saved.message ?? ''}`);
  }

  /** What the policy believes, per point and context, and the pins. */
  async view(): Promise<PolicyDocumentView & { points: PointView[]; pins: Pin[] }> {
    const { loaded } = await this.open();
    let names: string[] = [];
    try {
      names = agentModelNamesOf(this.deps.settings);
    } catch (e) {
      if (!isRunSetupError(e)) throw e; // no model set yet: every tier is shown
    }
    const models = { names, included: this.deps.pricingOf?.(this.deps.settings('provider')) === 'included' };
    return { points: describePolicy(loaded.policy, { defectCostUsd: this.deps.settings('policy.defectCost') }), pins: this.pins(), path: this.path, models };
  }

  /** Forgets what was learned (the old file is kept as a backup); pins stay. */
  async reset(): Promise<SaveResult> {
    const { loaded } = await this.open();
    const { result } = await loaded.store.reset();
    return result;
  }

  /** Writes the policy as a shareable prior document to `file`. */
  async exportTo(file: string): Promise<void> {
    const { loaded } = await this.open();
    await writeFileVerified(file, `${JSON.stringify(exportPolicy(loaded.policy), null, 2)}\n`);
  }

  /**
   * Replaces this workspace's policy with an exported one as its new prior: validated, strengths capped, and
   * never with certificates (skips need real runs here). The current file is kept as a backup.
   */
  async importFrom(file: string): Promise<{ ok: true; priorId: string } | { ok: false; message: string }> {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      return { ok: false, message: `cannot read ${file}: ${(e as Error).message}` };
    }
    const imported = importPolicy(json);
    if (!imported.ok) return imported;
    const { loaded } = await this.open();
    const saved = await loaded.store.replace(imported.state);
    if (!saved.ok) return { ok: false, message: saved.message ?? 'the policy could not be written' };
    return { ok: true, priorId: imported.document.id };
  }
}
