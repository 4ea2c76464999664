/**
 * Typed errors of the model layer. Each has a literal `name` and a type guard; messages
 * say what to fix and never contain a key (they are built from redacted text).
 */
import type { ProviderId } from './types';

/** What went wrong talking to a provider; decides retrying and the advice given to the user. */
export type ProviderErrorKind =
  | 'auth' // 401: the key was rejected
  | 'permission' // 403: the key may not use this model or endpoint
  | 'not-found' // 404: model name or base URL is wrong
  | 'bad-request' // 400/413/422: the request was refused as malformed or too large
  | 'rate-limited' // 429
  | 'server' // 5xx, 529 overloaded
  | 'connection' // reset, refused, dropped stream
  | 'timeout' // our connect/first-byte, idle-stream or request timeout fired
  | 'bad-response' // 200 with a body that is not the protocol (an HTML page, another schema, a malformed stream)
  | 'answer-too-large' // the answer broke the size limits (bytes of text and arguments, tool calls); not retried
  | 'deadline' // the whole call took longer than its overall limit (a stream that never ends); not retried
  | 'wait-too-long' // the provider asked us to wait longer than the cap
  | 'consent' // the user has not allowed this extension to use the model (a host's consent prompt declined)
  | 'blocked' // the host blocks this extension from the model
  | 'quota'; // the user's plan has no quota left for the model (it was withdrawn): retry later or switch

export interface ProviderErrorInit {
  kind: ProviderErrorKind;
  provider: ProviderId;
  baseUrl: string;
  model: string;
  message: string;
  status?: number;
  retryAfterMs?: number;
  /** How many requests were sent before giving up (set by the retry layer). */
  attempts?: number;
}

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(['rate-limited', 'server', 'connection', 'timeout']);

/** A failed provider call. `retryable` says whether the retry layer may try again. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError' as const;
  readonly kind: ProviderErrorKind;
  readonly provider: ProviderId;
  readonly baseUrl: string;
  readonly model: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  attempts: number;

  constructor(init: ProviderErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.provider = init.provider;
    this.baseUrl = init.baseUrl;
    this.model = init.model;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts ?? 1;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/** The caller's AbortSignal fired: the request was stopped; nothing is retried. */
export class ModelAbortedError extends Error {
  override readonly name = 'ModelAbortedError' as const;
  constructor(message = 'the model call was cancelled') {
    super(message);
  }
}

/** The setting a {@link ModelConfigError} asks the user to fix. */
export type ModelSetting = 'key' | 'provider' | 'model' | 'base-url';

/** Bad model settings found before any request: no key, an unknown provider, a malformed base URL. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError' as const;
  constructor(
    message: string,
    /** Which setting is wrong (front ends point the user to the command that sets it). */
    readonly setting: ModelSetting,
  ) {
    super(message);
  }
}

/** A structured answer (one forced tool call) was still invalid after the one repair round. */
export class StructuredAnswerError extends Error {
  override readonly name = 'StructuredAnswerError' as const;
  constructor(
    /** The step that asked, e.g. `planner`, `inspector`, `updater`. */
    readonly step: string,
    /** What was wrong with the last answer. */
    readonly problem: string,
  ) {
    super(`${step}: the model's answer was invalid after one repair round: ${problem}`);
  }
}

/** The run's token or cost budget is spent: no new call starts. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError' as const;
  constructor(
    readonly limit: 'tokens' | 'cost',
    readonly used: number,
    readonly budget: number,
  ) {
    super(
      limit === 'tokens'
        ? `token budget exhausted: ${used} tokens used of ${budget}; no new model call is started`
        : `cost budget exhausted: $${used.toFixed(4)} spent of $${budget.toFixed(4)}; no new model call is started`,
    );
  }
}

export function isProviderError(e: unknown): e is ProviderError {
  return e instanceof Error && e.name === 'ProviderError';
}
export function isModelAbortedError(e: unknown): e is ModelAbortedError {
  return e instanceof Error && e.name === 'ModelAbortedError';
}
export function isModelConfigError(e: unknown): e is ModelConfigError {
  return e instanceof Error && e.name === 'ModelConfigError';
}
export function isStructuredAnswerError(e: unknown): e is StructuredAnswerError {
  return e instanceof Error && e.name === 'StructuredAnswerError';
}
export function isBudgetExceededError(e: unknown): e is BudgetExceededError {
  return e instanceof Error && e.name === 'BudgetExceededError';
}

/**
 * The CLI exit code for an error of this layer: 2 for what the user must fix in the settings
 * (rejected key, unknown model, bad base URL or config), 130 for a cancel, 1 for everything else.
 */
export function modelErrorExitCode(e: unknown): 1 | 2 | 130 {
  if (isModelConfigError(e)) return 2;
  if (isModelAbortedError(e)) return 130;
  if (isProviderError(e) && ['auth', 'permission', 'not-found', 'bad-request', 'consent', 'blocked'].includes(e.kind)) return 2;
  return 1;
}
