/**
 * A stand-in for the `vscode` module, so the adapters in src/vscode run in plain Node under mocha. It holds
 * what the adapters use and records what they did to the user (messages, commands, edits); a test scripts
 * the user's answers and the host's faults (an `applyEdit` that returns false, a keyring that rejects).
 * Documents are backed by real files on disk: an open document has a text that may differ from the disk
 * (an unsaved editor), as in VS Code.
 *
 * Install it with `import './install'` before importing anything from src/vscode.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fakeLm, type FakeChat } from '../vscode-lm/fakeLm';

type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return new Disposable(() => this.listeners.delete(listener));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly path: string, readonly query = '', readonly fragment = '', readonly authority = '') {}
  static file(fsPath: string): Uri {
    return new Uri('file', fsPath.replace(/\\/g, '/'));
  }
  static from(parts: { scheme: string; path?: string; query?: string; fragment?: string; authority?: string }): Uri {
    return new Uri(parts.scheme, parts.path ?? '', parts.query ?? '', parts.fragment ?? '', parts.authority ?? '');
  }
  static parse(text: string): Uri {
    const u = new URL(text);
    return new Uri(u.protocol.replace(/:$/, ''), decodeURIComponent(u.pathname), u.search.replace(/^\?/, ''), u.hash.replace(/^#/, ''), u.host);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    const joined = [base.path.replace(/\/+$/, ''), ...segments].join('/').replace(/\/+/g, '/');
    // Normalise `.` and `..` like path.posix.normalize (VS Code does the same).
    const out: string[] = [];
    for (const part of joined.split('/')) {
      if (part === '.' || (part === '' && out.length > 0)) continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return new Uri(base.scheme, out.join('/') || '/', base.query, base.fragment, base.authority);
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { scheme?: string; path?: string; query?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, change.path ?? this.path, change.query ?? this.query, this.fragment, this.authority);
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, path: this.path, query: this.query };
  }
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}

export class Range {
  constructor(readonly start: Position, readonly end: Position) {}
}

export class Selection extends Range {
  constructor(readonly anchor: Position, readonly active: Position) {
    super(anchor, active);
  }
}

export enum TextDocumentChangeReason { Undo = 1, Redo = 2 }
export enum ConfigurationTarget { Global = 1, Workspace = 2, WorkspaceFolder = 3 }
export enum StatusBarAlignment { Left = 1, Right = 2 }
export enum ProgressLocation { SourceControl = 1, Window = 10, Notification = 15 }
export enum ViewColumn { Active = -1, Beside = -2, One = 1 }

export class TabInputText {
  constructor(readonly uri: Uri) {}
}
export class TabInputTextDiff {
  constructor(readonly original: Uri, readonly modified: Uri) {}
}

export class CancellationError extends Error {
  override readonly name = 'Canceled';
}

/** One operation of a {@link WorkspaceEdit}. */
export type EditOp =
  | { kind: 'replace'; uri: Uri; text: string }
  | { kind: 'create'; uri: Uri; contents: Uint8Array }
  | { kind: 'delete'; uri: Uri };

export class WorkspaceEdit {
  readonly ops: EditOp[] = [];
  replace(uri: Uri, _range: Range, text: string): void {
    // The adapters replace whole documents; the range is the document's full range.
    this.ops.push({ kind: 'replace', uri, text });
  }
  createFile(uri: Uri, options?: { contents?: Uint8Array }): void {
    this.ops.push({ kind: 'create', uri, contents: options?.contents ?? new Uint8Array() });
  }
  deleteFile(uri: Uri): void {
    this.ops.push({ kind: 'delete', uri });
  }
  get size(): number {
    return this.ops.length;
  }
}

