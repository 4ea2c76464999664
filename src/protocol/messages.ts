/**
 * Every message between the host and the two webviews, defined once and imported by both sides.
 * - Commands (webview -> host) are untrusted input: the host parses them with {@link parseWebviewCommand},
 *   which accepts only a closed set of shapes with bounded strings and no extra keys.
 * - Notifications (host -> webview) carry the view state: a full `snapshot` answers `ready`, then `events`
 *   batches keep it current through the shared reducer. The webview validates them too.
 */
import { z } from 'zod';
import { TASK_ID_PATTERN } from '../core/plan/schema';
import { MAX_FEEDBACK_CHARS } from '../core/session/planFeedbackLimit';
import { LIMITS, RunEventSchema } from './runEventSchema';
import { RunViewStateSchema } from './viewState';
import { WorkbenchContextSchema } from './workbenchContext';

/** Bumped when a message changes incompatibly; a webview of another version is answered with a reload. */
export const PROTOCOL_VERSION = 1;

/** The two webviews that speak this protocol. */
export const ViewKindSchema = z.enum(['graph', 'sidebar']);
export type ViewKind = z.output<typeof ViewKindSchema>;

const taskId = z.string().regex(TASK_ID_PATTERN);
/** A workspace-relative path as the plan writes it; the host still checks it against the task's own files. */
const relPath = z.string().min(1).max(LIMITS.path).refine(
  (p) => !p.startsWith('/') && !/^[a-zA-Z]:/.test(p) && !p.split(/[\\/]/).includes('..') && !p.includes('\0'),
  'a workspace-relative path without ".."',
);

const cmd = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.strictObject({ type: z.literal(type), ...shape });

export const WebviewCommandSchema = z.discriminatedUnion('type', [
  cmd('ready', { view: ViewKindSchema, protocol: z.number().int() }),
  cmd('selectTask', { taskId: taskId.nullable() }),
  cmd('openDiff', { taskId, path: relPath }),
  cmd('acceptTask', { taskId }),
  cmd('rejectTask', { taskId }),
  /** Run a failed task again (and the tasks blocked behind it): resumes its run. */
  cmd('retryTask', { taskId }),
  /** Edit the run's task text and start again (after a failure). */
  cmd('editTask', { taskId }),
  cmd('undoAccept', { taskId }),
  cmd('undoReject', { taskId }),
  cmd('resolveConflict', { taskId }),
  cmd('rerunTask', { taskId }),
  cmd('cancelRun', {}),
  cmd('showGraph', { taskId: taskId.optional() }),
  cmd('newTask', {}),
  cmd('reviewChanges', {}),
  cmd('acceptAllVerified', {}),
  /** The sidebar's Resume: continues the run the views show (the host checks that it can be resumed). */
  cmd('resumeRun', {}),
  /** The sidebar's "Set a model first" link. */
  cmd('selectModel', {}),
  /** The sidebar's "Run Plan From File…" link. */
  cmd('runPlanFile', {}),
  /** The Restricted Mode banner's "Trust this folder". */
  cmd('manageTrust', {}),
  /** The plan gate: run the shown plan (or the edited one), re-plan with the user's feedback, edit it as JSON. */
  cmd('planRun', {}),
  cmd('planReplan', { feedback: z.string().max(MAX_FEEDBACK_CHARS) }),
  cmd('planEdit', {}),
  /** A webview reports a failure of its own (e.g. a render error) so the host can log it. */
  cmd('webviewError', { message: z.string().max(2000) }),
]);
export type WebviewCommand = z.output<typeof WebviewCommandSchema>;
export type WebviewCommandType = WebviewCommand['type'];

export const HostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), state: RunViewStateSchema, selectedTaskId: taskId.nullable() }),
  z.object({ type: z.literal('events'), events: z.array(RunEventSchema).max(5000) }),
  /** The host asks the view to select (and reveal) a task, e.g. after "Show Graph" from the sidebar. */
  z.object({ type: z.literal('focusTask'), taskId }),
  /** What the window is doing (trust, model, phase, the run Resume continues): see workbenchContext.ts. */
  z.object({ type: z.literal('context'), context: WorkbenchContextSchema }),
]);
export type HostMessage = z.output<typeof HostMessageSchema>;

/** Largest inbound message accepted, in characters of its JSON; anything bigger is rejected unparsed. */
export const MAX_COMMAND_JSON = 16_384;

/** The result of checking an inbound message: never throws. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

function summariseIssues(error: z.ZodError): string {
  return error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates a message from a webview (untrusted). The error text names fields, never echoes their values. */
export function parseWebviewCommand(raw: unknown): ParseResult<WebviewCommand> {
  let size: number;
  try {
    size = JSON.stringify(raw)?.length ?? 0;
  } catch {
    return { ok: false, error: 'not serialisable' };
  }
  if (size > MAX_COMMAND_JSON) return { ok: false, error: `too large (${size} characters)` };
  const r = WebviewCommandSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: summariseIssues(r.error) };
}

/** Validates a message from the host (checked in the webview too, so a bug shows up as an error, not a blank view). */
export function parseHostMessage(raw: unknown): ParseResult<HostMessage> {
  const r = HostMessageSchema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: summariseIssues(r.error) };
}
