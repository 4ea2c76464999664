import type * as vscode from 'vscode';
import { z } from 'zod';
import { TestCommandSchema, UserVerifierSchema } from '../core/verify/config';
import { Disposable, toDisposable, type IDisposable } from './lifecycle';
import type { Logger } from './log';
import { EXTENSION_PROVIDER_IDS, isExtensionProviderId } from './providers';

/** The configuration section of every AgensFlow setting (`agensflow.*`). */
export const SETTINGS_SECTION = 'agensflow';

/**
 * One setting: the zod schema its value must satisfy and the default used when it is unset or invalid. The
 * default must equal the one declared in package.json `contributes.configuration`, where each setting is
 * declared once with its description (style habit 7).
 */
export interface SettingDefinition<T> {
  readonly schema: z.ZodType<T>;
  readonly default: T;
}

/** A table of settings, keyed by the name under `agensflow.` (e.g. `maxAgents`, `models.planner`). */
export type SettingDefinitions = Readonly<Record<string, SettingDefinition<unknown>>>;

/** The value type of each setting of a table. */
export type SettingValues<D extends SettingDefinitions> = {
  readonly [K in keyof D]: D[K] extends SettingDefinition<infer T> ? T : never;
};

const modelName = z.string().max(200);
const nonNegative = z.number().min(0);

/**
 * The settings AgensFlow declares. Each is declared once more in package.json
 * `contributes.configuration` with the same default and a description; a unit test keeps the two equal.
 * An empty model name means "the agent's model"; 0 for `candidates` and the budgets means "not set".
 */
export const AGENSFLOW_SETTINGS = {
  provider: { schema: z.string().refine(isExtensionProviderId, { message: `one of ${EXTENSION_PROVIDER_IDS.join(', ')}` }), default: 'openai' },
  baseUrl: { schema: z.string().max(2000), default: '' },
  'models.planner': { schema: modelName, default: '' },
  'models.agent': { schema: modelName, default: '' },
  'models.agentAlternatives': { schema: z.array(modelName.min(1)).max(8), default: [] as string[] },
  'models.inspector': { schema: modelName, default: '' },
  'models.updater': { schema: modelName, default: '' },
  // Output tokens per model call; 0: the model's known output limit (src/core/models/outputLimits.ts).
  'models.maxOutputTokens': { schema: z.number().int().min(0).max(1_000_000), default: 0 },
  maxAgents: { schema: z.number().int().min(1).max(32), default: 4 },
  candidates: { schema: z.number().int().min(0).max(8), default: 0 },
  apply: { schema: z.enum(['review', 'auto']), default: 'review' },
  verifiers: { schema: z.array(UserVerifierSchema), default: [] },
  testCommand: { schema: TestCommandSchema.nullable(), default: null },
  verifyTimeoutMs: { schema: z.number().int().min(1000).max(24 * 3600 * 1000), default: 120_000 },
  // Calls of the agents' run_checks tool per attempt (0: off).
  agentChecksPerAttempt: { schema: z.number().int().min(0).max(10), default: 3 },
  // What the planner and the agents see of the repository (src/core/context/overview.ts).
  'context.overviewTokens': { schema: z.number().int().min(200).max(1_000_000), default: 4000 },
  'budget.tokens': { schema: z.number().int().min(0), default: 0 },
  'budget.cost': { schema: nonNegative, default: 0 },
  // Recovery budgets (src/core/run/recovery): retries, then local plan updates per task and per run.
  'recovery.maxRetries': { schema: z.number().int().min(0).max(5), default: 1 },
  'recovery.updatesPerTask': { schema: z.number().int().min(0).max(10), default: 2 },
  'recovery.updatesPerRun': { schema: z.number().int().min(0).max(50), default: 6 },
  prices: { schema: z.record(z.string(), z.object({ input: nonNegative, output: nonNegative })), default: {} },
  // The learned policy (src/core/policy): how it weighs success, cost and latency, how much it explores.
  'policy.preset': { schema: z.enum(['quality', 'balanced', 'frugal']), default: 'balanced' },
  'policy.weights': { schema: z.object({ success: nonNegative, cost: nonNegative, latency: nonNegative }).partial(), default: {} },
  'policy.exploration': { schema: z.number().min(0).max(1), default: 0.1 },
  'policy.defectCost': { schema: nonNegative, default: 1.5 },
  // What the planner and the agents are given besides the task: the project's rule files (AGENTS.md and the like).
  'context.projectRules': { schema: z.boolean(), default: true },
  // How far each planner candidate may look at the workspace (list_files, read_file, search) before it plans.
  'planner.exploreTurns': { schema: z.number().int().min(0).max(50), default: 6 },
  'planner.exploreTokens': { schema: z.number().int().min(1000), default: 60_000 },
  // The plan gate: whether a planned run waits for the user's review of its plan before any agent starts.
  reviewPlan: { schema: z.enum(['never', 'always', 'aboveN']), default: 'never' },
  reviewPlanAbove: { schema: z.number().int().min(0).max(1000), default: 5 },
} as const satisfies SettingDefinitions;

