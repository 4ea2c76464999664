/**
 * "New Task…" takes the task as free text over several lines, which an input box cannot: it opens a small
 * untitled Markdown document whose first line (an HTML comment) says what to do; Ctrl+Enter or the editor
 * title's Start button hands the rest of the text to the run. The document is then closed without saving.
 */
import * as vscode from 'vscode';
import { Disposable } from '../lifecycle';

/** The context key true while a task document is the active editor (menus and the Ctrl+Enter binding). */
export const TASK_DOCUMENT_CONTEXT = 'agensflow.taskDocument';

export const TASK_DOCUMENT_HEADER =
  '<!-- AgensFlow task: describe what to build below (several lines are fine), then press Ctrl+Enter (Cmd+Enter on macOS) or click Start Task in the editor title. This line is ignored. -->\n\n';

/** The task text of a task document: the text without HTML comments, trimmed. */
export function taskTextOf(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, '').trim();
}

/** Tracks the task documents this window opened. */
export class TaskDocuments extends Disposable {
  private readonly open = new Set<string>();

  constructor() {
    super();
    this._register(vscode.window.onDidChangeActiveTextEditor((e) => this.updateContext(e)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.open.delete(d.uri.toString())));
  }

  /** Opens a new task document (with `initial` text below the header) and puts the cursor at its end. */
  async create(initial = ''): Promise<vscode.TextEditor> {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: TASK_DOCUMENT_HEADER + initial });
    this.open.add(doc.uri.toString());
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    const end = doc.positionAt(doc.getText().length);
    editor.selection = new vscode.Selection(end, end);
    this.updateContext(editor);
    return editor;
  }

  /** Whether `doc` is a task document of this window. */
  isTaskDocument(doc: vscode.TextDocument): boolean {
    return this.open.has(doc.uri.toString());
  }

  /** Closes `doc` without saving (it was only an input). */
  async discard(doc: vscode.TextDocument): Promise<void> {
    this.open.delete(doc.uri.toString());
    await vscode.window.showTextDocument(doc, { preview: false });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    this.updateContext(vscode.window.activeTextEditor);
  }

  private updateContext(editor: vscode.TextEditor | undefined): void {
    void vscode.commands.executeCommand('setContext', TASK_DOCUMENT_CONTEXT, editor !== undefined && this.isTaskDocument(editor.document));
  }
}
