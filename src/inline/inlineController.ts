// Runs inline sessions: at most one per document (sessions in different editors are independent,
// and run beside chat streams), each fed by its own `generate_inline` stream. Follows the user's
// edits and editors, sets the `when` contexts the keybindings use, and stops a session within the
// same tick when its editor is closed, Escape is pressed or the progress notification's Cancel.
import * as vscode from 'vscode';
import type { ApiKeys } from '../secrets';
import { InlineDecorations } from './decorations';
import { DiffSession, type ProposalSource } from './diffSession';
import { InlineSession, type SessionOutcome, type SessionProbe } from './inlineSession';
import { reportEnd, streamProgress, InlineStatus } from './inlineProgress';
import { startInlineStream, type InlineEnd, type InlineStreamDeps } from './inlineStream';
import { InsertionSession } from './insertionSession';
import { askInstruction, InstructionHistory } from './instructionInput';
import { buildRequest, credentials, displayPath, inlineModel, selectedLines, type RequestPlace } from './requestContext';

/**
 * The documents with a session streaming, and with one waiting for review, as `when` contexts
 * (`resourcePath in prototyper.inline.reviewing`): keyed by document rather than by the active
 * editor, so focus moving between a webview and the editor can never leave them stale. Paths, not
 * URIs: in a remote window (code-server, SSH, WSL) the workbench knows a file as
 * `vscode-remote://…` while the extension host has `file://…`, and `resourcePath` is the file
 * system path (`fsPath` for `file:`, else `path`) on both sides.
 */
export const CONTEXT_STREAMING = 'prototyper.inline.streaming';
export const CONTEXT_REVIEWING = 'prototyper.inline.reviewing';

export interface InlineControllerDeps extends InlineStreamDeps {
  apiKeys: Pick<ApiKeys, 'get'>;
  memento: vscode.Memento;
}

export interface StartOptions {
  /** Skip the input (code actions, tests, the benchmark). */
  instruction?: string;
  probe?: SessionProbe;
}

