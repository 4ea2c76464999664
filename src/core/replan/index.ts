/**
 * The local updater (issue 5): `createUpdater({model, candidates})` is the run engine's `UpdaterHook`. On a
 * task that still fails after its retry it draws K `submit_update` candidates limited to the failing task and
 * its unfinished descendants, validates each on a copy of the plan, and returns the best by design.md's
 * selection rule. `fullReplanMessages` is the whole-plan baseline the benchmark compares against.
 */
export { createUpdater, proposeUpdate, judgeUpdate, type UpdaterOptions } from './updater';
export { updaterMessages, UPDATER_SYSTEM_PROMPT } from './prompt';
export { SUBMIT_UPDATE } from './tool';
export { fullReplanMessages, SUBMIT_WORKFLOW } from './full';
