/**
 * Provider flags and the `--config` file shared by the commands that call models (`run`, `plan`).
 * Keys come from `--api-key` or the environment (the model layer's rules) and are never stored.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { MIN_OVERVIEW_TOKENS } from '../core/context/overview';
import { createModel, type Model, type ProviderId, type RetryInfo } from '../core/models';
import { ModelNamesSchema, modelNames, PolicyConfigSchema, RunSetupError } from '../core/session';
import { UsageError, intFlag, stringFlag, type FlagSpec, type FlagValues } from './args';
import type { CliIo } from './io';
import { cliProviders } from './providers';

/** What the CLI can build (the core's providers); the extension's own are refused with the reason. */
const PROVIDER_REGISTRY = cliProviders();

export const MODEL_FLAGS: FlagSpec = {
  provider: { type: 'string' },
  'base-url': { type: 'string' },
  model: { type: 'string' },
  'api-key': { type: 'string' },
  'max-output-tokens': { type: 'string' },
  config: { type: 'string' },
};

export const MODEL_FLAGS_HELP = [
  `  --provider P       ${PROVIDER_REGISTRY.ids().join(' | ')} (default openai)`,
  '  --base-url URL     given to the SDK unchanged (http://localhost:11434/v1 for Ollama)',
  '  --model NAME       the model for every role',
  '  --api-key KEY      wins over OPENAI_API_KEY / ANTHROPIC_API_KEY',
  '  --max-output-tokens N  output tokens per model call (default: the model\'s known limit)',
  '  --config FILE      JSON: models per role, verifiers, test command, budget, prices, policy settings, context.overviewTokens',
];

/** The `--config` file: every field optional; unknown keys are kept for other parts of the product. */
export const RunConfigSchema = z
  .object({
    provider: z.string().optional(),
    baseUrl: z.string().optional(),
    /** Output tokens per model call; default the model's known output limit. */
    maxOutputTokens: z.number().int().positive().optional(),
    // A role may list several models, cheapest first: the learned policy binds one per agent task.
    models: z.object({ planner: ModelNamesSchema, agent: ModelNamesSchema, inspector: ModelNamesSchema, updater: ModelNamesSchema }).partial().optional(),
    verifiers: z.array(z.unknown()).optional(),
    testCommand: z.unknown().optional(),
    verifyTimeoutMs: z.number().int().positive().optional(),
    /** Calls of the agents' run_checks tool per attempt (default 3; 0 turns it off). */
    agentChecksPerAttempt: z.number().int().min(0).max(10).optional(),
    budget: z.object({ tokens: z.number().positive(), cost: z.number().positive() }).partial().optional(),
    prices: z.record(z.string(), z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() })).optional(),
    inspector: z.boolean().optional(),
    /** Per model call: the longest a call may take, and how large one answer may be. */
    limits: z.object({ callTimeoutMs: z.number().int().positive(), maxAnswerBytes: z.number().int().positive(), maxToolCalls: z.number().int().positive() }).partial().optional(),
    recovery: z.object({ maxRetries: z.number().int().min(0), updatesPerTask: z.number().int().min(0), updatesPerRun: z.number().int().min(0) }).partial().optional(),
    /** How far each planner candidate may look at the workspace before planning (`exploreTurns: 0`: not at all). */
    planner: z.object({ exploreTurns: z.number().int().min(0).max(50), exploreTokens: z.number().int().positive() }).partial().loose().optional(),
    /** What the planner and the agents see of the repository: the overview's token budget; `projectRules: false` leaves out AGENTS.md and the like. */
    context: z.object({ overviewTokens: z.number().int().min(MIN_OVERVIEW_TOKENS).max(1_000_000), projectRules: z.boolean() }).partial().optional(),
    /** The learned policy's settings: preset, weights, exploration, defectCost. */
    policy: PolicyConfigSchema.optional(),
  })
  .loose();
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** The overview budget: `--overview-tokens`, else the config's `context.overviewTokens`, else undefined (the default). */
export function overviewTokensOf(values: FlagValues, config: RunConfig): number | undefined {
  return intFlag(values, 'overview-tokens', MIN_OVERVIEW_TOKENS) ?? config.context?.overviewTokens;
}