/** An open document: its text may differ from the disk (dirty) until saved. */
export class FakeTextDocument {
  version = 1;
  constructor(readonly uri: Uri, private text: string, public isDirty = false) {}
  getText(): string {
    return this.text;
  }
  positionAt(offset: number): Position {
    return new Position(0, offset);
  }
  get fileName(): string {
    return this.uri.fsPath;
  }
  /** Types into the editor (unsaved). */
  type(text: string): void {
    this.text = text;
    this.version++;
    this.isDirty = true;
  }
  setText(text: string): void {
    this.text = text;
    this.version++;
  }
  async save(): Promise<boolean> {
    state.saves.push(this.uri.fsPath);
    if (this.uri.scheme !== 'file' || state.failSave?.(this.uri.fsPath)) return false;
    mkdirSync(dirname(this.uri.fsPath), { recursive: true });
    writeFileSync(this.uri.fsPath, this.text);
    this.isDirty = false;
    emitters.saveTextDocument.fire(this);
    return true;
  }
}

/** A webview: records every message posted to it and every resource URI asked for. */
export class FakeWebview {
  options: unknown;
  html = '';
  readonly cspSource = 'https://fake.vscode-cdn.net';
  readonly posted: unknown[] = [];
  readonly resourceRequests: Uri[] = [];
  private readonly received = new EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  asWebviewUri(uri: Uri): Uri {
    this.resourceRequests.push(uri);
    return Uri.from({ scheme: 'https', authority: 'fake.vscode-cdn.net', path: uri.path });
  }
  private readonly postedEvent = new EventEmitter<unknown>();
  async postMessage(message: unknown): Promise<boolean> {
    // Structured clone, as VS Code serialises messages: what the page would get.
    const copy: unknown = JSON.parse(JSON.stringify(message));
    this.posted.push(copy);
    this.postedEvent.fire(copy);
    return true;
  }
  /** Resolves once a message matching `test` has been posted (at once when one already was): a wait on the post, not on time. */
  whenPosted(test: (message: unknown) => boolean): Promise<unknown> {
    const found = this.posted.find(test);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => {
      const sub = this.postedEvent.event((m) => {
        if (!test(m)) return;
        sub.dispose();
        resolve(m);
      });
    });
  }
  /** The page posts `message` to the host. */
  fromPage(message: unknown): void {
    this.received.fire(message);
  }
}

export class FakeWebviewPanel {
  readonly webview = new FakeWebview();
  visible = true;
  iconPath: unknown;
  private readonly viewState = new EventEmitter<{ webviewPanel: FakeWebviewPanel }>();
  private readonly disposed = new EventEmitter<void>();
  readonly onDidChangeViewState = this.viewState.event;
  readonly onDidDispose = this.disposed.event;
  constructor(readonly viewType: string, readonly title: string, readonly options: unknown) {}
  reveal(): void {
    this.visible = true;
  }
  dispose(): void {
    this.disposed.fire();
  }
}

/** A sidebar webview view, as VS Code hands it to a provider's `resolveWebviewView`. */
export class FakeWebviewView {
  readonly webview = new FakeWebview();
  visible = true;
  private readonly visibility = new EventEmitter<void>();
  private readonly disposed = new EventEmitter<void>();
  readonly onDidChangeVisibility = this.visibility.event;
  readonly onDidDispose = this.disposed.event;
  constructor(readonly viewType: string) {}
  dispose(): void {
    this.disposed.fire();
  }
}

export interface FakeViewProvider {
  resolveWebviewView(view: FakeWebviewView, context: unknown, token: unknown): void | PromiseLike<void>;
}

export interface FakePanelSerializer {
  deserializeWebviewPanel(panel: FakeWebviewPanel, state: unknown): PromiseLike<void>;
}

/**
 * Resolves the registered provider of view `id` (as VS Code does when the view is shown), waiting for it (the
 * extension's stand-in loads the engine first); undefined when none.
 */
export async function resolveView(id: string): Promise<FakeWebviewView | undefined> {
  const provider = state.viewProviders.get(id);
  if (!provider) return undefined;
  const view = new FakeWebviewView(id);
  await provider.resolveWebviewView(view, {}, {});
  return view;
}

