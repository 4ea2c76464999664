/**
 * `createModel`: the one way the product builds a model. It applies the key rules (below), checks the
 * settings before any request, and wraps the provider adapter in the retry layer.
 */
import { ModelConfigError } from './errors';
import { maxOutputTokensFor } from './outputLimits';
import { keyEnvOf, type ProviderDefinition, type ProviderModelInfo, type ProviderRegistry } from './provider';
import { CORE_PROVIDERS, coreProviderRegistry } from './providers';
import { isRedactedUrl, redactUrl } from './redact';
import { rateGateFor, withRetry, type RetryOptions } from './retry';
import type { Model, ProviderId } from './types';
import { DEFAULT_ANSWER_LIMITS, DEFAULT_TIMEOUTS, type AnswerLimits, type Timeouts } from './watchdog';

/** The ids of the core's providers (a front end's registry may hold more). */
export const PROVIDERS: readonly ProviderId[] = Object.freeze(CORE_PROVIDERS.map((d) => d.id));

/** The core's registry, never extended: what `createModel` builds from when it is given none. */
const CORE_REGISTRY: Pick<ProviderRegistry, 'get' | 'ids' | 'refusal'> = coreProviderRegistry();

/** True for the id of one of the core's providers. */
export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && PROVIDERS.includes(value);
}

/** Sent by `openai-compatible` when no key is given: local servers want some bearer, never the user's. */
export const PLACEHOLDER_KEY = 'agensflow-no-key';

/** The environment variable a core provider reads its key from, or undefined (`openai-compatible` reads none). */
export function envKeyOf(provider: ProviderId): string | undefined {
  const def = CORE_REGISTRY.get(provider);
  return def ? keyEnvOf(def) : undefined;
}

export interface CreateModelOptions {
  provider: ProviderId;
  model: string;
  /** Given to the SDK unchanged (`http://localhost:11434/v1` for Ollama; the host root for Anthropic). */
  baseUrl?: string;
  /** `--api-key` or the extension's stored key: wins over the environment. */
  apiKey?: string;
  /** Where to read `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  timeouts?: Partial<Timeouts>;
  /** The size of one answer (bytes of text and tool arguments, tool calls); larger answers fail, unretried. */
  limits?: Partial<AnswerLimits>;
  retry?: Partial<RetryOptions>;
  /** Stream answers (SSE) by default; a request may override. Default true. */
  stream?: boolean;
  /**
   * The user's output-token limit for a call that sets none; default: the model's known limit
   * (outputLimits.ts), else the provider's default.
   */
  maxOutputTokens?: number;
  /** Where `provider` is looked up; default the core's registry. */
  providers?: Pick<ProviderRegistry, 'get' | 'ids' | 'refusal'>;
}

/**
 * What is wrong with a pasted API key, or undefined when it can be sent: a key is trimmed first (a trailing
 * newline or space from a paste), and must then be printable ASCII without spaces; the SDKs fail on anything
 * else with an obscure ByteString error at request time. For an input box's validation (the VS Code Set API
 * Key command) as well as for `--api-key` and the environment. Never repeats the key.
 */
export function apiKeyProblem(key: string): string | undefined {
  const trimmed = key.trim();
  if (trimmed === '') return 'the API key is empty';
  const bad = trimmed.search(/[^\x21-\x7e]/);
  if (bad >= 0) {
    // Which character, by code point and position (never the key itself): a typographic quote, a no-break space...
    const point = `U+${(trimmed.codePointAt(bad) ?? 0).toString(16).toUpperCase().padStart(4, '0')} at position ${bad + 1}`;
    return `the API key contains spaces, control or non-ASCII characters (${point}; a paste error?); set it again`;
  }
  return undefined;
}

/** `key` trimmed, or undefined when absent or blank; throws ModelConfigError (naming `source`) when malformed. */
export function cleanApiKey(key: string | undefined, source: string): string | undefined {
  if (key === undefined || key.trim() === '') return undefined;
  const problem = apiKeyProblem(key);
  if (problem) throw new ModelConfigError(`${problem.replace(/^the API key/, `the API key from ${source}`)}`, 'key');
  return key.trim();
}

/**
 * The key a provider will send: an explicit key wins; else `openai` reads
 * `OPENAI_API_KEY` and `anthropic` `ANTHROPIC_API_KEY`; `openai-compatible` reads no environment variable
 * and sends a placeholder, so a user's OpenAI key never goes to another host.
 */
