// Every command the extension contributes (the code side of package.json's contributes.commands; a
// manifest test keeps the two equal). No `vscode` import here.
export const COMMANDS = {
  setWorkflow: 'spendBand.setWorkflow',
  refresh: 'spendBand.refresh',
  connectEndpoint: 'spendBand.connectEndpoint',
  useLocalBands: 'spendBand.useLocalBands',
  signOut: 'spendBand.signOut',
  openView: 'spendBand.openView',
  showLog: 'spendBand.showLog',
  dontRemindThisPeriod: 'spendBand.dontRemindThisPeriod',
  requestIncrease: 'spendBand.requestIncrease',
  cancelRequest: 'spendBand.cancelRequest',
  runWithPreflight: 'spendBand.runWithPreflight',
  openReport: 'spendBand.openReport',
  exportReport: 'spendBand.exportReport',
  copyCliCommand: 'spendBand.copyCliCommand',
  installClaudeHook: 'spendBand.installClaudeHook',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];