/** What the user saw, and what they will answer. */
export interface ShownMessage {
  level: 'error' | 'warning' | 'info';
  text: string;
  items: string[];
  modal: boolean;
}

export interface FakeSecretStorage {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
  onDidChange: (listener: Listener<{ key: string }>) => Disposable;
}

type Thenable<T> = PromiseLike<T>;

/** The host's state, reset per test by {@link resetHost}. */
export const state = {
  messages: [] as ShownMessage[],
  /** Answers to messages, by the start of their text (first match wins); otherwise undefined (dismissed). */
  answers: [] as { match: RegExp; answer: string | undefined }[],
  inputBoxAnswers: [] as (string | undefined)[],
  quickPickAnswers: [] as (string | undefined)[],
  executed: [] as { command: string; args: unknown[] }[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  config: new Map<string, unknown>(),
  /** Where configuration values come from, for `inspect` (default: the user's settings). */
  configOrigin: new Map<string, 'global' | 'workspace' | 'workspaceFolder'>(),
  configUpdates: [] as { key: string; value: unknown; target: unknown }[],
  documents: [] as FakeTextDocument[],
  saves: [] as string[],
  /** `save()` answers false (as VS Code does when the disk refuses the write) when this returns true. */
  failSave: undefined as undefined | ((fsPath: string) => boolean),
  /** `applyEdit` answers false when this returns true for the edit (after applying `partial` ops of it). */
  failApplyEdit: undefined as undefined | ((edit: WorkspaceEdit) => { fail: boolean; partial?: number }),
  appliedEdits: [] as WorkspaceEdit[],
  contentProviders: new Map<string, { provideTextDocumentContent(uri: Uri): unknown }>(),
  statusItems: [] as { text: string; tooltip?: unknown; dispose(): void }[],
  disposedStatusItems: 0,
  outputLines: [] as string[],
  tabs: [] as { input: unknown }[],
  closedTabs: [] as unknown[],
  /** Documents whose tab was closed while dirty (VS Code would have asked to save them). */
  savePrompts: [] as string[],
  /** The active text editor (set by showTextDocument; a test may set it). */
  activeEditor: undefined as undefined | { document: FakeTextDocument; selection: unknown },
  languageChanges: [] as { uri: string; language: string }[],
  writableFileSystem: true,
  panels: [] as FakeWebviewPanel[],
  /** Registered webview view providers and panel serializers, by view id / view type. */
  viewProviders: new Map<string, FakeViewProvider>(),
  panelSerializers: new Map<string, FakePanelSerializer>(),
  /** Settings whose folder values Restricted Mode ignores (package.json restrictedConfigurations). */
  restricted: new Set<string>(),
  /** Called with each message shown (a test waits on it instead of polling). */
  onMessage: undefined as undefined | ((m: ShownMessage) => void),
  /** The chat models the Language Model API offers (`lm.selectChatModels`). */
  lmChats: [] as FakeChat[],
};

export const emitters = {
  configuration: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
  grantTrust: new EventEmitter<void>(),
  changeTextDocument: new EventEmitter<{ document: FakeTextDocument; reason?: TextDocumentChangeReason; contentChanges: unknown[] }>(),
  deleteFiles: new EventEmitter<{ files: Uri[] }>(),
  saveTextDocument: new EventEmitter<FakeTextDocument>(),
  closeTextDocument: new EventEmitter<FakeTextDocument>(),
  openTextDocument: new EventEmitter<FakeTextDocument>(),
  activeTextEditor: new EventEmitter<unknown>(),
};

function findAnswer(text: string): string | undefined {
  return state.answers.find((a) => a.match.test(text))?.answer;
}

function show(level: ShownMessage['level']) {
  return (text: string, ...rest: unknown[]): Thenable<string | undefined> => {
    const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { modal?: boolean }) : undefined;
    const items = rest.filter((r): r is string => typeof r === 'string');
    const message: ShownMessage = { level, text, items, modal: options?.modal === true };
    state.messages.push(message);
    state.onMessage?.(message);
    return Promise.resolve(findAnswer(text));
  };
}