export function resolveApiKey(provider: ProviderId | ProviderDefinition, apiKey: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const def = typeof provider === 'string' ? CORE_REGISTRY.get(provider) : provider;
  const id = typeof provider === 'string' ? provider : provider.id;
  if (!def) throw new ModelConfigError(`unknown provider '${id}'`, 'provider');
  const explicit = cleanApiKey(apiKey, 'the --api-key option or stored key');
  if (explicit) return explicit;
  if (def.key.kind !== 'required') return PLACEHOLDER_KEY;
  const name = def.key.env;
  const fromEnv = cleanApiKey(env[name], name);
  if (fromEnv) return fromEnv;
  throw new ModelConfigError(`no API key for ${id}: pass --api-key or set ${name}`, 'key');
}

function checkBaseUrl(def: ProviderDefinition, baseUrl: string | undefined): string | undefined {
  if (!def.baseUrl.used) return undefined;
  if (baseUrl === undefined || baseUrl.trim() === '') {
    if (def.baseUrl.default === undefined) {
      throw new ModelConfigError(`the ${def.id} provider needs --base-url${def.baseUrl.example ? ` (e.g. ${def.baseUrl.example})` : ''}`, 'base-url');
    }
    return def.baseUrl.default;
  }  // No message here repeats what was given beyond its scheme: a `user:pass@` or `?api_key=` in a malformed
  // URL must not reach stderr or a log.
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ModelConfigError('--base-url is not a URL (expected e.g. http://localhost:11434/v1)', 'base-url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ModelConfigError('--base-url must be an http or https URL (e.g. http://localhost:11434/v1)', 'base-url');
  }
  if (url.username || url.password) throw new ModelConfigError(`--base-url ${redactUrl(baseUrl)} must not carry credentials; use --api-key`, 'base-url');
  if (isRedactedUrl(baseUrl)) {
    // A resumed run's recorded base URL: its query was not stored, so it cannot be sent again.
    throw new ModelConfigError(`the base URL ${redactUrl(baseUrl)} is a stored copy whose query was redacted; pass the full --base-url (or set it) again`, 'base-url');
  }
  return baseUrl;
}

/**
 * The models `def` offers now, when it can list them (undefined when it cannot: the caller suggests names).
 * The key and base-URL rules are those of {@link createModel}: an `openai-compatible` server gets the stored
 * key or the placeholder, never a key read from the environment for another host.
 */
export async function listModels(
  def: ProviderDefinition,
  options: Pick<CreateModelOptions, 'baseUrl' | 'apiKey' | 'env'> & { signal?: AbortSignal; timeoutMs?: number },
): Promise<ProviderModelInfo[] | undefined> {
  if (!def.listModels) return undefined;
  const baseUrl = checkBaseUrl(def, options.baseUrl);
  const apiKey = def.key.kind === 'none' ? undefined : resolveApiKey(def, options.apiKey, options.env ?? process.env);
  return def.listModels({
    ...(baseUrl !== undefined ? { baseUrl } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** Builds a retrying model for `provider`. Throws `ModelConfigError` for settings the user must fix. */
export function createModel(options: CreateModelOptions): Model {
  const { provider } = options;
  const registry = options.providers ?? CORE_REGISTRY;
  const def = registry.get(provider);
  if (!def) {
    const refusal = registry.refusal(String(provider));
    throw new ModelConfigError(refusal ? `the provider '${String(provider)}' cannot be used here: ${refusal}` : `unknown provider '${String(provider)}': use one of ${registry.ids().join(', ')}`, 'provider');
  }
  if (!options.model || options.model.trim() === '') throw new ModelConfigError(`no model name for ${provider}: pass --model`, 'model');
  const baseUrl = checkBaseUrl(def, options.baseUrl);
  const apiKey = def.key.kind === 'none' ? undefined : resolveApiKey(def, options.apiKey, options.env ?? process.env);
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const limits: AnswerLimits = { ...DEFAULT_ANSWER_LIMITS, ...options.limits };
  const stream = options.stream ?? true;
  const maxOutputTokens = maxOutputTokensFor(options.model, options.maxOutputTokens, def.defaultMaxOutputTokens);
  const raw = def.create({ model: options.model, baseUrl, apiKey, timeouts, limits, stream, maxOutputTokens });
  // Every model of this process calling this endpoint shares its rate gate (parallel agents back off together).
  const endpoint = baseUrl ?? '';
  const shown = baseUrl !== undefined ? `${provider} at ${redactUrl(baseUrl)}` : provider;
  return withRetry(raw, { ...options.retry, gate: options.retry?.gate ?? rateGateFor(provider, endpoint, shown) });
}
