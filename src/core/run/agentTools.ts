/** The tools offered to a task agent: names and argument shapes are a contract. */
import { z } from 'zod';
import type { ToolSpec } from '../models/types';

export const ListFilesArgs = z.object({ dir: z.string().default('') });
export const ReadFileArgs = z.object({ path: z.string().min(1) });
export const WriteFileArgs = z.object({ path: z.string().min(1), content: z.string() });
export const DeleteFileArgs = z.object({ path: z.string().min(1) });
export const FinishArgs = z.object({ summary: z.string() });

export const AGENT_TOOLS = {
  list_files: {
    name: 'list_files',
    description: 'List the files under a folder of the workspace (relative path; "" for the root), including files staged by you and by the tasks you depend on.',
    schema: ListFilesArgs,
  },
  read_file: {
    name: 'read_file',
    description: 'Read a text file of the workspace (relative path) as your task sees it: your own staged writes first, then those of the tasks you depend on, then the workspace.',
    schema: ReadFileArgs,
  },
  write_file: {
    name: 'write_file',
    description: "Write the full content of one of your task's files (relative path). Writes are staged for review; other paths are refused.",
    schema: WriteFileArgs,
  },
  delete_file: {
    name: 'delete_file',
    description: "Delete one of your task's files (relative path).",
    schema: DeleteFileArgs,
  },
  finish: {
    name: 'finish',
    description: 'End your task with a short summary of what you did, for the tasks that depend on yours. Call it once, after writing your files.',
    schema: FinishArgs,
  },
} as const satisfies Record<string, ToolSpec>;

export type AgentToolName = keyof typeof AGENT_TOOLS;

export const AGENT_TOOL_LIST: ToolSpec[] = Object.values(AGENT_TOOLS) as ToolSpec[];
