import type * as vscode from 'vscode';
import { redact } from '../core/models/redact';

/** The name of the extension's one log channel. */
export const LOG_CHANNEL_NAME = 'AgensFlow';

/** The part of `vscode.LogOutputChannel` that logging needs (so loggers are testable without VS Code). */
export type LogSink = Pick<vscode.LogOutputChannel, 'trace' | 'debug' | 'info' | 'warn' | 'error'>;

/**
 * A logger for one component: every line starts with `[component]`, and the channel's own level (set by the
 * user with "Developer: Set Log Level…") filters it. Prompts and model output belong at `trace` only; keys
 * are never logged.
 */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  /** Logs `message`, and the error's name, message and stack when given. */
  error(message: string, error?: unknown): void;
  /** A logger for a sub-component, prefixed `[parent/child]`. */
  child(component: string): Logger;
}

/** Describes any thrown value for a log line: `Name: message` for errors, else its string form. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Creates the logger of `component`, writing to `sink` (the `AgensFlow` LogOutputChannel in the extension).
 * Every line passes the model layer's redactor (keys, `Authorization` / `x-api-key` / `api-key` values, a
 * URL's userinfo and query), whatever a caller put in it.
 */
export function createLogger(sink: LogSink, component: string): Logger {
  const prefix = `[${component}] `;
  const clean = (line: string): string => redact(line, []);
  return {
    trace: (m) => sink.trace(clean(prefix + m)),
    debug: (m) => sink.debug(clean(prefix + m)),
    info: (m) => sink.info(clean(prefix + m)),
    warn: (m) => sink.warn(clean(prefix + m)),
    error: (m, e) => {
      if (e === undefined) sink.error(clean(prefix + m));
      else sink.error(clean(`${prefix}${m}: ${describeError(e)}${e instanceof Error && e.stack ? `\n${e.stack}` : ''}`));
    },
    child: (sub) => createLogger(sink, `${component}/${sub}`),
  };
}
