// What every inline session shares: streamed text rendered into the document by one edit at a
// time (a burst that arrives during an edit goes out with the next one; no timers), its own
// edits told apart from the user's, Accept and Reject, and the undo grouping: while it streams
// and is reviewed every edit joins one undo step, and settling it first restores the original
// text within that step, then makes the accepted change as an undo step of its own — so after
// Accept one Ctrl+Z takes the whole change out, and after Reject there is nothing to undo.
import * as vscode from 'vscode';
import type { InlineEnd } from './inlineStream';
import { EMPTY_LOOK, type InlineDecorations, type SessionLook } from './decorations';
import type { Change } from './positions';
import { DocumentWriter, type Replacement } from './documentWriter';

export type SessionState = 'streaming' | 'review' | 'done';

export interface SessionOutcome {
  /** Hunks accepted (0: the document is as it was). */
  accepted: number;
  rejected: number;
  /** Why it ended without a review: the model's prose, an error, a stop. */
  reason?: 'empty' | 'error' | 'stopped' | 'closed' | 'changed';
}

/** A hunk as the editor's CodeLens shows it. */
export interface LensHunk {
  index: number;
  line: number;
}

/** Timings for the benchmark: the host's work per chunk, and when the text was in the document. */
export interface SessionProbe {
  /** `push` of the chunk ending at answer character `upTo` took `handlingMs` of the host's thread. */
  chunkHandled?(receivedAt: number, handlingMs: number, upTo: number): void;
  /** Other work of the session on that thread (an edit's follow-up, its change event). */
  slice?(ms: number): void;
  /** The first `upTo` characters of the answer are in the document (as far as they will be). */
  applied?(upTo: number, at: number): void;
  /**
   * One edit's round trip to the window and back took `ms`; `ok`: VS Code applied it; `own`: its
   * change event was recognised as the session's.
   */
  edit?(ms: number, ok: boolean, own: boolean): void;
  /** A change that was not the session's own, and whether it touched the session's text. */
  userChange?(inside: boolean): void;
}

/** The next edit to make, and how the session's picture of its lines changes once it is in. */
export interface PlannedEdit {
  replacement: Replacement;
  applied(): void;
}

const MAX_REFUSED_EDITS = 50;
/** How long an applied edit's change event may take to arrive before the session stops waiting. */
const ECHO_WAIT_MS = 5000;
/** Decoration updates while streaming, at most this often. */
const SHOW_INTERVAL_MS = 100;

export abstract class InlineSession implements vscode.Disposable {
  readonly writer: DocumentWriter;
  protected stateValue: SessionState = 'streaming';
  protected readonly changed = new vscode.EventEmitter<void>();
  private readonly ended = new vscode.EventEmitter<SessionOutcome>();
  private readonly receiving = new vscode.EventEmitter<number>();
  /** Fires per chunk with the characters received so far (for the progress notification). */
  readonly onDidReceive = this.receiving.event;
  /** Fires when hunks, state or place change (CodeLens, context keys). */
  readonly onDidChange = this.changed.event;
  /** Fires once, when the session is settled or abandoned. */
  readonly onDidEnd = this.ended.event;
  /** Set by the controller: stops the model's stream (Escape, an edit inside, a close). */
  stopStream: () => void = () => {};
  probe: SessionProbe | undefined;
  /** Prose the model wrote around its code, for a notification at the end. */
  prose = '';
  private rendering: Promise<void> | undefined;
  private dirty = false;
  private planned: PlannedEdit | undefined;
  private refused = 0;
  /** Characters received when the edit being applied was planned. */
  private plannedUpTo = 0;
  /** Called when the change event of the edit being awaited arrives. */
  private echoSeen: (() => void) | undefined;
  private shownAt = -Infinity;
  /** Accept or Reject is being carried out: no more rendering. */
  private settling = false;
  /** Accept or Reject was asked for (the stream may still be stopping). */
  private settleRequested = false;
  private endedAlready = false;
  /** Characters of the answer received, and how many of them are in the document. */
  protected received = 0;
  protected rendered = 0;

  /** The document before the session, to tell whether a Reject left it exactly as it was. */
  readonly initialText: string;
  readonly initiallyDirty: boolean;

