// "Edit Selection" and Apply to File: a proposal for some whole lines of the document (the
// selection, a fragment's region, or the whole file) shown as a line diff in place — old lines on
// the removed colour, new lines inserted on the added colour — that streams in as the model
// writes, then waits for Accept or Reject per hunk or for all. The proposal is the model's code
// (a rewrite or a merged file), its search/replace blocks applied to the old lines, or lines
// known up front (a fragment placed by its anchors).
import type * as vscode from 'vscode';
import { Range } from 'vscode';
import { CodeFilter, indentationOf, reindentLine } from './codeFilter';
import type { InlineDecorations, SessionLook } from './decorations';
import { replaceDocumentLines } from './documentWriter';
import { applySearchReplace, isSearchReplace, parseSearchReplace } from './fragmentMerge';
import { InlineSession, type LensHunk, type PlannedEdit } from './inlineSession';
import { diffView, lineSplice, shownRows, type Decision, type Row } from './lineDiff';
import { placeAgainstLines, type Change } from './positions';

export type ProposalSource =
  /** The model writes the new lines in a code block (an edit, or a merged whole file). */
  | { kind: 'code' }
  /** The model answers with search/replace blocks, or else with the whole merged file. */
  | { kind: 'merge' }
  /** The new lines are known (a fragment placed by its anchors, a whole-file block). */
  | { kind: 'lines'; lines: string[] };

export class DiffSession extends InlineSession {
  private first: number;
  private readonly old: string[];
  /** Every row, the hidden ones of decided hunks included (see `rows`). */
  private rowsValue: Row[] = [];
  /**
   * Text arrived since the rows were worked out, from the answer's code or its search/replace
   * blocks: the diff is redone when the rows are next read (an edit, a look), not per chunk.
   */
  private behind: 'code' | 'blocks' | undefined;
  private readonly decisions = new Map<number, Decision>();
  /** The rows' text in the document now. */
  private written: string[];
  private readonly filter = new CodeFilter({ detectProse: true });
  private code = '';
  private answer = '';
  private searchReplace: boolean | undefined;
  /** Blocks of a search/replace answer that could not be placed, for the notification. */
  failedBlocks: string[] = [];
  private restored = false;

  constructor(document: vscode.TextDocument, firstLine: number, lineCount: number, decorations: InlineDecorations, private readonly source: ProposalSource) {
    super(document, decorations);
    this.first = firstLine;
    this.old = [];
    for (let line = firstLine; line < firstLine + lineCount; line++) this.old.push(document.lineAt(line).text);
    this.written = [...this.old];
    this.rows = this.old.map((text) => ({ kind: 'pending', text, hunk: -1 }));
    if (source.kind === 'lines') {
      this.rows = diffView(this.old, source.lines, false).rows;
      this.stateValue = 'review';
    }
  }

  /** Shows a proposal known up front; resolves once the document shows it. */
  async showProposal(): Promise<void> {
    this.render();
    await this.idle();
    this.changed.fire();
  }

  firstLine(): number {
    return this.first;
  }

  private get rows(): Row[] {
    const behind = this.behind;
    if (behind) {
      this.behind = undefined;
      if (behind === 'code') this.fromCode(false);
      else this.fromBlocks(false);
    }
    return this.rowsValue;
  }

  private set rows(rows: Row[]) {
    this.rowsValue = rows;
  }

  lensHunks(): LensHunk[] {
    if (this.state !== 'review') return [];
    const lenses: LensHunk[] = [];
    const seen = new Set<number>();
    this.shown().forEach((row, i) => {
      if (row.hunk >= 0 && !seen.has(row.hunk)) {
        seen.add(row.hunk);
        lenses.push({ index: row.hunk, line: this.first + i });
      }
    });
    return lenses;
  }

  async acceptHunk(index: number): Promise<void> {
    return this.decide(index, 'accepted');
  }

  async rejectHunk(index: number): Promise<void> {
    return this.decide(index, 'rejected');
  }