/** Reads `--config`; bad files are usage errors (exit 2). */
export async function loadConfig(file: string | undefined, io: CliIo): Promise<RunConfig> {
  if (!file) return {};
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --config ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = RunConfigSchema.safeParse(data);
  if (!parsed.success) throw new UsageError(`--config ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export interface ModelSettings {
  provider: ProviderId;
  model?: string;
  baseUrl?: string;
  /** The config's `limits` (never recorded in a run: read again from the config on resume). */
  limits?: RunConfig['limits'];
  /** `--max-output-tokens` or the config's `maxOutputTokens` (read again on resume, like `limits`). */
  maxOutputTokens?: number;
}

/** Flags win over the config file, which wins over `fallback` (a resumed run's recorded settings). */
export function modelSettings(values: FlagValues, config: RunConfig, role: 'planner' | 'agent' | 'inspector' | 'updater', fallback: Partial<ModelSettings> = {}): ModelSettings {
  const provider = stringFlag(values, 'provider') ?? config.provider ?? fallback.provider ?? 'openai';
  if (!PROVIDER_REGISTRY.has(provider)) {
    const refusal = PROVIDER_REGISTRY.refusal(provider);
    if (refusal) throw new RunSetupError('unavailable-provider', `the provider "${provider}" cannot be used from the command line: ${refusal}`);
    throw new UsageError(`unknown provider "${provider}": use one of ${PROVIDER_REGISTRY.ids().join(', ')}`);
  }
  const model = stringFlag(values, 'model') ?? modelNames(config.models?.[role])[0] ?? fallback.model;
  const baseUrl = stringFlag(values, 'base-url') ?? config.baseUrl ?? fallback.baseUrl;
  const maxOutputTokens = intFlag(values, 'max-output-tokens') ?? config.maxOutputTokens;
  return {
    provider,
    ...(model !== undefined ? { model } : {}),
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ...(config.limits ? { limits: config.limits } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
  };
}

/** The line a retried call prints, e.g. "agent (openai gpt-x): rate limited, retrying in 2 s (1/3)". */
export function retryNotice(who: string, info: RetryInfo): string {
  // Whole seconds: the jitter of the wait is noise to the reader.
  const secs = Math.max(1, Math.round(info.delayMs / 1000));
  const why = info.error.kind === 'rate-limited' ? 'rate limited' : `${info.error.kind} error`;
  return `${who}: ${why}, retrying in ${secs} s (${info.attempt}/${info.maxAttempts - 1})\n`;
}

/**
 * Builds the model (throws the model layer's ModelConfigError for what the user must fix: exit 2). Each
 * retry of its calls prints one line to stderr, so a wait on a rate limit never looks like a hang.
 */
export function buildModel(settings: ModelSettings, values: FlagValues, io: CliIo, role = 'model'): Model {
  const apiKey = stringFlag(values, 'api-key');
  const who = `${role} (${settings.provider}${settings.model ? ` ${settings.model}` : ''})`;
  return createModel({
    providers: PROVIDER_REGISTRY,
    provider: settings.provider,
    model: settings.model ?? '',
    ...(settings.baseUrl !== undefined ? { baseUrl: settings.baseUrl } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(settings.maxOutputTokens !== undefined ? { maxOutputTokens: settings.maxOutputTokens } : {}),
    retry: { onRetry: (info) => io.stderr(retryNotice(who, info)) },
    env: io.env,
    ...(settings.limits ? { limits: settings.limits, timeouts: settings.limits.callTimeoutMs ? { totalMs: settings.limits.callTimeoutMs } : {} } : {}),
  });
}

/**
 * The agents' models, cheapest first: `--model` (one for every role), else the config's `models.agent`
 * (one name or a list), else `fallback` (a resumed run's recorded model).
 */
export function agentModelNames(values: FlagValues, config: RunConfig, fallback?: string): string[] {
  const flag = stringFlag(values, 'model');
  if (flag !== undefined) return [flag];
  const names = modelNames(config.models?.agent);
  return names.length ? names : fallback !== undefined ? [fallback] : [];
}
