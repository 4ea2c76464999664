import { z } from 'zod';

/**
 * The plan format (an AOV graph: tasks as vertices, `deps` as edges). This schema checks shapes only; the graph rules
 * (cycles, unknown deps, owners, protected paths, the task cap) live in `validate.ts`.
 * Unknown keys are dropped (models add them), duplicate deps count once.
 */
export const TASK_ID_PATTERN = /^[a-z0-9_-]{1,64}$/;

export const TaskSchema = z.object({
  id: z.string().regex(TASK_ID_PATTERN, 'an id is 1-64 characters of a-z, 0-9, "_" and "-"'),
  title: z.string().min(1),
  objective: z.string().min(1),
  role: z.string().min(1).default('developer'),
  deps: z.array(z.string()).default([]).transform((deps) => [...new Set(deps)]),
  files: z.array(z.string()),
  acceptance: z.array(z.string()).default([]),
});

export const PlanSchema = z.object({
  goal: z.string().optional(),
  tasks: z.array(TaskSchema),
});

/** A task after parsing: defaults filled, deps de-duplicated. Paths are normalised by `validate.ts`. */
export type Task = z.output<typeof TaskSchema>;
/** A task as a model or a user may write it (defaults optional). */
export type TaskInput = z.input<typeof TaskSchema>;
export type Plan = z.output<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;
