/**
 * The local updater: `createUpdater({model, candidates})` is the run engine's `UpdaterHook`. On a
 * task that still fails after its retry it draws K `submit_update` candidates limited to the failing task and
 * its unfinished descendants, validates each on a copy of the plan, and returns the best by the plan
 * selection rule (core/plan/select.ts). `fullReplanMessages` is the whole-plan baseline the benchmark compares against.
 */
export { createUpdater, proposeUpdate, judgeUpdate, type UpdaterOptions } from './updater';
export { updaterMessages, UPDATER_SYSTEM_PROMPT } from './prompt';
export { SUBMIT_UPDATE } from './tool';
export { fullReplanMessages, SUBMIT_WORKFLOW } from './full';
