/**
 * VS Code-like theme variables for the static preview (a subset of the default Light+/Dark+ and High
 * Contrast colours), so the webview CSS, which uses only `--vscode-*` variables, can be looked at outside
 * VS Code.
 */
const common = {
  '--vscode-font-family': "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'Ubuntu', 'Droid Sans', sans-serif",
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': "'Droid Sans Mono', 'DejaVu Sans Mono', monospace",
  '--vscode-editor-font-size': '12px',
};

/**
 * The part of VS Code's default webview stylesheet that styles elements this extension uses (`code` takes
 * the theme's preformatted-text colours), so a rule that forgets to override it shows in the preview too.
 */
export const VSCODE_DEFAULT_CSS = `code {
  color: var(--vscode-textPreformat-foreground);
  background-color: var(--vscode-textPreformat-background);
  padding: 1px 3px;
  border-radius: 4px;
}
`;

export const THEMES: Record<'light' | 'dark' | 'hc' | 'hc-light', { bodyClass: string; vars: Record<string, string> }> = {
  light: {
    bodyClass: 'vscode-light',
    vars: {
      ...common,
      '--vscode-foreground': '#616161', '--vscode-descriptionForeground': '#717171', '--vscode-editor-background': '#ffffff',
      '--vscode-sideBar-background': '#f3f3f3', '--vscode-editorWidget-background': '#f3f3f3', '--vscode-widget-border': '#d4d4d4',
      '--vscode-panel-border': '#80808059', '--vscode-widget-shadow': '#00000029', '--vscode-focusBorder': '#0090f1',
      '--vscode-button-background': '#007acc', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0062a3',
      '--vscode-button-secondaryBackground': '#5f6a79', '--vscode-button-secondaryForeground': '#ffffff', '--vscode-button-secondaryHoverBackground': '#4c5561',
      '--vscode-badge-background': '#c4c4c4', '--vscode-badge-foreground': '#333333', '--vscode-list-hoverBackground': '#e8e8e8',
      '--vscode-list-activeSelectionBackground': '#0060c0', '--vscode-list-activeSelectionForeground': '#ffffff',
      '--vscode-textLink-foreground': '#006ab1', '--vscode-textLink-activeForeground': '#006ab1', '--vscode-errorForeground': '#a1260d',
      '--vscode-editorWarning-foreground': '#bf8803', '--vscode-testing-iconPassed': '#388a34', '--vscode-testing-iconFailed': '#f14c4c',
      '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#652d90', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34',
      '--vscode-charts-yellow': '#bf8803', '--vscode-progressBar-background': '#0e70c0', '--vscode-disabledForeground': '#61616180',
      '--vscode-icon-foreground': '#424242', '--vscode-toolbar-hoverBackground': '#b8b8b850', '--vscode-textCodeBlock-background': '#dcdcdc66',
      '--vscode-editorIndentGuide-activeBackground1': '#939393', '--vscode-input-background': '#ffffff',
      '--vscode-diffEditor-insertedLineBackground': '#9bb95533', '--vscode-diffEditor-removedLineBackground': '#ff000033',
      '--vscode-editorLineNumber-foreground': '#237893', '--vscode-gitDecoration-addedResourceForeground': '#587c0c',
      '--vscode-gitDecoration-deletedResourceForeground': '#ad0707', '--vscode-editor-foreground': '#000000',
      '--vscode-textPreformat-foreground': '#a31515', '--vscode-textPreformat-background': '#0000001a',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      ...common,
      '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-editor-background': '#1e1e1e',
      '--vscode-sideBar-background': '#252526', '--vscode-editorWidget-background': '#252526', '--vscode-widget-border': '#454545',
      '--vscode-panel-border': '#80808059', '--vscode-widget-shadow': '#0000005c', '--vscode-focusBorder': '#007fd4',
      '--vscode-button-background': '#0e639c', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#1177bb',
      '--vscode-button-secondaryBackground': '#3a3d41', '--vscode-button-secondaryForeground': '#ffffff', '--vscode-button-secondaryHoverBackground': '#45494e',
      '--vscode-badge-background': '#4d4d4d', '--vscode-badge-foreground': '#ffffff', '--vscode-list-hoverBackground': '#2a2d2e',
      '--vscode-list-activeSelectionBackground': '#04395e', '--vscode-list-activeSelectionForeground': '#ffffff',
      '--vscode-textLink-foreground': '#3794ff', '--vscode-textLink-activeForeground': '#3794ff', '--vscode-errorForeground': '#f48771',
      '--vscode-editorWarning-foreground': '#cca700', '--vscode-testing-iconPassed': '#73c991', '--vscode-testing-iconFailed': '#f14c4c',
      '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185',
      '--vscode-charts-yellow': '#cca700', '--vscode-progressBar-background': '#0e70c0', '--vscode-disabledForeground': '#cccccc80',
      '--vscode-icon-foreground': '#c5c5c5', '--vscode-toolbar-hoverBackground': '#5a5d5e50', '--vscode-textCodeBlock-background': '#0a0a0a66',
      '--vscode-editorIndentGuide-activeBackground1': '#707070', '--vscode-input-background': '#3c3c3c',
      '--vscode-diffEditor-insertedLineBackground': '#9bb95533', '--vscode-diffEditor-removedLineBackground': '#ff000033',
      '--vscode-editorLineNumber-foreground': '#858585', '--vscode-gitDecoration-addedResourceForeground': '#81b88b',
      '--vscode-gitDecoration-deletedResourceForeground': '#c74e39', '--vscode-editor-foreground': '#d4d4d4',
      '--vscode-textPreformat-foreground': '#d7ba7d', '--vscode-textPreformat-background': '#ffffff1a',
    },
  },
  hc: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      ...common,
      '--vscode-foreground': '#ffffff', '--vscode-descriptionForeground': '#ffffffb3', '--vscode-editor-background': '#000000',
      '--vscode-sideBar-background': '#000000', '--vscode-editorWidget-background': '#0c141f', '--vscode-widget-border': '#6fc3df',
      '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518', '--vscode-focusBorder': '#f38518',
      '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-badge-background': '#000000', '--vscode-badge-foreground': '#ffffff', '--vscode-list-hoverBackground': '#000000',
      '--vscode-list-activeSelectionBackground': '#000000', '--vscode-list-activeSelectionForeground': '#ffffff',
      '--vscode-textLink-foreground': '#21a6ff', '--vscode-errorForeground': '#f48771', '--vscode-editorWarning-foreground': '#ffd370',
      '--vscode-testing-iconPassed': '#73c991', '--vscode-testing-iconFailed': '#f14c4c', '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-purple': '#b180d7', '--vscode-charts-orange': '#f38518', '--vscode-charts-green': '#89d185', '--vscode-charts-yellow': '#ffd370',
      '--vscode-progressBar-background': '#6fc3df', '--vscode-disabledForeground': '#a5a5a5', '--vscode-icon-foreground': '#ffffff',
      '--vscode-textCodeBlock-background': '#000000', '--vscode-editorIndentGuide-activeBackground1': '#ffffff', '--vscode-input-background': '#000000',
      '--vscode-diffEditor-insertedTextBorder': '#33ff2eb3', '--vscode-diffEditor-removedTextBorder': '#ff008fb3',
      '--vscode-editorLineNumber-foreground': '#ffffff', '--vscode-gitDecoration-addedResourceForeground': '#a1e3ad',
      '--vscode-gitDecoration-deletedResourceForeground': '#c74e39', '--vscode-editor-foreground': '#ffffff',
      '--vscode-textPreformat-foreground': '#000000', '--vscode-textPreformat-background': '#ffffff',
    },
  },
  // Light High Contrast: VS Code sets both classes on the body.
  'hc-light': {
    bodyClass: 'vscode-high-contrast vscode-high-contrast-light',
    vars: {
      ...common,
      '--vscode-foreground': '#292929', '--vscode-descriptionForeground': '#292929b3', '--vscode-editor-background': '#ffffff',
      '--vscode-sideBar-background': '#ffffff', '--vscode-editorWidget-background': '#ffffff', '--vscode-widget-border': '#0f4a85',
      '--vscode-contrastBorder': '#0f4a85', '--vscode-contrastActiveBorder': '#006bbd', '--vscode-focusBorder': '#006bbd',
      '--vscode-button-background': '#0f4a85', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#0f4a85',
      '--vscode-button-secondaryBackground': '#ffffff', '--vscode-button-secondaryForeground': '#292929',
      '--vscode-badge-background': '#0f4a85', '--vscode-badge-foreground': '#ffffff', '--vscode-list-hoverBackground': '#ffffff',
      '--vscode-list-activeSelectionBackground': '#0f4a851a',
      '--vscode-textLink-foreground': '#0f4a85', '--vscode-errorForeground': '#b5200d', '--vscode-editorWarning-foreground': '#895503',
      '--vscode-testing-iconPassed': '#007100', '--vscode-testing-iconFailed': '#b5200d', '--vscode-charts-blue': '#0f4a85',
      '--vscode-charts-purple': '#652d90', '--vscode-charts-orange': '#b5200d', '--vscode-charts-green': '#007100', '--vscode-charts-yellow': '#895503',
      '--vscode-progressBar-background': '#0f4a85', '--vscode-disabledForeground': '#7f7f7f', '--vscode-icon-foreground': '#292929',
      '--vscode-textCodeBlock-background': '#ffffff', '--vscode-editorIndentGuide-activeBackground1': '#e0e0e0', '--vscode-input-background': '#ffffff',
      '--vscode-diffEditor-insertedTextBorder': '#374e06', '--vscode-diffEditor-removedTextBorder': '#ad0707',
      '--vscode-editorLineNumber-foreground': '#292929', '--vscode-gitDecoration-addedResourceForeground': '#374e06',
      '--vscode-gitDecoration-deletedResourceForeground': '#ad0707', '--vscode-editor-foreground': '#292929',
      '--vscode-textPreformat-foreground': '#ffffff', '--vscode-textPreformat-background': '#09345f',
    },
  },
};
