/**
 * The agent prompt protocols the policy chooses among (decision point `protocol`). A protocol is a short
 * instruction appended to the agent's system prompt; `direct-edit` is the plain prompt. The first user message
 * (`Task <id>: <title>`) is never changed, so fake servers and users' integrations still recognise the task.
 */
import { createHash } from 'node:crypto';
import type { Model, ModelRequest } from '../models';

export const PROTOCOL_TEXT: Readonly<Record<string, string>> = {
  'direct-edit': '',
  'plan-then-edit':
    'Protocol: plan, then edit. Before writing, read the files you depend on and state in a few lines which files you will write and how they meet each acceptance criterion; then write them.',
  'test-first':
    'Protocol: checks first. Before writing code, work out how each acceptance criterion will be checked (if your task owns test files, write those tests first); then write the code so that those checks pass.',
};

/** A short hash of a protocol's text: when the text changes, the policy restarts that option. */
export function protocolFingerprint(id: string): string {
  return createHash('sha256').update(PROTOCOL_TEXT[id] ?? id).digest('hex').slice(0, 12);
}

function withInstruction(req: ModelRequest, text: string): ModelRequest {
  const [first, ...rest] = req.messages;
  if (first?.role === 'system') return { ...req, messages: [{ role: 'system', content: `${first.content}\n\n${text}` }, ...rest] };
  return { ...req, messages: [{ role: 'system', content: text }, ...req.messages] };
}

/** The model with the protocol's instruction added to every request's system prompt. */
export function withProtocol(model: Model, protocol: string): Model {
  const text = PROTOCOL_TEXT[protocol];
  if (!text) return model;
  return { provider: model.provider, name: model.name, ...(model.pricing ? { pricing: model.pricing } : {}), call: (req) => model.call(withInstruction(req, text)) };
}
