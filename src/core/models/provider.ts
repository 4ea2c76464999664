/**
 * Providers as a registry. A provider is one {@link ProviderDefinition} record: its id and label, how its key
 * and base URL are found, the models it suggests, its capabilities, and a `create` that builds the adapter
 * behind the Model port. The core registers the providers it can build everywhere (src/core/models/providers.ts);
 * a front end extends its own registry with what only it can build (VS Code's Language Model API) and names
 * what it cannot, so a user is told why instead of "unknown provider".
 */
import type { Model, ProviderId } from './types';
import type { AnswerLimits, Timeouts } from './watchdog';

/** How a provider's calls are paid for: by the token at a price, or included in the user's plan (no price). */
export type PricingKind = 'per-token' | 'included';

/**
 * Where a provider's key comes from when none is given explicitly: `required` reads `env` and fails without
 * one; `optional` reads no environment and sends `placeholder` (a local server wants some bearer, never the
 * user's key for another host); `none`: the provider takes no key at all.
 */
export type KeyRule =
  | { readonly kind: 'required'; readonly env: string }
  | { readonly kind: 'optional'; readonly placeholder: string }
  | { readonly kind: 'none' };

/**
 * The base URL: `default` when the user sets none (absent: the user must give one, `example` says what);
 * `used: false` for a provider that talks to no URL (a base URL set for it is ignored).
 */
export interface BaseUrlRule {
  readonly used: boolean;
  readonly default?: string;
  readonly example?: string;
}

/** What `create` is given, the rules of the definition already applied. */
export interface ProviderModelOptions {
  model: string;
  /** Checked (http/https, no credentials) and defaulted; undefined for a provider that uses none. */
  baseUrl: string | undefined;
  /** Resolved by the key rule; undefined for a provider that takes none. */
  apiKey: string | undefined;
  timeouts: Timeouts;
  limits: AnswerLimits;
  stream: boolean;
  /** Output tokens to ask for when a request sets none (the known limit of the model, or the user's setting). */
  maxOutputTokens: number | undefined;
}

/** A model a provider offers, as a picker lists it. */
export interface ProviderModelInfo {
  /** The name written to the settings and sent to the provider. */
  id: string;
  /** Shown instead of `id` when set (e.g. a display name). */
  label?: string;
  /** A second line (vendor, family, context size). */
  detail?: string;
}

/** What listing a provider's models is given: the rules of the definition already applied, as for `create`. */
export interface ListModelsOptions {
  baseUrl?: string;
  apiKey?: string;
  signal?: AbortSignal;
  /** Give up after this long (default: the listing's own limit). */
  timeoutMs?: number;
}

export interface ProviderDefinition {
  readonly id: ProviderId;
  /** e.g. "OpenAI", "VS Code Language Models". */
  readonly label: string;
  /** One line for a picker: what it talks to. */
  readonly detail: string;
  readonly key: KeyRule;
  readonly baseUrl: BaseUrlRule;
  readonly pricing: PricingKind;
  /** Output tokens asked for on a model the table of known limits does not list (undefined: the server's default). */
  readonly defaultMaxOutputTokens?: number;
  /** Model names to suggest when the provider cannot list its models live. */
  readonly suggestedModels: readonly string[];
  /**
   * The models available now, when the provider can tell: VS Code's Language Model API, or the server behind
   * an OpenAI-compatible base URL. Called through `listModels` (create.ts), which applies the key and base-URL
   * rules first; fails with a typed error when the list cannot be had (the caller falls back to a typed name).
   */
  listModels?(options?: ListModelsOptions): Promise<ProviderModelInfo[]>;
  /** Builds the raw adapter (no retries: the registry's caller wraps it). */
  create(options: ProviderModelOptions): Model;
}

/** True when the provider needs a key the user must supply. */
export function needsKey(def: ProviderDefinition): boolean {
  return def.key.kind === 'required';
}

/** The environment variable a provider reads its key from, or undefined. */
export function keyEnvOf(def: ProviderDefinition): string | undefined {
  return def.key.kind === 'required' ? def.key.env : undefined;
}

/**
 * A set of providers, and the ids this front end knows of but cannot build (with the reason). Each front end
 * owns one (no module-level mutable registry): the CLI's holds the core's providers, the extension's adds
 * its own.
 */
export class ProviderRegistry {
  private readonly defs = new Map<ProviderId, ProviderDefinition>();
  private readonly refused = new Map<ProviderId, string>();

  constructor(definitions: Iterable<ProviderDefinition> = []) {
    for (const d of definitions) this.register(d);
  }

  /** Adds a provider; an id registered twice is a programming error. */
  register(def: ProviderDefinition): this {
    if (this.defs.has(def.id)) throw new Error(`provider ${def.id} is registered twice`);
    this.refused.delete(def.id);
    this.defs.set(def.id, def);
    return this;
  }

  /** Names a provider this front end cannot build, with why (e.g. "it exists only inside VS Code"). */
  refuse(id: ProviderId, reason: string): this {
    if (!this.defs.has(id)) this.refused.set(id, reason);
    return this;
  }

  get(id: string): ProviderDefinition | undefined {
    return this.defs.get(id);
  }

  has(id: unknown): id is ProviderId {
    return typeof id === 'string' && this.defs.has(id);
  }

  /** Why `id` cannot be built here, when it is a provider of another front end. */
  refusal(id: string): string | undefined {
    return this.refused.get(id);
  }

  /** The registered ids, in registration order. */
  ids(): ProviderId[] {
    return [...this.defs.keys()];
  }

  list(): ProviderDefinition[] {
    return [...this.defs.values()];
  }
}
