/**
 * The models an OpenAI-compatible server serves, asked of the server itself: `GET {baseURL}/models` (the
 * OpenAI list every such server implements: Ollama, LM Studio, vLLM, llama.cpp server), and, where the server
 * is Ollama, its native `GET /api/tags`, which also says each model's size, parameters and quantisation. Both
 * are asked at once; Ollama's answer wins when it is one. A server that answers neither fails with a typed
 * {@link ProviderError} whose message names the address (redacted) and what went wrong, so the picker can say
 * why it falls back to a typed name.
 */
import { z } from 'zod';
import { ModelConfigError, ProviderError, type ProviderErrorKind } from './errors';
import type { ListModelsOptions, ProviderModelInfo } from './provider';
import { redactUrl } from './redact';
import type { ProviderId } from './types';

/** How long one listing may take before it is given up (a picker is waiting). */
export const LIST_MODELS_TIMEOUT_MS = 10_000;

const OpenAIModelList = z.object({
  data: z.array(z.object({ id: z.string().min(1), owned_by: z.string().optional() }).loose()),
}).loose();

const OllamaTags = z.object({
  models: z.array(z.object({
    name: z.string().min(1),
    size: z.number().optional(),
    details: z.object({
      family: z.string().optional(),
      parameter_size: z.string().optional(),
      quantization_level: z.string().optional(),
    }).loose().optional(),
  }).loose()),
}).loose();

/** Where Ollama's native API lives for an OpenAI base URL: the same host, without the `/v1` suffix. */
export function ollamaTagsUrl(baseUrl: string): string | undefined {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  if (!/\/v1$/.test(path)) return undefined;
  url.pathname = `${path.slice(0, -3)}/api/tags`;
  return url.toString();
}

function modelsUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/models`;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

interface Failure { ok: false; kind: ProviderErrorKind; status?: number; why: string }
type Fetched = { ok: true; body: unknown } | Failure;

function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'not-found';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server';
  return 'bad-request';
}

async function getJson(url: string, apiKey: string | undefined, signal: AbortSignal): Promise<Fetched> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) }, signal, redirect: 'error' });
  } catch (e) {
    if (signal.aborted) return { ok: false, kind: 'timeout', why: 'no answer in time' };
    const cause = e instanceof Error && e.cause instanceof Error && 'code' in e.cause ? String(e.cause.code) : undefined;
    return { ok: false, kind: 'connection', why: cause ? `could not connect (${cause})` : 'could not connect' };
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: false, kind: kindOfStatus(res.status), status: res.status, why: `answered HTTP ${res.status}` };
  }
  try {
    return { ok: true, body: await res.json() };
  } catch {
    return { ok: false, kind: 'bad-response', why: 'answered something that is not JSON' };
  }
}

function fromOpenAI(body: unknown): ProviderModelInfo[] | undefined {
  const parsed = OpenAIModelList.safeParse(body);
  if (!parsed.success) return undefined;
  return parsed.data.data.map((m) => ({ id: m.id, ...(m.owned_by ? { detail: `owned by ${m.owned_by}` } : {}) }));
}

function fromOllama(body: unknown): ProviderModelInfo[] | undefined {
  const parsed = OllamaTags.safeParse(body);
  if (!parsed.success) return undefined;
  return parsed.data.models.map((m) => {
    const d = m.details;
    const detail = [d?.family, d?.parameter_size, d?.quantization_level, m.size !== undefined ? gib(m.size) : undefined].filter(Boolean).join(' · ');
    return { id: m.name, ...(detail ? { detail: `Ollama · ${detail}` } : {}) };
  });
}

/**
 * The models the server at `baseUrl` lists, sorted by name. `apiKey` is sent as a bearer when given (the
 * key meant for this server, or the placeholder). Throws a {@link ProviderError} when neither list answers.
 */
export async function listServerModels(provider: ProviderId, options: ListModelsOptions = {}): Promise<ProviderModelInfo[]> {
  const { baseUrl } = options;
  if (!baseUrl) throw new ModelConfigError(`the ${provider} provider needs a base URL to list its models`, 'base-url');
  const timeout = AbortSignal.timeout(options.timeoutMs ?? LIST_MODELS_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const tagsUrl = ollamaTagsUrl(baseUrl);
  const [openai, ollama] = await Promise.all([
    getJson(modelsUrl(baseUrl), options.apiKey, signal),
    tagsUrl ? getJson(tagsUrl, options.apiKey, signal) : Promise.resolve(undefined),
  ]);
  const native = ollama?.ok ? fromOllama(ollama.body) : undefined;
  const listed = native ?? (openai.ok ? fromOpenAI(openai.body) : undefined);
  if (listed) return listed.sort((a, b) => a.id.localeCompare(b.id));
  const shown = redactUrl(modelsUrl(baseUrl));
  const failure: Failure = openai.ok ? { ok: false, kind: 'bad-response', why: 'answered something that is not a model list' } : openai;
  throw new ProviderError({
    kind: failure.kind,
    provider,
    baseUrl: redactUrl(baseUrl),
    model: '',
    message: `GET ${shown} ${failure.why}`,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
  });
}