function documentOf(uri: Uri): FakeTextDocument | undefined {
  return state.documents.find((d) => d.uri.toString() === uri.toString());
}

/** Opens (or returns) the document of a file on disk or of a content provider's scheme. */
async function openTextDocument(arg: Uri | { language?: string; content?: string }): Promise<FakeTextDocument> {
  if (!(arg instanceof Uri)) {
    const doc = new FakeTextDocument(Uri.from({ scheme: 'untitled', path: `/Untitled-${state.documents.length + 1}` }), arg.content ?? '');
    state.documents.push(doc);
    return doc;
  }
  const open = documentOf(arg);
  if (open) return open;
  let text: string;
  if (arg.scheme === 'file') {
    if (!existsSync(arg.fsPath)) throw new Error(`cannot open ${arg.fsPath}: file not found`);
    text = readFileSync(arg.fsPath, 'utf8');
  } else {
    const provider = state.contentProviders.get(arg.scheme);
    if (!provider) throw new Error(`no provider for ${arg.scheme}`);
    text = String(await provider.provideTextDocumentContent(arg));
  }
  const doc = new FakeTextDocument(arg, text);
  state.documents.push(doc);
  return doc;
}

function applyOp(op: EditOp): void {
  if (op.kind === 'replace') {
    const doc = documentOf(op.uri);
    if (!doc) throw new Error(`replace in a document that is not open: ${op.uri.fsPath}`);
    doc.setText(op.text);
    // A text edit changes the editor, not the disk: the document is dirty until saved. An untitled document
    // is dirty while it has text (VS Code: an emptied untitled editor closes without asking to save).
    doc.isDirty = op.uri.scheme === 'untitled' ? op.text.length > 0 : true;
  } else if (op.kind === 'create') {
    mkdirSync(dirname(op.uri.fsPath), { recursive: true });
    writeFileSync(op.uri.fsPath, op.contents);
  } else {
    rmSync(op.uri.fsPath, { force: true });
    state.documents = state.documents.filter((d) => d.uri.toString() !== op.uri.toString());
  }
}

function fileSystemError(uri: Uri): Error {
  const e = new Error(`EntryNotFound (FileSystemError): ${uri.fsPath}`);
  e.name = 'EntryNotFound (FileSystemError)';
  return e;
}

