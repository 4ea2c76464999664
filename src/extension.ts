import type * as vscode from 'vscode';

/** Composes the extension's services; each contribution registers itself and fails alone. */
export function activate(_context: vscode.ExtensionContext): void {
  // Contributions are registered as features land (see src/vscode/).
}

export function deactivate(): void {
  // Disposables are owned by context.subscriptions.
}