export class InlineController implements vscode.Disposable {
  private readonly sessions = new Map<string, InlineSession>();
  readonly decorations = new InlineDecorations();
  private readonly history: InstructionHistory;
  readonly status = new InlineStatus();
  private readonly changedEmitter = new vscode.EventEmitter<void>();
  /** Fires when any session starts, changes or ends (CodeLens). */
  readonly onDidChangeSessions = this.changedEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly deps: InlineControllerDeps) {
    this.history = new InstructionHistory(deps.memento);
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.sessions.get(event.document.uri.toString())?.documentChanged(event)),
      vscode.window.onDidChangeVisibleTextEditors(() => {
        for (const session of this.sessions.values()) session.refresh();
      }),
      vscode.window.tabGroups.onDidChangeTabs(() => this.closeHidden()),
      vscode.workspace.onDidCloseTextDocument((document) => this.sessions.get(document.uri.toString())?.abandon()),
    ];
  }

  /** The session in `document`, if any. */
  sessionFor(document: vscode.TextDocument | vscode.Uri | undefined): InlineSession | undefined {
    if (!document) return undefined;
    return this.sessions.get(('uri' in document ? document.uri : document).toString());
  }

  /** "Generate Code Here": asks for an instruction, then streams code in at the cursor. */
  async generateHere(editor = vscode.window.activeTextEditor, options: StartOptions = {}): Promise<InlineSession | undefined> {
    if (!editor || !this.ready(editor.document)) return undefined;
    const at = editor.selection.active;
    const instruction = options.instruction ?? (await askInstruction(this.history, {
      title: `Prototyper: Generate Code Here (${displayPath(editor.document)}:${at.line + 1})`,
      placeholder: 'What should go here? Enter without text completes the code at the cursor. ↑↓ earlier instructions',
      allowEmpty: true,
      editor,
      target: new vscode.Range(at.line, 0, at.line, 0),
      marker: this.decorations.target,
    }));
    if (instruction === undefined || !this.ready(editor.document)) return undefined;
    const session = new InsertionSession(editor.document, at, this.decorations, { detectProse: !inCommentOrString(editor.document, at) });
    return this.run(session, 'generate', { task: 'generate', instruction, at }, options);
  }

  /** "Edit Selection": asks how, then streams the rewrite in as a diff of the selected lines. */
  async editSelection(editor = vscode.window.activeTextEditor, options: StartOptions & { range?: vscode.Range } = {}): Promise<InlineSession | undefined> {
    if (!editor || !this.ready(editor.document)) return undefined;
    const range = options.range ?? editor.selection;
    const lines = selectedLines(range);
    const instruction = options.instruction ?? (await askInstruction(this.history, {
      title: `Prototyper: Edit Selection (${displayPath(editor.document)}:${lines.first + 1}–${lines.first + lines.count})`,
      placeholder: 'How should the selected lines change? ↑↓ earlier instructions',
      allowEmpty: false,
      editor,
      target: new vscode.Range(lines.first, 0, lines.first + lines.count - 1, 0),
      marker: this.decorations.target,
    }));
    if (!instruction || !this.ready(editor.document)) return undefined;
    // The selection would otherwise stretch over old and new lines while they stream in.
    const top = new vscode.Position(lines.first, 0);
    if (editor.document === vscode.window.activeTextEditor?.document) editor.selection = new vscode.Selection(top, top);
    const session = new DiffSession(editor.document, lines.first, lines.count, this.decorations, { kind: 'code' });
    return this.run(session, 'edit', { task: 'edit', instruction, at: new vscode.Position(lines.first, 0), lines }, options);
  }

  /**
   * A diff of document lines [first, first + count) against a proposal: known lines (shown at once)
   * or the model's merge of `fragment` (streamed). Resolves with the session once it is shown.
   */
  async proposeLines(document: vscode.TextDocument, first: number, count: number, source: ProposalSource, fragment?: string): Promise<InlineSession | undefined> {
    if (!this.ready(document)) return undefined;
    const session = new DiffSession(document, first, count, this.decorations, source);
    if (source.kind === 'lines') {
      this.track(session);
      await session.showProposal();
      if (session.state === 'review' && session.lensHunks().length === 0) await session.rejectAll();
      return session;
    }
    return this.run(session, 'merge', { task: 'merge', instruction: '', at: new vscode.Position(first, 0), lines: { first, count }, fragment }, {});
  }

  /** The session's outcome, once it ends. */
  outcome(session: InlineSession): Promise<SessionOutcome> {
    return new Promise((resolve) => {
      if (session.state === 'done') resolve({ accepted: 0, rejected: 0 });
      else session.onDidEnd(resolve);
    });
  }

  private ready(document: vscode.TextDocument): boolean {
    const running = this.sessionFor(document);
    if (!running) return true;
    void vscode.window.showInformationMessage(
      `Prototyper: ${displayPath(document)} already has ${running.state === 'streaming' ? 'code arriving' : 'a change to review'} — Tab or Enter accepts it, Escape rejects it.`,
    );
    return false;
  }

  private async run(session: InlineSession, what: 'generate' | 'edit' | 'merge', place: RequestPlace, options: StartOptions): Promise<InlineSession | undefined> {
    const model = inlineModel();
    if (!model.model) {
      const choice = await vscode.window.showErrorMessage('Prototyper: no model is selected — pick one for the chat, or set prototyper.inline.model for inline code.', 'Select Model');
      if (choice) void vscode.commands.executeCommand('prototyper.selectModel');
      return undefined;
    }
    session.probe = options.probe;
    this.track(session);
    const document = session.document;
    const params = { ...buildRequest(document, place, model), ...(await credentials(model.provider, (p) => this.deps.apiKeys.get(p))) };
    let resolveEnd: (end: InlineEnd) => void = () => {};
    const ended = new Promise<InlineEnd>((resolve) => (resolveEnd = resolve));
    const stream = startInlineStream(this.deps, params, {
      chunk: (text, receivedAt) => session.push(text, receivedAt),
      end: (end) => {
        resolveEnd(end);
        void session.streamEnded(end);
      },
    });
    session.stopStream = () => stream.stop();
    streamProgress(session, what, displayPath(document), model.model, ended, this.status);
    void Promise.all([ended, stream.result]).then(([end, result]) => {
      if (end.kind === 'done') this.status.show(model.model, end.usage, result);
      else this.status.streamEnded();
      const failed = session instanceof DiffSession && session.failedBlocks.length > 0 ? `Not applied: ${session.failedBlocks.join('; ')}.` : undefined;
      if (end.kind === 'done' && end.usage?.truncated) {
        void vscode.window.showWarningMessage('Prototyper: the model did not see the whole prompt (it was cut to fit its context window). Select less, or raise num_ctx.');
      }
      reportEnd(end, session, failed);
    });
    return session;
  }

  private track(session: InlineSession): void {
    const key = session.document.uri.toString();
    this.sessions.set(key, session);
    session.onDidChange(() => {
      this.updateContext();
      this.changedEmitter.fire();
    });
    session.onDidEnd((outcome) => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
      if (outcome.accepted === 0 && outcome.reason !== 'closed') void clearDirtyMark(session);
      if (outcome.reason === 'changed') {
        void vscode.window.showWarningMessage(
          `Prototyper: the lines under review in ${displayPath(session.document)} were edited across their edge, so the review ended with the document as it is. Undo (Ctrl+Z) steps back through the change.`,
        );
      }
      this.updateContext();
      this.changedEmitter.fire();
    });
    this.updateContext();
    this.changedEmitter.fire();
  }

  /** A session whose document no longer shows in any tab was closed with its editor: it stops. */
  private closeHidden(): void {
    const shown = new Set<string>();
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        const input = tab.input;
        if (input instanceof vscode.TabInputText) shown.add(input.uri.toString());
        else if (input instanceof vscode.TabInputTextDiff) shown.add(input.modified.toString()).add(input.original.toString());
      }
    }
    // Closing a changed document's editor asks to save or revert it: either way the document is
    // settled by the user's answer, so the session only stops and touches nothing more.
    const visible = new Set(vscode.window.visibleTextEditors.map((editor) => editor.document.uri.toString()));
    for (const [key, session] of this.sessions) if (!shown.has(key) && !visible.has(key)) session.abandon();
  }

  private lastContext = '';

  private updateContext(): void {
    const streaming: string[] = [];
    const reviewing: string[] = [];
    for (const session of this.sessions.values()) {
      const uri = session.document.uri;
      // Both forms, for a window whose UI and files are on different platforms (`c:\x` and `/c:/x`).
      const paths = uri.scheme === 'file' ? [...new Set([uri.fsPath, uri.path])] : [uri.path];
      if (session.state === 'streaming') streaming.push(...paths);
      else if (session.state === 'review') reviewing.push(...paths);
    }
    const context = JSON.stringify([streaming, reviewing]);
    if (context === this.lastContext) return;
    this.lastContext = context;
    void vscode.commands.executeCommand('setContext', CONTEXT_STREAMING, streaming);
    void vscode.commands.executeCommand('setContext', CONTEXT_REVIEWING, reviewing);
  }

  dispose(): void {
    for (const session of this.sessions.values()) session.abandon();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.decorations.dispose();
    this.status.dispose();
    this.changedEmitter.dispose();
  }
}

