/**
 * The `vscode-lm` provider record: the chat models VS Code offers (GitHub Copilot's, or another extension's),
 * registered into the extension's provider registry at activation. No key, no URL; calls are included in the
 * user's plan (their quota), so they are never priced.
 */
import type { ProviderDefinition, ProviderModelInfo } from '../../core/models';
import { VSCODE_LM_PROVIDER_ID, type LmApi } from './api';
import { createLmModel, settingOf } from './lmModel';

/** The models VS Code offers now, as the Select Provider and Model picker lists them. */
export async function listLmModels(api: LmApi): Promise<ProviderModelInfo[]> {
  const chats = await api.lm.selectChatModels();
  return chats.map((c) => ({
    id: settingOf(c),
    label: c.name,
    detail: `${c.vendor} · family ${c.family}${c.version ? ` · version ${c.version}` : ''} · ${c.maxInputTokens} input tokens · included in your plan`,
  }));
}

export function vscodeLmProvider(api: LmApi): ProviderDefinition {
  return {
    id: VSCODE_LM_PROVIDER_ID,
    label: 'VS Code language models',
    detail: "The chat models VS Code offers (GitHub Copilot's, or another extension's): no key; uses your plan's quota",
    key: { kind: 'none' },
    baseUrl: { used: false },
    pricing: 'included',
    suggestedModels: [],
    listModels: () => listLmModels(api),
    create: (o) => createLmModel({ api, model: o.model, totalMs: o.timeouts.totalMs, limits: o.limits }),
  };
}