export const workspace = {
  isTrusted: true,
  workspaceFolders: undefined as { uri: Uri; name: string; index: number }[] | undefined,
  get textDocuments(): FakeTextDocument[] {
    return state.documents;
  },
  getConfiguration(section?: string) {
    const full = (key: string): string => (section ? `${section}.${key}` : key);
    return {
      get: <T>(key: string, fallback?: T): T | undefined => {
        // Restricted Mode: the folder's values of restricted settings are ignored (restrictedConfigurations).
        const ignored = !workspace.isTrusted && state.restricted.has(full(key)) && (state.configOrigin.get(full(key)) ?? 'global') !== 'global';
        return state.config.has(full(key)) && !ignored ? (state.config.get(full(key)) as T) : fallback;
      },
      has: (key: string): boolean => state.config.has(full(key)),
      inspect: (key: string) => {
        if (!state.config.has(full(key))) return { key: full(key) };
        const origin = state.configOrigin.get(full(key)) ?? 'global';
        return { key: full(key), [`${origin}Value`]: state.config.get(full(key)) };
      },
      update: async (key: string, value: unknown, target?: unknown): Promise<void> => {
        state.configUpdates.push({ key: full(key), value, target });
        state.config.set(full(key), value);
      },
    };
  },
  onDidChangeConfiguration: emitters.configuration.event,
  onDidGrantWorkspaceTrust: emitters.grantTrust.event,
  onDidChangeTextDocument: emitters.changeTextDocument.event,
  onDidDeleteFiles: emitters.deleteFiles.event,
  onDidSaveTextDocument: emitters.saveTextDocument.event,
  onDidCloseTextDocument: emitters.closeTextDocument.event,
  onDidOpenTextDocument: emitters.openTextDocument.event,
  registerTextDocumentContentProvider(scheme: string, provider: { provideTextDocumentContent(uri: Uri): unknown }): Disposable {
    state.contentProviders.set(scheme, provider);
    return new Disposable(() => state.contentProviders.delete(scheme));
  },
  openTextDocument,
  async applyEdit(edit: WorkspaceEdit): Promise<boolean> {
    const verdict = state.failApplyEdit?.(edit);
    if (verdict?.fail) {
      // VS Code aborts a failing edit part-way and does not roll back what it did (W9).
      for (const op of edit.ops.slice(0, verdict.partial ?? 0)) applyOp(op);
      return false;
    }
    for (const op of edit.ops) applyOp(op);
    state.appliedEdits.push(edit);
    return true;
  },
  asRelativePath(uri: Uri | string): string {
    return typeof uri === 'string' ? uri : uri.fsPath;
  },
  fs: {
    isWritableFileSystem(scheme: string): boolean | undefined {
      return scheme === 'file' ? state.writableFileSystem : undefined;
    },
    async stat(uri: Uri) {
      if (!existsSync(uri.fsPath)) throw fileSystemError(uri);
      const s = statSync(uri.fsPath);
      return { type: s.isDirectory() ? 2 : 1, size: s.size, ctime: s.ctimeMs, mtime: s.mtimeMs };
    },
    async readFile(uri: Uri): Promise<Uint8Array> {
      if (!existsSync(uri.fsPath)) throw fileSystemError(uri);
      return readFileSync(uri.fsPath);
    },
    async writeFile(uri: Uri, content: Uint8Array): Promise<void> {
      mkdirSync(dirname(uri.fsPath), { recursive: true });
      writeFileSync(uri.fsPath, content);
    },
    async delete(uri: Uri): Promise<void> {
      if (!existsSync(uri.fsPath)) throw fileSystemError(uri);
      rmSync(uri.fsPath, { recursive: true, force: true });
    },
  },
};

