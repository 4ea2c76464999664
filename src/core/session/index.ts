/** What the front ends (CLI, VS Code) share to compose a run: engine options and planning a goal. */
export { buildEngineOptions, type EngineConfig, type EngineWiring } from './engineOptions';
export { planGoal, type PlanGoalOptions, type PlannedGoal } from './planGoal';
