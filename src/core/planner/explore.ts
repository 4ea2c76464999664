/**
 * The planner looks before it plans: each candidate's conversation is offered the agents' read-only tools
 * (`list_files`, `read_file`, `search`, the same executors over the workspace, through a layer that owns no
 * file, so nothing can be staged) besides `submit_workflow`, for a bounded number of turns and tokens. When it
 * submits (or answers without a tool) its answer is judged like any structured answer, with one repair round;
 * when the turns or tokens run out it is asked for the plan with `submit_workflow` forced.
 */
import { callTool, type CallToolResult } from '../models/structured';
import type { ChatMessage, Model, ModelResult, ToolSpec, Usage } from '../models/types';
import { runToolSafely } from '../run/agent';
import { StagingArea, type TaskLayer } from '../run/staging';
import { AGENT_TOOLS, type AgentTool } from '../run/tools';

/** The tools the planner may look with: reading only. */
export const PLANNER_READ_TOOL_NAMES = ['list_files', 'read_file', 'search'] as const;

export const DEFAULT_EXPLORE_TURNS = 6;
export const DEFAULT_EXPLORE_TOKENS = 60_000;
/** Characters of one tool result the planner is shown (a whole large file would crowd out the plan). */
export const EXPLORE_RESULT_CHARS = 16_000;
/** Tool summaries kept per candidate for the decision's figures. */
const MAX_EXPLORED = 30;

const READ_TOOLS: ReadonlyMap<string, AgentTool> = new Map(PLANNER_READ_TOOL_NAMES.map((n) => [n, AGENT_TOOLS.get(n)!]));

/** How far each candidate may look. */
export interface ExploreLimits {
  /** Model turns that may call the read-only tools before the plan must be submitted; 0 turns exploration off. */
  turns: number;
  /** Tokens (input plus output) one candidate's exploration may spend before the plan must be submitted. */
  maxTokens: number;
}

/** A read-only view of the workspace at `root` for the planner's tools: it owns no file, so every write is refused. */
export function readOnlyWorkspace(root: string): TaskLayer {
  return new StagingArea(root).openLayer('planner', [], []);
}

export interface ExploreInput<T> {
  model: Model;
  messages: ChatMessage[];
  tool: ToolSpec<T>;
  check?: (value: T) => string[];
  layer: TaskLayer;
  limits: ExploreLimits;
  signal?: AbortSignal;
  temperature?: number;
}

/** The structured answer, and what the candidate looked at (one short line per tool call, as the agents' events say it). */
export type ExploreResult<T> = CallToolResult<T> & { explored: string[] };

const add = (a: Usage, b: Usage): Usage => ({ inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens });

function clip(text: string): string {
  return text.length <= EXPLORE_RESULT_CHARS ? text : `${text.slice(0, EXPLORE_RESULT_CHARS)}\n[... ${text.length - EXPLORE_RESULT_CHARS} more characters not shown: read a smaller range or narrow the search ...]`;
}

/** One candidate: look with the read-only tools within the limits, then the plan through `tool`. */
export async function exploreThenSubmit<T>(o: ExploreInput<T>): Promise<ExploreResult<T>> {
  const explored: string[] = [];
  const offered: ToolSpec[] = [...READ_TOOLS.values(), o.tool as ToolSpec] as ToolSpec[];
  const signal = o.signal ?? new AbortController().signal;
  const conversation = [...o.messages];
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const common = { tool: o.tool, step: 'planner', ...(o.check ? { check: o.check } : {}), ...(o.signal ? { signal: o.signal } : {}), ...(o.temperature !== undefined ? { temperature: o.temperature } : {}) };
  let why = `the ${o.limits.turns} turns for looking are used`;
  for (let turn = 1; turn <= o.limits.turns; turn++) {
    if (usage.inputTokens + usage.outputTokens >= o.limits.maxTokens) {
      why = `the ${o.limits.maxTokens} tokens for looking are spent`;
      break;
    }
    const r: ModelResult = await o.model.call({
      messages: conversation,
      tools: offered,
      toolChoice: 'required',
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    });
    usage = add(usage, r.usage);
    if (r.stopReason === 'length') {
      // A cut-off answer's calls have incomplete arguments: none runs; the plan is asked for at once.
      conversation.push({ role: 'assistant', content: r.text || '(cut off)' });
      why = 'your last answer was cut off at the output limit, so none of its calls ran';
      break;
    }
    const submitted = r.toolCalls.some((c) => c.name === o.tool.name);
    if (submitted || r.toolCalls.length === 0) {
      // Done looking (it submitted, or answered in words): judged as a structured answer, with one repair round.
      const judged = await callTool(o.model, { ...common, messages: conversation, answered: r });
      return { ...judged, usage: add(usage, judged.usage), explored };
    }
    conversation.push({ role: 'assistant', content: r.text, toolCalls: r.toolCalls });
    for (const call of r.toolCalls) {
      const out = await runToolSafely(
        {
          layer: o.layer,
          signal,
          emit: (e) => {
            if (e.type === 'tool' && explored.length < MAX_EXPLORED) explored.push(e.ok ? (e.summary ?? e.tool) : `${e.tool}: ${e.error ?? 'failed'}`);
          },
        },
        call,
        READ_TOOLS,
      );
      conversation.push({ role: 'tool', toolCallId: call.id, name: call.name, content: clip(out.content), ...(out.isError ? { isError: true } : {}) });
    }
  }
  conversation.push({ role: 'user', content: `Stop looking now (${why}): call ${o.tool.name} with the plan.` });
  const final = await callTool(o.model, { ...common, messages: conversation });
  return { ...final, usage: add(usage, final.usage), explored };
}
