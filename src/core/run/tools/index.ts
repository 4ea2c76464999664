/**
 * The agent's tools: one record per tool (its schema and its executor), listed once here. A new tool is a
 * file exporting a {@link defineTool} record and a line in {@link AGENT_TOOL_LIST}.
 */
import { editFileTool } from './editFile';
import { finishTool } from './finish';
import { listFilesTool } from './listFiles';
import { readFileTool } from './readFile';
import { runChecksTool } from './runChecks';
import { searchTool } from './search';
import type { AgentTool } from './types';
import { deleteFileTool, writeFileTool } from './writeFile';

export const AGENT_TOOL_LIST: readonly AgentTool[] = [listFilesTool, searchTool, readFileTool, editFileTool, writeFileTool, deleteFileTool, runChecksTool, finishTool] as readonly AgentTool[];

/** The tools by name, in a Map: a model-chosen name such as `constructor` or `__proto__` finds nothing. */
export const AGENT_TOOLS: ReadonlyMap<string, AgentTool> = new Map(AGENT_TOOL_LIST.map((t) => [t.name, t]));

/**
 * How an agent changes an existing file: `search-replace` offers edit_file (exact replacements) beside
 * write_file; `whole` offers write_file alone, so every change writes the complete file.
 */
export type EditFormat = 'whole' | 'search-replace';
export const EDIT_FORMATS: readonly EditFormat[] = ['whole', 'search-replace'];

/** The tools offered under an edit format (`whole` leaves edit_file out). */
export function agentToolsFor(format: EditFormat = 'search-replace'): readonly AgentTool[] {
  return format === 'whole' ? AGENT_TOOL_LIST.filter((t) => t !== editFileTool) : AGENT_TOOL_LIST;
}

export type { AgentTool, AttemptChecks, TaskChecks, ToolContext, ToolEvent, ToolOutput } from './types';
export { DEFAULT_AGENT_CHECKS_PER_ATTEMPT } from './runChecks';
