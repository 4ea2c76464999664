/**
 * The policy commands: Show Learned Policy… (rendered in a webview whose Pin and Unpin links run this command
 * again; where VS Code's Markdown renderer is missing, a Markdown preview and a notification button to pin or
 * unpin from a picker), Reset… (after a modal confirmation), Export… and Import… (file dialogs; an import is
 * validated and never brings skip certificates). Each command also takes an argument so tests and other
 * extensions can run it without dialogs.
 */
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { PinSchema, updatePins, type Pin } from '../core/policy';
import { COMMANDS } from './commands/commandIds';
import { Disposable } from './lifecycle';
import { describeError, type Logger } from './log';
import type { PolicyService } from './policyService';
import { PolicyPanel } from './policyPanel';
import { renderPolicy, situationLabel } from './policyView';

/** Arguments of `agensflow.showPolicy` for scripted use: the point to show; `pin`/`unpin` change a pin without a picker. */
export interface ShowPolicyArgs {
  point?: string;
  pin?: Pin;
  unpin?: Pin;
}

interface PinItem extends vscode.QuickPickItem {
  pin?: Pin;
  remove?: boolean;
}

export class PolicyCommands extends Disposable {
  private readonly panel: PolicyPanel;

  constructor(
    private readonly service: PolicyService,
    private readonly log: Logger,
    extensionUri: vscode.Uri,
  ) {
    super();
    this.panel = this._register(new PolicyPanel(extensionUri));
    const guard = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R | undefined> => {
      try {
        return await fn(...args);
      } catch (e) {
        this.log.error(`${name} failed`, e);
        void vscode.window.showErrorMessage(`AgensFlow: ${name} failed: ${describeError(e)}`);
        return undefined;
      }
    };
    this._register(vscode.commands.registerCommand(COMMANDS.showPolicy, guard('Show Learned Policy', (args?: ShowPolicyArgs) => this.show(args))));
    this._register(vscode.commands.registerCommand(COMMANDS.resetPolicy, guard('Reset Learned Policy', (args?: { confirmed?: boolean }) => this.reset(args))));
    this._register(vscode.commands.registerCommand(COMMANDS.exportPolicy, guard('Export Learned Policy', (uri?: vscode.Uri) => this.export(uri))));
    this._register(vscode.commands.registerCommand(COMMANDS.importPolicy, guard('Import Learned Policy', (uri?: vscode.Uri) => this.import(uri))));
  }

  /**
   * Shows the policy rendered in the policy webview, with a Pin or Unpin link per option (the links run this
   * command with `pin` or `unpin`); returns the text (for tests). The text is also written next to the policy
   * file, outside the workspace: where the webview cannot render it, that file opens as a Markdown preview
   * (no untitled editor is left behind) and pins are offered by a notification button.
   */
  private async show(args?: ShowPolicyArgs): Promise<string | undefined> {
    // The arguments may come from a link in the page: only a well-formed pin is taken.
    const change = args?.pin ?? args?.unpin;
    if (change !== undefined) {
      const pin = PinSchema.safeParse(change);
      if (!pin.success) throw new Error('the pin to change is not valid');
      await this.service.setPins(updatePins(this.service.pins(), pin.data, args?.unpin !== undefined));
    }
    const point = typeof args?.point === 'string' ? args.point : undefined;
    const view = await this.service.view();
    const text = renderPolicy(view, point, { links: true });
    const file = vscode.Uri.file(join(dirname(this.service.path), 'learned-policy.md'));
    await vscode.workspace.fs.writeFile(file, Buffer.from(text, 'utf8'));
    if (await this.panel.show(text)) return text;
    await vscode.commands.executeCommand('markdown.showPreview', file);
    if (args === undefined) {
      void vscode.window.showInformationMessage('AgensFlow: the learned policy is open. Pin an option to always use it in a situation?', 'Pin or Unpin…')
        .then((answer) => (answer ? this.offerPins(view, undefined) : undefined))
        .then(undefined, (e: unknown) => this.log.error('pinning failed', e));
    }
    return text;
  }

  /** Pin an option for a context, or unpin one, from a quick pick. */
  private async offerPins(view: Awaited<ReturnType<PolicyService['view']>>, point: string | undefined): Promise<void> {
    const items: PinItem[] = view.pins.map((p) => ({ label: `$(pinned) Unpin ${p.point} → ${p.option}`, description: situationLabel(p.when), pin: p, remove: true }));
    for (const pv of view.points) {
      if (point !== undefined && pv.point !== point) continue;
      if (pv.point === 'verify') continue; // checks are never pinned off: skips need a certificate
      for (const ctx of pv.contexts) {
        for (const o of ctx.options) {
          items.push({ label: `$(pin) Pin ${pv.point} → ${o.id}`, description: situationLabel(ctx.features), pin: { point: pv.point, when: ctx.features, option: o.id } });
        }
      }
    }
    if (items.length === 0) return;
    const picked = await vscode.window.showQuickPick(items, { title: 'Pin or unpin an option (Esc to leave as is)', matchOnDescription: true });
    if (!picked?.pin) return;
    await this.service.setPins(updatePins(this.service.pins(), picked.pin, picked.remove === true));
    void vscode.window.showInformationMessage(picked.remove ? `AgensFlow: unpinned ${picked.pin.point} → ${picked.pin.option}.` : `AgensFlow: ${picked.pin.point} → ${picked.pin.option} is pinned; the policy records its outcomes but no longer chooses there.`);
  }

  /** Resets after confirmation; returns whether it did. */
  private async reset(args?: { confirmed?: boolean }): Promise<boolean> {
    if (!args?.confirmed) {
      const answer = await vscode.window.showWarningMessage(
        'Reset the learned policy of this workspace?',
        { modal: true, detail: 'Everything learned from past runs (model choices, skip certificates, recoveries) is forgotten and the warm start is used again. The old file is kept as a backup; pins stay.' },
        'Reset',
      );
      if (answer !== 'Reset') return false;
    }
    const r = await this.service.reset();
    if (!r.ok) throw new Error(r.message ?? 'the policy could not be reset');
    this.log.info(`policy reset (${this.service.path})`);
    void vscode.window.showInformationMessage('AgensFlow: the learned policy was reset.');
    return true;
  }

  private async export(target?: vscode.Uri): Promise<string | undefined> {
    const uri = target ?? (await vscode.window.showSaveDialog({ title: 'Export Learned Policy', filters: { 'AgensFlow policy': ['json'] }, saveLabel: 'Export', ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'agensflow-policy.json') } : {}) }));
    if (!uri) return undefined;
    await this.service.exportTo(uri.fsPath);
    void vscode.window.showInformationMessage(`AgensFlow: policy exported to ${uri.fsPath}.`);
    return uri.fsPath;
  }

  private async import(source?: vscode.Uri): Promise<boolean> {
    const uri = source ?? (await vscode.window.showOpenDialog({ title: 'Import Learned Policy', filters: { 'AgensFlow policy': ['json'] }, canSelectMany: false, openLabel: 'Import' }))?.[0];
    if (!uri) return false;
    const r = await this.service.importFrom(uri.fsPath);
    if (!r.ok) {
      void vscode.window.showErrorMessage(`AgensFlow: ${r.message}`);
      return false;
    }
    void vscode.window.showInformationMessage(`AgensFlow: imported ${r.priorId} as this workspace's prior (no skip certificates come with it).`);
    return true;
  }
}
