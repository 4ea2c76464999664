/**
 * The longest feedback the plan gate passes to the planner (a text box's words, not a document). Its own
 * module, free of imports, because the webview protocol bounds its messages by it.
 */
export const MAX_FEEDBACK_CHARS = 4000;
