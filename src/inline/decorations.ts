// How an inline session looks in the editor: added lines on the diff editor's inserted colour,
// removed lines on its removed colour (struck through), old lines the answer has not reached yet
// dimmed, the line still arriving marked, and the place an instruction will write to. Theme
// colours only, so light, dark and high-contrast themes all read.
import * as vscode from 'vscode';

export interface SessionLook {
  added: vscode.Range[];
  removed: vscode.Range[];
  pending: vscode.Range[];
  /** Where text is arriving (the end of what streamed). */
  frontier: vscode.Range[];
  /**
   * The text arrives exactly at the frontier mark, which moves along after it by itself (its
   * range grows at both edges): once shown it need not be sent again while the stream lasts.
   */
  frontierFollows?: boolean;
}

export const EMPTY_LOOK: SessionLook = { added: [], removed: [], pending: [], frontier: [] };

export class InlineDecorations implements vscode.Disposable {
  private readonly added = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.addedForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    // Grows with text streamed in at its end (so it need not be re-sent for every chunk), not
    // with typing just before it.
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedOpen,
  });
  private readonly removed = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
    textDecoration: 'line-through',
    opacity: '0.75',
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.deletedForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly pending = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    opacity: '0.55',
  });
  private readonly frontier = vscode.window.createTextEditorDecorationType({
    after: { contentText: ' ⋯', color: new vscode.ThemeColor('editorCodeLens.foreground') },
    // Text inserted at the mark pushes the mark along after it.
    rangeBehavior: vscode.DecorationRangeBehavior.OpenOpen,
  });
  /** Marks the cursor line (or the selection) while the instruction is typed. */
  readonly target = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    after: { contentText: '  ← Prototyper writes here', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' },
  });

  /** What each editor was last sent, so a stream sends only what changed (each is a message to the window). */
  private readonly sent = new WeakMap<vscode.TextEditor, Map<vscode.TextEditorDecorationType, string>>();

  /**
   * Sets the look on each editor. `fresh`: send everything, whatever was sent before — the window
   * moves decorations along with edits, so after the document changed what was sent may no longer
   * be where it shows (a whole-line range inside a replaced line is pushed off it). Streams skip
   * unchanged ranges to save messages; a settled look is always sent fresh.
   */
  show(editors: readonly vscode.TextEditor[], look: SessionLook, fresh = false): void {
    for (const editor of editors) {
      let last = this.sent.get(editor);
      if (!last || fresh) this.sent.set(editor, (last = new Map()));
      for (const [type, ranges] of [
        [this.added, look.added],
        [this.removed, look.removed],
        [this.pending, look.pending],
        [this.frontier, look.frontier],
      ] as const) {
        const key = ranges.map((r) => `${r.start.line},${r.start.character},${r.end.line},${r.end.character}`).join(';');
        if (last.get(type) === key) continue;
        if (type === this.frontier && look.frontierFollows && ranges.length > 0 && last.get(type)) continue;
        last.set(type, key);
        editor.setDecorations(type, ranges);
      }
    }
  }

  dispose(): void {
    for (const type of [this.added, this.removed, this.pending, this.frontier, this.target]) type.dispose();
  }
}
