/** The updater's only tool (design.md, "The model protocol"): `submit_update {reason, replace, add, remove}`. */
import type { ToolSpec } from '../models/types';
import { PlanUpdateSchema, type PlanUpdate } from '../plan';

export const SUBMIT_UPDATE: ToolSpec<PlanUpdate> = {
  name: 'submit_update',
  description:
    'Submit a local update of the plan. reason: why this fixes the failure. replace: full new versions of existing tasks you may change (same id). add: new tasks (new ids). remove: ids of tasks you may change that should go.',
  schema: PlanUpdateSchema,
};
