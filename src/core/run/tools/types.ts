/**
 * One agent tool: its name, what the model is told about it, its argument schema and its executor. The
 * executor receives arguments already parsed by the schema, so their types come from it.
 */
import type { z } from 'zod';
import type { ToolSpec } from '../../models/types';
import type { StagedChecks } from '../hooks';
import type { FileChange } from '../patch';
import type { TaskLayer } from '../staging';

/** What a tool reports while it runs (the agent forwards these as its own events). */
export type ToolEvent =
  /** `summary` is a short human line (`read a.py:10-40`); `diff` a unified diff of an edit, for details views. */
  | { type: 'tool'; tool: string; path?: string; ok: boolean; error?: string; summary?: string; diff?: string }
  | { type: 'staged'; path: string; change: FileChange; bytes: number }
  | { type: 'refused'; path: string; reason: string };

/** The task's checks as its agent may run them (`run_checks`), at most `limit` times per attempt. */
export interface TaskChecks {
  readonly limit: number;
  /** Runs the checks on the task's staged files now. */
  run(signal: AbortSignal): Promise<StagedChecks>;
}

/** {@link TaskChecks} within one attempt: `used` counts its calls (a retry starts at 0). */
export interface AttemptChecks extends TaskChecks {
  used: number;
}

export interface ToolContext {
  layer: TaskLayer;
  emit(event: ToolEvent): void;
  signal: AbortSignal;
  /** The task's checks; absent when the run has none to offer. */
  checks?: AttemptChecks;
}

/** What goes back to the model as the tool's result; `finished` ends the attempt with that summary. */
export interface ToolOutput {
  content: string;
  isError: boolean;
  finished?: string;
}

export interface AgentTool<S extends z.ZodType = z.ZodType> extends Omit<ToolSpec, 'schema'> {
  schema: S;
  execute(args: z.infer<S>, ctx: ToolContext): Promise<ToolOutput>;
}

/** Declares a tool; the generic ties the executor's arguments to the schema. */
export function defineTool<S extends z.ZodType>(tool: AgentTool<S>): AgentTool<S> {
  return tool;
}

/** A model-supplied path as events show it: bounded (the views cap path fields). */
export function shownPath(p: string | undefined): string | undefined {
  return p !== undefined && p.length > 512 ? `${p.slice(0, 512)}…` : p;
}

/** A tool error: reported as an event (and as a refusal when the path was refused) and returned to the model. */
export function toolError(ctx: ToolContext, tool: string, error: string, rawPath?: string, refused?: boolean): ToolOutput {
  const p = shownPath(rawPath);
  if (refused && p !== undefined) ctx.emit({ type: 'refused', path: p, reason: error });
  ctx.emit({ type: 'tool', tool, path: p, ok: false, error });
  return { content: `error: ${error}`, isError: true };
}
