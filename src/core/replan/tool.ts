/** The updater's only tool: `submit_update {reason, replace, add, remove}`. */
import type { ToolSpec } from '../models/types';
import { PlanUpdateSchema, type PlanUpdate } from '../plan';

export const SUBMIT_UPDATE: ToolSpec<PlanUpdate> = {
  name: 'submit_update',
  description: 'A local plan update. reason: why it fixes the failure; replace: new versions of changeable tasks (same id); add: new tasks; remove: ids of changeable tasks.',
  schema: PlanUpdateSchema,
  // The task schema appears in replace and add: sent once (a third of the request of a small plan's update).
  shareDefinitions: true,
};