  private async decide(index: number, decision: Decision): Promise<void> {
    if (this.state !== 'review' || !this.hunkIds().has(index) || this.decisions.has(index)) return;
    this.decisions.set(index, decision);
    if ([...this.hunkIds()].every((hunk) => this.decisions.has(hunk))) {
      await this.settle((hunk) => this.decisions.get(hunk) === 'accepted');
      return;
    }
    this.render();
    await this.idle();
    this.changed.fire();
  }

  private hunkIds(): Set<number> {
    return new Set(this.rows.filter((row) => row.hunk >= 0).map((row) => row.hunk));
  }

  // ---- the proposal as it streams ------------------------------------------------------------

  protected take(text: string): void {
    if (this.source.kind === 'merge' && this.searchReplace !== false) {
      this.answer += text;
      this.searchReplace ??= answersInBlocks(this.answer, false);
      if (this.searchReplace === undefined) return;
      if (this.searchReplace) {
        this.behind = 'blocks';
        return;
      }
      // A merged file after all: the filter gets everything so far.
      text = this.answer;
    }
    this.code += this.filter.push(text);
    this.behind = 'code';
  }

  protected finishText(): void {
    if (this.source.kind === 'lines') return;
    this.behind = undefined;
    if (this.source.kind === 'merge' && this.searchReplace !== false) {
      this.searchReplace ??= answersInBlocks(this.answer, true) ?? false;
      if (this.searchReplace) return this.fromBlocks(true);
      this.code += this.filter.push(this.answer);
    }
    const end = this.filter.end();
    this.code += end.code;
    this.prose = end.prose;
    this.fromCode(true);
  }

  protected freezeStream(): void {
    if (this.source.kind !== 'lines') {
      const end = this.filter.end();
      this.prose = end.prose;
    }
    // What arrived stays; old lines the answer had not reached stay unchanged.
    let next = Math.max(-1, ...this.rows.map((row) => row.hunk)) + 1;
    this.rows = this.rows.map((row, i) => {
      if (row.kind === 'pending') return { ...row, kind: 'same' };
      if (row.kind === 'added' && row.hunk < 0) {
        const before = this.rows[i - 1];
        return { ...row, hunk: before && before.hunk >= 0 ? before.hunk : next++ };
      }
      return row;
    });
  }

  private fromCode(done: boolean): void {
    if (done && this.code === '' && !this.filter.fenced) {
      // Only prose (or nothing): no change.
      this.rows = this.old.map((text) => ({ kind: 'same', text, hunk: -1 }));
      return;
    }
    const lines = this.code === '' ? [] : this.code.split('\n');
    const partial = done ? undefined : lines.pop();
    const from = indentationOf(lines.find((line) => line.trim()) ?? partial ?? '');
    const to = indentationOf(this.old.find((line) => line.trim()) ?? '');
    const shaped = lines.map((line) => reindentLine(line, from, to));
    const view = diffView(this.old, shaped, !done);
    this.rows = shownRows(view, new Map(), partial ? reindentLine(partial, from, to) : undefined);
  }

  private fromBlocks(done: boolean): void {
    const blocks = parseSearchReplace(done ? this.answer + '\n' : this.answer);
    const { lines, failed } = applySearchReplace(this.old, blocks);
    this.failedBlocks = failed.map(({ index, reason }) => `change ${index + 1}: ${reason}`);
    this.rows = diffView(this.old, lines, false).rows;
    if (done) this.prose = '';
  }

  // ---- what the document shows -----------------------------------------------------------------

  /** The rows as the document shows them (decided hunks keep only their chosen lines), with where each is in `rows`. */
  private shownEntries(): Array<{ row: Row; index: number }> {
    const out: Array<{ row: Row; index: number }> = [];
    this.rows.forEach((row, index) => {
      const decision = row.hunk >= 0 ? this.decisions.get(row.hunk) : undefined;
      if (!decision) out.push({ row, index });
      else if ((decision === 'accepted') === (row.kind === 'added')) out.push({ row: { kind: 'same', text: row.text, hunk: -1 }, index });
    });
    return out;
  }

  private shown(): Row[] {
    return this.shownEntries().map((entry) => entry.row);
  }

  protected plan(): PlannedEdit | undefined {
    if (this.restored) return undefined;
    return this.edit(this.shown().map((row) => row.text));
  }