export const window = {
  showErrorMessage: show('error'),
  showWarningMessage: show('warning'),
  showInformationMessage: show('info'),
  async showInputBox(options?: { validateInput?: (v: string) => unknown }): Promise<string | undefined> {
    const answer = state.inputBoxAnswers.shift();
    if (answer !== undefined && options?.validateInput) {
      const problem = await options.validateInput(answer);
      // VS Code keeps the box open while the input is invalid; a test that types an invalid key sees it refused.
      if (problem) {
        state.messages.push({ level: 'error', text: `input refused: ${String(problem)}`, items: [], modal: false });
        return undefined;
      }
    }
    return answer;
  },
  async showQuickPick<T extends { label: string }>(items: readonly T[] | Promise<readonly T[]>): Promise<T | undefined> {
    const label = state.quickPickAnswers.shift();
    return (await items).find((i) => i.label === label);
  },
  createOutputChannel(name: string) {
    const line = (level: string) => (m: string | Error) => state.outputLines.push(`${level} ${String(m)}`);
    return { name, trace: line('trace'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), appendLine: line('line'), show: () => undefined, dispose: () => undefined };
  },
  createStatusBarItem() {
    const item = {
      text: '', tooltip: undefined as unknown, name: '', command: undefined as unknown,
      show: () => undefined, hide: () => undefined,
      dispose: () => {
        state.disposedStatusItems++;
      },
    };
    state.statusItems.push(item);
    return item;
  },
  async withProgress<R>(_options: unknown, task: (progress: { report(v: unknown): void }, token: { onCancellationRequested(l: () => void): Disposable; isCancellationRequested: boolean }) => Promise<R>): Promise<R> {
    return task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => new Disposable() });
  },
  tabGroups: {
    get all() {
      return [{ tabs: state.tabs }];
    },
    async close(tabs: unknown | unknown[]): Promise<boolean> {
      const list = Array.isArray(tabs) ? tabs : [tabs];
      state.closedTabs.push(...list);
      // A tab closed with a dirty document would ask to save: record it, as the user would have been asked.
      for (const tab of list) {
        const input = (tab as { input?: unknown }).input;
        const doc = input instanceof TabInputText ? documentOf(input.uri) : undefined;
        if (doc?.isDirty) state.savePrompts.push(doc.uri.toString());
      }
      state.tabs = state.tabs.filter((t) => !list.includes(t));
      if (state.activeEditor && !state.tabs.some((t) => t.input instanceof TabInputText && t.input.uri.toString() === state.activeEditor?.document.uri.toString())) state.activeEditor = undefined;
      return true;
    },
  },
  get activeTextEditor(): { document: FakeTextDocument; selection: unknown } | undefined {
    return state.activeEditor;
  },
  createWebviewPanel(viewType: string, title: string, _column: unknown, options: unknown): FakeWebviewPanel {
    const panel = new FakeWebviewPanel(viewType, title, options);
    state.panels.push(panel);
    return panel;
  },
  registerWebviewViewProvider(id: string, provider: FakeViewProvider): Disposable {
    state.viewProviders.set(id, provider);
    return new Disposable(() => {
      if (state.viewProviders.get(id) === provider) state.viewProviders.delete(id);
    });
  },
  onDidChangeActiveTextEditor: emitters.activeTextEditor.event,
  async showTextDocument(doc: FakeTextDocument) {
    // Shown in a tab of its own (one per document here) and made the active editor.
    if (!state.tabs.some((t) => t.input instanceof TabInputText && t.input.uri.toString() === doc.uri.toString())) state.tabs.push({ input: new TabInputText(doc.uri) });
    const editor = { document: doc, selection: undefined as unknown };
    state.activeEditor = editor;
    return editor;
  },
  async showOpenDialog(): Promise<undefined> {
    return undefined;
  },
  async showSaveDialog(): Promise<undefined> {
    return undefined;
  },
  registerWebviewPanelSerializer(viewType: string, serializer: FakePanelSerializer): Disposable {
    state.panelSerializers.set(viewType, serializer);
    return new Disposable(() => state.panelSerializers.delete(viewType));
  },
};

export const commands = {
  registerCommand(id: string, fn: (...args: unknown[]) => unknown): Disposable {
    if (state.commands.has(id)) throw new Error(`command '${id}' already exists`);
    state.commands.set(id, fn);
    return new Disposable(() => state.commands.delete(id));
  },
  async executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    state.executed.push({ command, args });
    const fn = state.commands.get(command);
    if (!fn && command === 'workbench.action.files.revert') {
      // VS Code's File: Revert File: the editor reloads the disk's text and is clean.
      const doc = args[0] instanceof Uri ? documentOf(args[0]) : undefined;
      if (doc && existsSync(doc.uri.fsPath)) {
        doc.setText(readFileSync(doc.uri.fsPath, 'utf8'));
        doc.isDirty = false;
      }
      return undefined;
    }
    return fn ? fn(...args) : undefined;
  },
};

export const languages = {
  createDiagnosticCollection(name: string) {
    const entries = new Map<string, unknown[]>();
    return { name, set: (uri: Uri, d: unknown[]) => entries.set(uri.toString(), d), delete: (uri: Uri) => entries.delete(uri.toString()), clear: () => entries.clear(), get: (uri: Uri) => entries.get(uri.toString()), dispose: () => entries.clear() };
  },
  async setTextDocumentLanguage(doc: FakeTextDocument, language: string): Promise<FakeTextDocument> {
    state.languageChanges.push({ uri: doc.uri.toString(), language });
    return doc;
  },
};

export const env = {
  openExternal: async (uri: Uri): Promise<boolean> => {
    state.executed.push({ command: 'env.openExternal', args: [uri] });
    return true;
  },
};

