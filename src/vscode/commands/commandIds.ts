/**
 * Every command the extension contributes, by a name the code uses. package.json's
 * `contributes.commands` declares the same ids (test/unit/vscode/commandIds.test.ts keeps the two equal,
 * and checks that menus, key bindings and walkthrough links name only these).
 */
export const COMMANDS = {
  validatePlanFile: 'agensflow.validatePlanFile',
  showLog: 'agensflow.showLog',
  newTask: 'agensflow.newTask',
  startTask: 'agensflow.startTask',
  runPlanFile: 'agensflow.runPlanFile',
  showGraph: 'agensflow.showGraph',
  cancelRun: 'agensflow.cancelRun',
  resumeRun: 'agensflow.resumeRun',
  openRun: 'agensflow.openRun',
  reviewChanges: 'agensflow.reviewChanges',
  acceptTask: 'agensflow.acceptTask',
  rejectTask: 'agensflow.rejectTask',
  acceptFile: 'agensflow.acceptFile',
  rejectFile: 'agensflow.rejectFile',
  undoAccept: 'agensflow.undoAccept',
  undoReject: 'agensflow.undoReject',
  resolveConflict: 'agensflow.resolveConflict',
  rerunTask: 'agensflow.rerunTask',
  acceptAllVerified: 'agensflow.acceptAllVerified',
  rejectAll: 'agensflow.rejectAll',
  setApiKey: 'agensflow.setApiKey',
  selectModel: 'agensflow.selectModel',
  showPolicy: 'agensflow.showPolicy',
  resetPolicy: 'agensflow.resetPolicy',
  exportPolicy: 'agensflow.exportPolicy',
  importPolicy: 'agensflow.importPolicy',
  planRun: 'agensflow.plan.run',
  planReplan: 'agensflow.plan.replan',
  planEdit: 'agensflow.plan.edit',
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName];