  constructor(
    readonly document: vscode.TextDocument,
    protected readonly decorations: InlineDecorations,
  ) {
    this.writer = new DocumentWriter(document);
    this.initialText = document.getText();
    this.initiallyDirty = document.isDirty;
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** Model text as it arrives. */
  push(text: string, receivedAt = performance.now()): void {
    if (this.stateValue !== 'streaming') return;
    const started = performance.now();
    this.received += text.length;
    this.take(text);
    this.render();
    this.receiving.fire(this.received);
    this.probe?.chunkHandled?.(receivedAt, performance.now() - started, this.received);
  }

  /** The stream ended; `review` follows unless nothing came (then the session ends). */
  async streamEnded(end: InlineEnd): Promise<void> {
    if (this.stateValue !== 'streaming' || this.settleRequested) return;
    if (end.kind === 'stopped') return this.settle(() => false, 'stopped');
    this.finishText();
    this.stateValue = 'review';
    this.render();
    await this.idle();
    if (this.stateValue !== 'review') return;
    if (this.hunkCount() === 0) return this.settle(() => false, end.kind === 'error' ? 'error' : 'empty');
    this.changed.fire();
  }

  /** Called for every document change; the session's own edits update its picture of its lines. */
  documentChanged(event: vscode.TextDocumentChangeEvent): void {
    if (this.stateValue === 'done' || event.document !== this.document || event.contentChanges.length === 0) return;
    if (this.planned && this.writer.isOwn(event)) {
      const started = performance.now();
      const planned = this.planned;
      this.planned = undefined;
      planned.applied();
      this.markRendered(this.plannedUpTo);
      this.echoSeen?.();
      this.probe?.slice?.(performance.now() - started);
      return;
    }
    for (const change of event.contentChanges) {
      const where = this.userChange(change);
      this.probe?.userChange?.(where === 'inside');
      if (where === 'inside' && this.stateValue === 'streaming') this.freeze();
    }
    this.changed.fire();
    this.render();
  }

  acceptAll(): Promise<void> {
    return this.settle(() => true);
  }

  rejectAll(): Promise<void> {
    return this.settle(() => false, this.stateValue === 'streaming' ? 'stopped' : undefined);
  }

  abstract acceptHunk(index: number): Promise<void>;
  abstract rejectHunk(index: number): Promise<void>;
  /** Hunks still undecided, where their lens goes. */
  abstract lensHunks(): LensHunk[];
  /** The first line of the session, for a lens while streaming. */
  abstract firstLine(): number;

  /** Shows the session again (its document came back into view in another editor). */
  refresh(): void {
    if (this.stateValue !== 'done') this.show(true);
  }

  /** The document was closed: stop, touch nothing more. */
  abandon(): void {
    this.abort('closed');
  }

  /** Ends at once without another edit: the stream stops and the document stays as it is. */
  protected abort(reason: 'closed' | 'changed'): void {
    if (this.stateValue === 'done') return;
    this.settleRequested = true;
    this.stopStream();
    this.close({ accepted: 0, rejected: 0, reason });
  }

  dispose(): void {
    this.abandon();
  }

  // ---- for the kinds of session ------------------------------------------------------------------

  /** Takes streamed text into the session's picture (nothing is written yet). */
  protected abstract take(text: string): void;
  /** The stream is over: flush what the filter held back. */
  protected abstract finishText(): void;
  /** The next edit towards what the session should show, or undefined when the document shows it. */
  protected abstract plan(): PlannedEdit | undefined;
  /** A change of the user's: follow it; 'inside' when it touched the session's own text. */
  protected abstract userChange(change: Change): 'outside' | 'inside';
  /** The user edited inside while streaming: keep what is there and stop the stream. */
  protected abstract freezeStream(): void;
  /** How the session looks now. */
  protected abstract look(): SessionLook;
  protected abstract hunkCount(): number;
  /** The edit back to the original text (undefined when the document shows it already). */
  protected abstract restorePlan(): PlannedEdit | undefined;
  /** After the restore: the edit making the accepted hunks' change, and the counts. */
  protected abstract changePlan(accepted: (hunk: number) => boolean): { edit?: PlannedEdit; accepted: number; rejected: number };

  protected render(): void {
    if (this.settling) return;
    this.dirty = true;
    this.rendering ??= this.renderLoop().finally(() => {
      this.rendering = undefined;
    });
  }

  /** Resolves once every wanted edit is in. */
  protected async idle(): Promise<void> {
    while (this.rendering) await this.rendering;
  }

  private async renderLoop(): Promise<void> {
    while (this.dirty && this.stateValue !== 'done') {
      this.dirty = false;
      this.plannedUpTo = this.received;
      const next = this.plan();
      if (next) {
        const sent = await this.apply(next, 'join');
        if (this.probe?.slice) {
          // Measures this continuation up to its next await: the queued microtask runs right after.
          const resumed = performance.now();
          queueMicrotask(() => this.probe?.slice?.(performance.now() - resumed));
        }
        if (!sent) {
          if (++this.refused > MAX_REFUSED_EDITS) {
            this.abort('changed');
            return;
          }
          this.dirty = true;
          continue;
        }
        this.dirty = true;
      }
      this.show();
      if (!next) this.markRendered(this.plannedUpTo);
    }
  }

  /** Everything received up to `upTo` is in the document (or held back by the filter). */
  private markRendered(upTo: number): void {
    if (upTo <= this.rendered) return;
    this.rendered = upTo;
    this.probe?.applied?.(upTo, performance.now());
  }

  protected async apply(edit: PlannedEdit, undo: 'join' | 'step'): Promise<boolean> {
    this.planned = edit;
    const sent = performance.now();
    const ok = await this.writer.replace(edit.replacement, undo);
    if (ok && this.planned === edit) {
      // Applied, but its change event has not reached the extension host yet (it can come after
      // the edit's answer): the document does not hold the text until it does.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ECHO_WAIT_MS);
        this.echoSeen = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.echoSeen = undefined;
    }
    this.probe?.edit?.(performance.now() - sent, ok, this.planned !== edit);
    if (this.planned === edit) {
      // Refused: nothing changed. Applied but its event never came: taken as applied.
      this.planned = undefined;
      this.writer.forgetExpected();
      if (ok) edit.applied();
    }
    return ok;
  }

  /**
   * Shows the session's decorations. While it streams, at most every SHOW_INTERVAL_MS: each
   * update is a message the window handles before the next edit, and between updates the
   * decorations grow with the streamed text by themselves.
   */
  protected show(force = false): void {
    const now = performance.now();
    if (!force && this.stateValue === 'streaming' && now - this.shownAt < SHOW_INTERVAL_MS) return;
    this.shownAt = now;
    this.decorations.show(this.writer.editors(), this.stateValue === 'done' ? EMPTY_LOOK : this.look(), this.stateValue !== 'streaming');
  }

  private freeze(): void {
    // In review before the stream is told to stop, so its end does not reject what arrived.
    this.stateValue = 'review';
    this.freezeStream();
    this.stopStream();
  }

  /** Settles every undecided hunk with `accepted` and ends the session. */
  protected async settle(accepted: (hunk: number) => boolean, reason?: SessionOutcome['reason']): Promise<void> {
    if (this.stateValue === 'done' || this.settling || this.settleRequested) return;
    // Stopping the stream reports its end, which must not settle the session a second way.
    this.settleRequested = true;
    if (this.stateValue === 'streaming') {
      this.stopStream();
      this.finishText();
      this.stateValue = 'review';
      this.render();
    }
    await this.idle();
    if ((this.stateValue as SessionState) === 'done' || this.settling) return;
    this.settling = true;
    // Each edit is recomputed and tried again if the user's typing got in first.
    for (let tries = 0; tries < 5; tries++) {
      const restore = this.restorePlan();
      if (!restore || (await this.apply(restore, 'join'))) break;
    }
    let counts = { accepted: 0, rejected: 0 };
    for (let tries = 0; tries < 5; tries++) {
      const { edit, ...settled } = this.changePlan(accepted);
      counts = settled;
      if (!edit || (await this.apply(edit, 'step'))) break;
    }
    this.close({ ...counts, reason });
  }

  protected close(outcome: SessionOutcome): void {
    if (this.endedAlready) return;
    this.endedAlready = true;
    this.stateValue = 'done';
    this.decorations.show(this.writer.editors(), EMPTY_LOOK);
    this.changed.fire();
    this.ended.fire(outcome);
    this.changed.dispose();
    this.ended.dispose();
    this.receiving.dispose();
  }
}
