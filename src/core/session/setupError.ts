/**
 * Why a run cannot start or go on until the user fixes something, as a typed error with a kind, so a front
 * end chooses its advice (VS Code: the fix button) by kind, never by the message's text.
 */
import { isModelConfigError, isProviderError } from '../models';

export type SetupErrorKind =
  /** No model (or provider) is chosen, or the one named is unknown. */
  | 'no-model'
  /** The provider chosen exists only in another front end (e.g. VS Code's language models, from the CLI). */
  | 'unavailable-provider'
  /** No API key for the provider, or one that cannot be sent (a paste error). */
  | 'no-key'
  /** The provider refused the key (401) or its use of this model (403). */
  | 'rejected-key'
  /** The base URL is malformed, or names no such model or endpoint (404). */
  | 'bad-endpoint'
  /** The provider could not be reached (refused, reset, timed out). */
  | 'unreachable'
  /** The user has not allowed AgensFlow to use the chosen model (VS Code's consent prompt was declined). */
  | 'no-consent'
  /** The chosen model is blocked for AgensFlow, or withdrawn because the user's quota for it is spent. */
  | 'model-unavailable'
  /** The folder is not trusted (VS Code's Restricted Mode): nothing runs in it. */
  | 'untrusted'
  /** No folder on disk is open. */
  | 'no-folder'
  /** A run is already going on. */
  | 'busy'
  /** Other run settings are invalid (verifiers, the test command, a missing workspace folder). */
  | 'bad-settings';

export class RunSetupError extends Error {
  override readonly name = 'RunSetupError' as const;
  constructor(
    readonly kind: SetupErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isRunSetupError(e: unknown): e is RunSetupError {
  return e instanceof Error && e.name === 'RunSetupError';
}

/**
 * The setup problem behind `e`, from the typed errors of the model layer and the engine, or `undefined` when
 * `e` is not something the user fixes in the settings.
 */
export function setupErrorOf(e: unknown): RunSetupError | undefined {
  if (isRunSetupError(e)) return e;
  if (isModelConfigError(e)) {
    const kind: SetupErrorKind = e.setting === 'key' ? 'no-key' : e.setting === 'base-url' ? 'bad-endpoint' : 'no-model';
    return new RunSetupError(kind, e.message, { cause: e });
  }
  if (isProviderError(e)) {
    if (e.kind === 'auth' || e.kind === 'permission') return new RunSetupError('rejected-key', e.message, { cause: e });
    if (e.kind === 'not-found') return new RunSetupError('bad-endpoint', e.message, { cause: e });
    if (e.kind === 'consent') return new RunSetupError('no-consent', e.message, { cause: e });
    if (e.kind === 'blocked' || e.kind === 'quota') return new RunSetupError('model-unavailable', e.message, { cause: e });
    if (e.kind === 'connection' || e.kind === 'timeout') return new RunSetupError('unreachable', e.message, { cause: e });
    return undefined;
  }
  if (e instanceof Error && e.name === 'RunConfigError') return new RunSetupError('bad-settings', e.message, { cause: e });
  return undefined;
}
