/**
 * The AOV plan core: schema, validation, paths, graph, metrics, candidate selection and local updates
 * Import from here, not from the files behind it.
 */
export { PlanSchema, TaskSchema, TASK_ID_PATTERN, type Plan, type PlanInput, type Task, type TaskInput } from './schema';
export { type ValidPlan, type ValidTask, toPlan } from './validPlan';
export {
  type PlanError,
  type PlanErrorCode,
  PlanSyntaxError,
  isPlanSyntaxError,
  UnknownTaskError,
  NoCandidatesError,
  formatJsonPath,
} from './errors';
export { checkWorkspacePath, normalizeWorkspacePath, isProtectedPath, isSecretPath, optionLikeSegment, leavesRoot, PROTECTED_GLOBS, type PathCheck, type PathProblem } from './paths';
export { validatePlan, DEFAULT_MAX_TASKS, type PlanValidation, type ValidateOptions } from './validate';
export { parsePlanText, locateJsonPath, lineColumn, type PlanTextResult, type JsonLocation } from './parse';
export {
  toGraph,
  taskLevels,
  remainingCriticalPath,
  readyTasks,
  descendantsOf,
  parentsOf,
  type PlanGraph,
  type PlanNode,
  type StatusLookup,
  type ReadyOptions,
} from './graph';
export {
  adjacencyOf,
  adjacencyOfNodes,
  ancestorOrder,
  dependantIds,
  descendantMask,
  valuesById,
  weightedRemainingPath,
  type Adjacency,
  type DagNode,
} from './adjacency';
export { planMetrics, type PlanMetrics } from './metrics';
export { selectPlan, renameCandidates, reasonBody, METRIC_EPSILON, type PlanSelection } from './select';
export { canonicalPlanJson } from './canonical';
export {
  PlanUpdateSchema,
  applyPlanUpdate,
  droppedFiles,
  neighbourhood,
  type PlanUpdate,
  type PlanUpdateInput,
  type Neighbourhood,
  type UpdateOptions,
  type UpdateResult,
} from './update';
