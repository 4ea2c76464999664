/**
 * "New Task…" takes the task as free text over several lines, which an input box cannot: it opens a small
 * untitled plain-text document whose first line (an HTML-style comment) says what to do; Ctrl+Enter or the
 * editor title's Start button hands the rest of the text to the run. The document is then closed without
 * saving, wherever its tabs are. Plain text, not Markdown: an open Markdown preview follows the active
 * Markdown editor, and would be left showing the closed, emptied task document.
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
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: TASK_DOCUMENT_HEADER + initial });
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

  /**
   * Closes `doc` without saving (it was only an input), in whichever group its tab is: each of its tabs is
   * made active in its own group and reverted and closed there (an untitled document reverted is discarded, so
   * nothing of it is left for hot exit to bring back), never "the active editor" of another group, which may be
   * a preview beside it. A tab that could not be made active is emptied and closed instead.
   */
  async discard(doc: vscode.TextDocument): Promise<void> {
    const uri = doc.uri.toString();
    this.open.delete(uri);
    const shows = (t: vscode.Tab): boolean => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri;
    const tabsOf = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter(shows);
    for (const group of vscode.window.tabGroups.all.filter((g) => g.tabs.some(shows))) {
      await vscode.window.showTextDocument(doc, { viewColumn: group.viewColumn, preview: false, preserveFocus: false });
      if (vscode.window.activeTextEditor?.document.uri.toString() !== uri) break;
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    const left = tabsOf();
    if (left.length === 0) return this.updateContext(vscode.window.activeTextEditor);
    if (doc.getText().length > 0) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), '');
      await vscode.workspace.applyEdit(edit);
    }
    await vscode.window.tabGroups.close(left);
    this.updateContext(vscode.window.activeTextEditor);
  }

  private updateContext(editor: vscode.TextEditor | undefined): void {
    void vscode.commands.executeCommand('setContext', TASK_DOCUMENT_CONTEXT, editor !== undefined && this.isTaskDocument(editor.document));
  }
}