/** The settings service of the extension. */
export type AgensFlowSettings = SettingsService<typeof AGENSFLOW_SETTINGS>;

/**
 * Settings a folder's own `.vscode/settings.json` could use to run code or send data elsewhere: VS Code
 * ignores their workspace values in Restricted Mode (package.json `restrictedConfigurations`).
 */
export const RESTRICTED_SETTINGS = ['agensflow.baseUrl', 'agensflow.verifiers', 'agensflow.testCommand'] as const;

/** Where raw values come from: `vscode.workspace` in the extension, a fake in unit tests. */
export interface ConfigurationSource {
  /** The raw value of `agensflow.<key>` (undefined when unset). */
  get(key: string): unknown;
  /** Calls `listener` whenever some configuration changed; `affects(section)` tells which. */
  onDidChange(listener: (affects: (section: string) => boolean) => void): IDisposable;
  /**
   * Calls `listener` when the user trusts the workspace: the folder's values of restricted settings
   * (RESTRICTED_SETTINGS) take effect then, without a reload.
   */
  onDidGrantTrust?(listener: () => void): IDisposable;
}

/** A {@link ConfigurationSource} over `vscode.workspace`, which reflects the workspace's trust state. */
export function workspaceConfigurationSource(workspace: Pick<typeof vscode.workspace, 'getConfiguration' | 'onDidChangeConfiguration' | 'onDidGrantWorkspaceTrust'>): ConfigurationSource {
  return {
    get: (key) => workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(key),
    onDidChange: (listener) => workspace.onDidChangeConfiguration((e) => listener((section) => e.affectsConfiguration(section))),
    onDidGrantTrust: (listener) => workspace.onDidGrantWorkspaceTrust(listener),
  };
}

/**
 * Typed, validated access to the `agensflow.*` settings. A value that fails its schema is logged once and
 * replaced by the default rather than reaching the code that reads it. Values are cached and re-read after an
 * `affectsConfiguration('agensflow.<key>')` change, and listeners learn which keys changed.
 */
export class SettingsService<D extends SettingDefinitions> extends Disposable {
  private readonly cache = new Map<keyof D & string, unknown>();
  private readonly listeners = new Set<(changed: ReadonlySet<keyof D & string>) => void>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly definitions: D,
    private readonly source: ConfigurationSource,
    private readonly log: Logger,
  ) {
    super();
    this._register(
      source.onDidChange((affects) => {
        if (!affects(SETTINGS_SECTION)) return;
        const changed = new Set<keyof D & string>();
        for (const key of Object.keys(this.definitions) as (keyof D & string)[]) {
          if (affects(`${SETTINGS_SECTION}.${key}`)) {
            changed.add(key);
            this.cache.delete(key);
            this.warned.delete(key);
          }
        }
        if (changed.size === 0) return;
        for (const listener of [...this.listeners]) listener(changed);
      }),
    );
    if (source.onDidGrantTrust) {
      // Trust lets the folder's values of restricted settings count: forget every cached value.
      this._register(source.onDidGrantTrust(() => {
        const changed = new Set(Object.keys(this.definitions) as (keyof D & string)[]);
        this.cache.clear();
        this.warned.clear();
        this.log.info('workspace trusted: settings re-read (the folder\'s agensflow.baseUrl, verifiers and test command now apply)');
        for (const listener of [...this.listeners]) listener(changed);
      }));
    }
  }

  /** The current value of `agensflow.<key>`, valid by its schema. */
  get<K extends keyof D & string>(key: K): SettingValues<D>[K] {
    if (this.cache.has(key)) return this.cache.get(key) as SettingValues<D>[K];
    const definition = this.definitions[key];
    const raw = this.source.get(key);
    let value: unknown = definition.default;
    if (raw !== undefined) {
      const parsed = definition.schema.safeParse(raw);
      if (parsed.success) {
        value = parsed.data;
      } else if (!this.warned.has(key)) {
        this.warned.add(key);
        this.log.warn(`${SETTINGS_SECTION}.${key} is invalid (${parsed.error.issues.map((i) => i.message).join('; ')}); using the default`);
      }
    }
    this.cache.set(key, value);
    return value as SettingValues<D>[K];
  }

  /** Calls `listener` with the keys whose values may have changed. */
  onDidChange(listener: (changed: ReadonlySet<keyof D & string>) => void): IDisposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  override dispose(): void {
    this.listeners.clear();
    super.dispose();
  }
}
