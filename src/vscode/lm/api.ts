/**
 * The part of the `vscode` module the `vscode-lm` provider uses, as one object the extension passes in
 * (`vscode` itself) and Node unit tests replace by a hand-made fake. Nothing here imports `vscode` at run time.
 */
import type * as vscode from 'vscode';

export type LmApi = Pick<
  typeof vscode,
  | 'lm'
  | 'LanguageModelChatMessage'
  | 'LanguageModelTextPart'
  | 'LanguageModelToolCallPart'
  | 'LanguageModelToolResultPart'
  | 'LanguageModelChatToolMode'
  | 'LanguageModelError'
  | 'CancellationTokenSource'
>;

/** The provider id, as settings, journals and errors name it. */
export const VSCODE_LM_PROVIDER_ID = 'vscode-lm';
