/**
 * API keys per provider in VS Code's SecretStorage (keys live there and never appear in logs,
 * the webview, events or errors). The stored key wins over the environment (`OPENAI_API_KEY`, ...), as
 * `--api-key` does in the CLI.
 *
 * Failures it answers:
 * - when the OS keyring is missing or locked, SecretStorage rejects; that becomes a
 *   {@link KeyringUnavailableError} saying so. There is no fallback: a key is never put in settings,
 *   globalState or a file.
 * - a key deleted (or changed) in another window reaches this one through `secrets.onDidChange`;
 *   {@link ApiKeys.onDidChange} names the provider, and every read goes to SecretStorage (no cache), so the
 *   next request sees "no key configured", not a stale key.
 * - a pasted key is trimmed, and a key that could not be sent (inner space, non-ASCII) is refused at
 *   save time ({@link InvalidApiKeyError}).
 */
import type * as vscode from 'vscode';
import { apiKeyProblem, isProviderId, type ProviderId } from '../core/models';
import type { IDisposable } from './lifecycle';

/** Where VS Code explains keyring problems (Linux: gnome-keyring/kwallet, `--password-store`). */
export const KEYCHAIN_HELP_URL = 'https://code.visualstudio.com/docs/configure/settings-sync#_troubleshooting-keychain-issues';

const SECRET_PREFIX = 'agensflow.apiKey.';

/** The SecretStorage key of a provider's API key. */
export function secretKeyOf(provider: ProviderId): string {
  return `${SECRET_PREFIX}${provider}`;
}

/** The provider whose key a SecretStorage key holds, or undefined for another secret. */
export function providerOfSecretKey(key: string): ProviderId | undefined {
  const id = key.startsWith(SECRET_PREFIX) ? key.slice(SECRET_PREFIX.length) : undefined;
  return isProviderId(id) ? id : undefined;
}

/** SecretStorage rejected a read or write: the OS keyring is missing, locked or refused access. */
export class KeyringUnavailableError extends Error {
  override readonly name = 'KeyringUnavailableError' as const;
  constructor(
    readonly action: 'read' | 'store' | 'delete',
    readonly provider: ProviderId,
    cause: unknown,
  ) {
    // The keyring's own message says which backend failed; it never holds the key (we did not get one).
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`OS keyring unavailable (see VS Code keychain troubleshooting): could not ${action} the API key for ${provider} (${detail.slice(0, 200)}). AgensFlow keeps keys only in VS Code's secret storage, never in settings or files.`);
  }
}

export function isKeyringUnavailableError(e: unknown): e is KeyringUnavailableError {
  return e instanceof Error && e.name === 'KeyringUnavailableError';
}

/** A key refused at save time: it could not be sent in an HTTP header. */
export class InvalidApiKeyError extends Error {
  override readonly name = 'InvalidApiKeyError' as const;
  constructor(readonly provider: ProviderId, problem: string) {
    super(`the API key for ${provider} was not stored: ${problem}`);
  }
}

export function isInvalidApiKeyError(e: unknown): e is InvalidApiKeyError {
  return e instanceof Error && e.name === 'InvalidApiKeyError';
}

/** The part of `vscode.SecretStorage` the keys use. */
export type SecretStore = Pick<vscode.SecretStorage, 'get' | 'store' | 'delete'> & {
  onDidChange?: (listener: (e: { key: string }) => unknown) => IDisposable;
};

/** Reads and writes the stored keys. */
export class ApiKeys {
  constructor(private readonly secrets: SecretStore) {}

  /** The stored key of `provider`, or undefined. Rejects with {@link KeyringUnavailableError}. */
  async get(provider: ProviderId): Promise<string | undefined> {
    let key: string | undefined;
    try {
      key = await this.secrets.get(secretKeyOf(provider));
    } catch (e) {
      throw new KeyringUnavailableError('read', provider, e);
    }
    return key && key.trim() !== '' ? key : undefined;
  }

  /**
   * Stores `key` (trimmed) or, for an empty key, deletes the key of `provider`. Rejects with
   * {@link InvalidApiKeyError} before touching the store when the key could not be sent, and with
   * {@link KeyringUnavailableError} when the store fails.
   */
  async set(provider: ProviderId, key: string): Promise<void> {
    const trimmed = key.trim();
    const problem = trimmed === '' ? undefined : apiKeyProblem(trimmed);
    if (problem) throw new InvalidApiKeyError(provider, problem);
    const action = trimmed === '' ? 'delete' : 'store';
    try {
      if (trimmed === '') await this.secrets.delete(secretKeyOf(provider));
      else await this.secrets.store(secretKeyOf(provider), trimmed);
    } catch (e) {
      throw new KeyringUnavailableError(action, provider, e);
    }
  }

  async has(provider: ProviderId): Promise<boolean> {
    return (await this.get(provider)) !== undefined;
  }

  /** Whether a key is stored, or undefined when the keyring cannot say (for labels, never throws). */
  async stored(provider: ProviderId): Promise<boolean | undefined> {
    return this.has(provider).catch(() => undefined);
  }

  /**
   * Calls `listener` with the provider whose key was stored, changed or deleted, in this window or another
   * (VS Code's `secrets.onDidChange`).
   */
  onDidChange(listener: (provider: ProviderId) => void): IDisposable {
    if (!this.secrets.onDidChange) return { dispose: () => undefined };
    return this.secrets.onDidChange((e) => {
      const provider = providerOfSecretKey(e.key);
      if (provider) listener(provider);
    });
  }
}