  /** The single replacement from the written rows to `wanted`. */
  private edit(wanted: string[]): PlannedEdit | undefined {
    const splice = lineSplice(this.written, wanted);
    if (!splice) return undefined;
    return {
      replacement: replaceDocumentLines(this.writer, this.first + splice.start, splice.deleteCount, splice.insert),
      applied: () => {
        this.written = wanted;
      },
    };
  }

  protected userChange(change: Change): 'outside' | 'inside' {
    const count = this.written.length;
    const place = placeAgainstLines(change, this.first, count, count > 0 ? this.written[count - 1].length : -1);
    if (place.where === 'before') {
      this.first += place.lineDelta;
      return 'outside';
    }
    if (place.where === 'after') return 'outside';
    const { start, end } = change.range;
    if (start.line < this.first || end.line >= this.first + count || this.restored) {
      // An edit across the session's edge (or during Accept/Reject): the review cannot follow it.
      queueMicrotask(() => this.abort('changed'));
      return 'inside';
    }
    // Typing in the session's own lines: their rows take the new text, keeping their kind.
    const shown = this.shownEntries();
    const firstRow = start.line - this.first;
    const lastRow = end.line - this.first;
    const breaks = change.text.split('\n').length - 1;
    const texts: string[] = [];
    for (let line = start.line; line <= start.line + breaks; line++) texts.push(this.document.lineAt(line).text);
    const like = shown[firstRow].row;
    const replaced = texts.map((text) => ({ ...like, text }));
    this.rows = [...this.rows.slice(0, shown[firstRow].index), ...replaced, ...this.rows.slice(shown[lastRow].index + 1)];
    this.written = [...this.written.slice(0, firstRow), ...texts, ...this.written.slice(lastRow + 1)];
    return 'inside';
  }

  protected look(): SessionLook {
    const look: SessionLook = { added: [], removed: [], pending: [], frontier: [] };
    const shown = this.shown();
    shown.forEach((row, i) => {
      const line = this.first + i;
      const range = new Range(line, 0, line, 0);
      if (row.kind === 'added') look.added.push(range);
      else if (row.kind === 'removed') look.removed.push(range);
      else if (row.kind === 'pending') look.pending.push(range);
    });
    if (this.state === 'streaming') {
      const lastNew = shown.map((row) => row.kind === 'added' || row.kind === 'same').lastIndexOf(true);
      const line = this.first + Math.max(lastNew, 0);
      if (line < this.document.lineCount) look.frontier.push(this.document.lineAt(line).range);
    }
    return look;
  }

  protected hunkCount(): number {
    return this.hunkIds().size;
  }

  protected restorePlan(): PlannedEdit | undefined {
    const original = this.rows.filter((row) => row.kind !== 'added').map((row) => row.text);
    const edit = this.edit(original);
    if (!edit) {
      this.restored = true;
      return undefined;
    }
    return {
      replacement: edit.replacement,
      applied: () => {
        edit.applied();
        this.restored = true;
      },
    };
  }

  protected changePlan(accepted: (hunk: number) => boolean): { edit?: PlannedEdit; accepted: number; rejected: number } {
    const take = (hunk: number) => (this.decisions.has(hunk) ? this.decisions.get(hunk) === 'accepted' : accepted(hunk));
    const ids = this.hunkIds();
    const acceptedCount = [...ids].filter(take).length;
    const final = this.rows.filter((row) => row.hunk < 0 || (row.kind === 'added') === take(row.hunk)).map((row) => row.text);
    return { edit: this.edit(final), accepted: acceptedCount, rejected: ids.size - acceptedCount };
  }
}

/**
 * Whether a merge answer is search/replace blocks: decided by its first line that is neither blank
 * nor a fence; undefined while that line has not arrived (at the end: by any marker at all).
 */
function answersInBlocks(answer: string, done: boolean): boolean | undefined {
  const lines = answer.split('\n');
  if (!done) lines.pop();
  const first = lines.map((line) => line.trim()).find((line) => line && !/^(`{3,}|~{3,})/.test(line));
  if (first !== undefined) return isSearchReplace(first + '\n');
  return done ? isSearchReplace(answer) : undefined;
}
