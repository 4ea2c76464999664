import type { z } from 'zod';

/**
 * The Model port. Providers are adapters behind it; the engine never sees an SDK type.
 * Contract shared by the planner, agents, inspector and updater: keep it stable.
 */
/** The id of a registered provider (src/core/models/provider.ts): the core's, or one a front end added. */
export type ProviderId = string;
export type ModelRole = 'planner' | 'agent' | 'inspector' | 'updater';

/** A tool offered to the model; its arguments are validated with `schema` (sent as JSON Schema). */
export interface ToolSpec<T = unknown> {
  name: string;
  description: string;
  schema: z.ZodType<T>;
  /**
   * Send a sub-schema used more than once (e.g. the task in `submit_update`'s `replace` and `add`) once,
   * under `$defs`, referenced by `$ref`: a smaller request. Off by default.
   */
  shareDefinitions?: boolean;
}

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as JSON-parsed; `undefined` when `rawArguments` was not valid JSON. */
  arguments: unknown;
  rawArguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string; isError?: boolean };

export type ToolChoice = 'auto' | 'required' | { name: string };

/** Incremental output while a call streams. A retried call starts over: listeners get `reset` first. */
export type StreamEvent =
  | { type: 'text'; delta: string }
  | { type: 'tool_call_delta'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'reset'; reason: string };

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export type StopReason = 'stop' | 'tool_calls' | 'length' | 'other';

export interface ModelRequest {
  messages: ChatMessage[];
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** Streamed deltas; optional. */
  onEvent?: (event: StreamEvent) => void;
  /** Stream this call (SSE) or ask for one plain JSON answer; defaults to the model's setting. */
  stream?: boolean;
}

export interface ModelResult {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  stopReason: StopReason;
  /** The model name the server reported (or the requested one). */
  model: string;
}

export interface Model {
  readonly provider: ProviderId;
  /** The model name sent to the provider, e.g. `gpt-4o-mini`, `claude-sonnet-4-5`, `qwen2.5-coder:7b`. */
  readonly name: string;
  /** `included`: its calls are paid by the user's plan, not by the token (never priced by name). Default per-token. */
  readonly pricing?: 'per-token' | 'included';
  call(request: ModelRequest): Promise<ModelResult>;
}
