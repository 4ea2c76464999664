/**
 * API keys per provider in VS Code's SecretStorage (keys live there and never appear in logs,
 * the webview, events or errors). The stored key wins over the environment (`OPENAI_API_KEY`, ...), as
 * `--api-key` does in the CLI.
 */
import type * as vscode from 'vscode';
import type { ProviderId } from '../core/models';

/** The SecretStorage key of a provider's API key. */
export function secretKeyOf(provider: ProviderId): string {
  return `agensflow.apiKey.${provider}`;
}

/** Reads and writes the stored keys. */
export class ApiKeys {
  constructor(private readonly secrets: Pick<vscode.SecretStorage, 'get' | 'store' | 'delete'>) {}

  /** The stored key of `provider`, or undefined. */
  async get(provider: ProviderId): Promise<string | undefined> {
    const key = await this.secrets.get(secretKeyOf(provider));
    return key && key.trim() !== '' ? key : undefined;
  }

  /** Stores (trimmed) or, for an empty key, deletes the key of `provider`. */
  async set(provider: ProviderId, key: string): Promise<void> {
    const trimmed = key.trim();
    if (trimmed === '') await this.secrets.delete(secretKeyOf(provider));
    else await this.secrets.store(secretKeyOf(provider), trimmed);
  }

  async has(provider: ProviderId): Promise<boolean> {
    return (await this.get(provider)) !== undefined;
  }
}