export const version = '1.96.4-fake';

// The Language Model API, as the vscode-lm provider uses it (../vscode-lm/fakeLm.ts), over state.lmChats.
export {
  FakeChatMessage as LanguageModelChatMessage,
  FakeTextPart as LanguageModelTextPart,
  FakeToolCallPart as LanguageModelToolCallPart,
  FakeToolResultPart as LanguageModelToolResultPart,
  FakeLanguageModelError as LanguageModelError,
  FakeCancellationTokenSource as CancellationTokenSource,
} from '../vscode-lm/fakeLm';
export const LanguageModelChatToolMode = { Auto: 1, Required: 2 };
export const lm = {
  selectChatModels: (selector?: { vendor?: string; family?: string; id?: string }) => fakeLm(state.lmChats).api.lm.selectChatModels(selector),
  onDidChangeChatModels: () => new Disposable(),
};

/** A SecretStorage in memory whose calls can be made to fail (the OS keyring missing or locked). */
export class MemorySecrets implements FakeSecretStorage {
  readonly values = new Map<string, string>();
  failWith: Error | undefined;
  private readonly changed = new EventEmitter<{ key: string }>();
  readonly onDidChange = this.changed.event;
  async get(key: string): Promise<string | undefined> {
    if (this.failWith) throw this.failWith;
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.values.set(key, value);
    this.changed.fire({ key });
  }
  async delete(key: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.values.delete(key);
    this.changed.fire({ key });
  }
  /** Another window changed the key: the value moves and this window hears only the event. */
  changeElsewhere(key: string, value: string | undefined): void {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    this.changed.fire({ key });
  }
}

/** Starts a test from a clean host. */
export function resetHost(): void {
  state.messages = [];
  state.answers = [];
  state.inputBoxAnswers = [];
  state.quickPickAnswers = [];
  state.executed = [];
  state.commands.clear();
  state.config.clear();
  state.configOrigin.clear();
  state.configUpdates = [];
  state.documents = [];
  state.saves = [];
  state.failSave = undefined;
  state.failApplyEdit = undefined;
  state.appliedEdits = [];
  state.contentProviders.clear();
  state.statusItems = [];
  state.disposedStatusItems = 0;
  state.outputLines = [];
  state.tabs = [];
  state.closedTabs = [];
  state.savePrompts = [];
  state.activeEditor = undefined;
  state.languageChanges = [];
  state.writableFileSystem = true;
  state.panels = [];
  state.viewProviders.clear();
  state.panelSerializers.clear();
  state.onMessage = undefined;
  state.lmChats = [];
  workspace.isTrusted = true;
  workspace.workspaceFolders = undefined;
  for (const e of Object.values(emitters)) e.dispose();
}

/** A Memento in memory (workspaceState, globalState); `writes` shows what was stored. */
export class MemoryMemento {
  readonly values = new Map<string, unknown>();
  readonly writes: { key: string; value: unknown }[] = [];
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : fallback;
  }
  keys(): string[] {
    return [...this.values.keys()];
  }
  async update(key: string, value: unknown): Promise<void> {
    this.writes.push({ key, value });
    this.values.set(key, value);
  }
  setKeysForSync(): void {}
}

/** An ExtensionContext for `activate`: storage under `storageDir`, the extension at the repository root. */
export function extensionContext(storageDir: string, extensionRoot: string, secrets = new MemorySecrets()) {
  return {
    subscriptions: [] as { dispose(): unknown }[],
    secrets,
    workspaceState: new MemoryMemento(),
    globalState: new MemoryMemento(),
    storageUri: Uri.file(`${storageDir}/workspace`),
    globalStorageUri: Uri.file(`${storageDir}/global`),
    logUri: Uri.file(`${storageDir}/log`),
    extensionUri: Uri.file(extensionRoot),
    extensionPath: extensionRoot,
    extension: { id: 'agensflow.agensflow', packageJSON: { version: '0.0.0-test' } },
  };
}
