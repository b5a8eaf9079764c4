// The inline commands and where they show up: "Generate Code Here" and "Edit Selection" (palette,
// editor context menu, keybindings), code actions on a selection and "Fix with Prototyper" on a
// diagnostic, and each session's CodeLens row — Accept/Reject per hunk and for all — with the
// keyboard's Tab/Enter and Escape bound through the `when` contexts the controller sets.
import * as vscode from 'vscode';
import type { InlineController } from './inlineController';

export const COMMANDS = {
  generate: 'prototyper.inline.generate',
  editSelection: 'prototyper.inline.editSelection',
  fix: 'prototyper.inline.fix',
  accept: 'prototyper.inline.accept',
  reject: 'prototyper.inline.reject',
  acceptHunk: 'prototyper.inline.acceptHunk',
  rejectHunk: 'prototyper.inline.rejectHunk',
  showLastRun: 'prototyper.inline.showLastRun',
} as const;

export function registerInlineCommands(controller: InlineController): vscode.Disposable[] {
  const run = (id: string, body: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        await body(...args);
      } catch (error) {
        void vscode.window.showErrorMessage(`Prototyper: ${(error as Error).message ?? String(error)}`);
      }
    });
  /** The session a keybinding or lens means: the one in the given document, else the active editor's. */
  const target = (uri?: vscode.Uri) => controller.sessionFor(uri ?? vscode.window.activeTextEditor?.document);
  /** The hunk a lens passed, else the one at the cursor. */
  const hunkAt = (index?: number) => {
    if (typeof index === 'number') return index;
    const session = target();
    const line = vscode.window.activeTextEditor?.selection.active.line ?? -1;
    const lenses = session?.lensHunks() ?? [];
    return [...lenses].reverse().find((lens) => lens.line <= line)?.index ?? lenses[0]?.index;
  };
  const lenses = new InlineLenses(controller);
  return [
    run(COMMANDS.generate, () => controller.generateHere()),
    run(COMMANDS.editSelection, () => controller.editSelection()),
    run(COMMANDS.fix, async (uri: vscode.Uri, range: vscode.Range, message: string) => {
      const document = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(document, { preserveFocus: false });
      const line = range.start.line + 1;
      await controller.editSelection(editor, { range, instruction: `Fix this problem reported on line ${line}: ${message}` });
    }),
    run(COMMANDS.accept, (uri?: vscode.Uri) => target(uri)?.acceptAll()),
    run(COMMANDS.reject, (uri?: vscode.Uri) => target(uri)?.rejectAll()),
    run(COMMANDS.acceptHunk, (uri?: vscode.Uri, index?: number) => {
      const hunk = hunkAt(index);
      return hunk === undefined ? undefined : target(uri)?.acceptHunk(hunk);
    }),
    run(COMMANDS.rejectHunk, (uri?: vscode.Uri, index?: number) => {
      const hunk = hunkAt(index);
      return hunk === undefined ? undefined : target(uri)?.rejectHunk(hunk);
    }),
    run(COMMANDS.showLastRun, () => controller.status.showDetails()),
    lenses,
    vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: 'untitled' }], lenses),
    vscode.languages.registerCodeActionsProvider([{ scheme: 'file' }, { scheme: 'untitled' }], new InlineCodeActions(controller), {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite],
    }),
  ];
}

/** Accept/Reject above each hunk; "writing…" with a Stop above a session that streams. */
class InlineLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: InlineController) {
    this.subscription = controller.onDidChangeSessions(() => this.emitter.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const session = this.controller.sessionFor(document);
    if (!session || session.state === 'done') return [];
    const at = (line: number) => new vscode.Range(line, 0, line, 0);
    const uri = document.uri;
    if (session.state === 'streaming') {
      return [new vscode.CodeLens(at(session.firstLine()), { title: '$(sparkle) Prototyper is writing — Stop (Esc)', command: COMMANDS.reject, arguments: [uri] })];
    }
    const hunks = session.lensHunks();
    const lenses: vscode.CodeLens[] = [];
    hunks.forEach((hunk, i) => {
      const range = at(hunk.line);
      if (hunks.length === 1) {
        lenses.push(new vscode.CodeLens(range, { title: 'Accept (Tab)', command: COMMANDS.accept, arguments: [uri] }));
        lenses.push(new vscode.CodeLens(range, { title: 'Reject (Esc)', command: COMMANDS.reject, arguments: [uri] }));
        return;
      }
      if (i === 0) {
        lenses.push(new vscode.CodeLens(range, { title: `Accept All ${hunks.length} (Tab)`, command: COMMANDS.accept, arguments: [uri] }));
        lenses.push(new vscode.CodeLens(range, { title: 'Reject All (Esc)', command: COMMANDS.reject, arguments: [uri] }));
      }
      lenses.push(new vscode.CodeLens(range, { title: 'Accept', command: COMMANDS.acceptHunk, arguments: [uri, hunk.index] }));
      lenses.push(new vscode.CodeLens(range, { title: 'Reject', command: COMMANDS.rejectHunk, arguments: [uri, hunk.index] }));
    });
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

/** "Fix with Prototyper" for each diagnostic in range, and "Edit with Prototyper…" on a selection. */
class InlineCodeActions implements vscode.CodeActionProvider {
  constructor(private readonly controller: InlineController) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (this.controller.sessionFor(document)) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics.slice(0, 3)) {
      const short = diagnostic.message.split('\n')[0].slice(0, 60);
      const action = new vscode.CodeAction(`Fix with Prototyper: ${short}`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.command = { title: action.title, command: COMMANDS.fix, arguments: [document.uri, diagnostic.range, diagnostic.message] };
      actions.push(action);
    }
    if (!range.isEmpty) {
      const action = new vscode.CodeAction('Edit Selection with Prototyper…', vscode.CodeActionKind.RefactorRewrite);
      action.command = { title: action.title, command: COMMANDS.editSelection };
      actions.push(action);
    }
    return actions;
  }
}
