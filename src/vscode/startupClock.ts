/**
 * When the startup bundle began to run: the first module it evaluates (src/extension.ts imports it first), so
 * the activation time reported covers loading the bundle's modules as well as `activate()` itself.
 */
export const MODULE_START = performance.now();
