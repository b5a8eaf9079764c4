// How an inline session changes the user's document: one replacement per edit, through the
// document's visible editor when there is one (VS Code then refuses the edit if the document
// changed since it was computed, and the undo stops are ours to place), else a WorkspaceEdit; and
// recognising the change event of its own edit among the user's. Nothing here saves.
import * as vscode from 'vscode';
import { replaceLines } from './lineDiff';

/** Undo grouping: `join` adds to the open undo step; `step` is an undo step of its own. */
export type UndoPlacement = 'join' | 'step';

export interface Replacement {
  range: vscode.Range;
  text: string;
}

export class DocumentWriter {
  private expected: Replacement | undefined;

  constructor(readonly document: vscode.TextDocument) {}

  get eol(): string {
    return this.document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  }

  /** Editors showing the document now. */
  editors(): vscode.TextEditor[] {
    return vscode.window.visibleTextEditors.filter((editor) => editor.document === this.document);
  }

  /**
   * Applies one replacement. False when VS Code refused it (the document changed meanwhile: the
   * caller recomputes from the new state and tries again) or the document is closed. Its change
   * event may reach the extension host after this resolves: it stays expected until `isOwn` sees it.
   */
  async replace(replacement: Replacement, undo: UndoPlacement): Promise<boolean> {
    if (this.document.isClosed) return false;
    this.expected = replacement;
    let ok = false;
    try {
      const editor = this.editors()[0];
      if (editor) {
        const stops = undo === 'step';
        ok = await editor.edit((builder) => builder.replace(replacement.range, replacement.text), { undoStopBefore: stops, undoStopAfter: stops });
      } else {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(this.document.uri, replacement.range, replacement.text);
        ok = await vscode.workspace.applyEdit(edit);
      }
    } catch {
      // An editor closed under us (TextEditor#edit on a disposed editor throws).
      ok = false;
    }
    if (!ok && this.expected === replacement) this.expected = undefined;
    return ok;
  }

  /** Whether a replacement's change event is still to come. */
  get awaitingEcho(): boolean {
    return this.expected !== undefined;
  }

  /** Stops expecting a change event (it was not seen in time). */
  forgetExpected(): void {
    this.expected = undefined;
  }

  /** Whether `event` is the change of the replacement being applied (then it is ours). */
  isOwn(event: vscode.TextDocumentChangeEvent): boolean {
    const expected = this.expected;
    if (!expected || event.contentChanges.length !== 1) return false;
    const [change] = event.contentChanges;
    if (!change.range.isEqual(expected.range) || normalizeEol(change.text) !== normalizeEol(expected.text)) return false;
    this.expected = undefined;
    return true;
  }
}

function normalizeEol(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

/** `replaceLines` for a live document. */
export function replaceDocumentLines(writer: DocumentWriter, first: number, count: number, lines: readonly string[]): Replacement {
  const document = writer.document;
  const { start, end, text } = replaceLines(
    { lineCount: document.lineCount, lineLength: (line) => document.lineAt(line).text.length, eol: writer.eol },
    first,
    count,
    lines,
  );
  return { range: new vscode.Range(start[0], start[1], end[0], end[1]), text };
}
