/** `finish`: ends the attempt with a summary for the dependent tasks. */
import { z } from 'zod';
import { defineTool } from './types';

export const finishTool = defineTool({
  name: 'finish',
  description: 'End your task with a short summary of what you did, for the tasks that depend on yours. Call it once, after changing your files.',
  schema: z.object({ summary: z.string() }),
  async execute(args, ctx) {
    ctx.emit({ type: 'tool', tool: 'finish', ok: true, summary: 'finish' });
    return { content: 'ok: task finished', isError: false, finished: args.summary };
  },
});
