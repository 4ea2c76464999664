/** The planner: K candidate plans through `submit_workflow`, validated and selected by the plan core. */
export { planTask, SUBMIT_WORKFLOW, DEFAULT_CANDIDATES, NoValidPlanError, isNoValidPlanError, type PlannerOptions, type PlannerResult, type PlanCandidate } from './planner';
export { listWorkspaceFiles, type WorkspaceListing } from './files';
export { plannerMessages, feedbackMessage, type PlannerPromptInput, type PlanFeedback } from './prompt';