/**
 * After a Reject the text is as it was, but VS Code still marks the editor changed (it counts
 * edits, not text). When the file was unchanged before, is active, and still has exactly the text
 * on disk, reverting it only clears that mark.
 */
async function clearDirtyMark(session: InlineSession): Promise<void> {
  const document = session.document;
  if (session.initiallyDirty || !document.isDirty || document.uri.scheme !== 'file' || document.getText() !== session.initialText) return;
  if (vscode.window.activeTextEditor?.document !== document) return;
  try {
    const onDisk = new TextDecoder('utf-8', { fatal: true }).decode(await vscode.workspace.fs.readFile(document.uri));
    if (onDisk !== document.getText() || vscode.window.activeTextEditor?.document !== document) return;
    await vscode.commands.executeCommand('workbench.action.files.revert');
  } catch {
    // Not UTF-8, unreadable or gone: the mark stays, the text is right either way.
  }
}

/** Whether the cursor sits in a comment or a string, where sentences are what is wanted. */
function inCommentOrString(document: vscode.TextDocument, at: vscode.Position): boolean {
  const before = document.lineAt(at.line).text.slice(0, at.character);
  if (/(\/\/|#|--|<!--|^\s*\*|\/\*)/.test(before)) return true;
  const quotes = (before.match(/["'`]/g) ?? []).length;
  return quotes % 2 === 1;
}
