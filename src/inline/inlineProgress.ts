// What the user is told about an inline request, as the chat tells it under an answer: a progress
// notification while it streams (its Cancel stops it and leaves the document as it was) and the
// live token count in a status bar item, then in that item time to first token, tokens per second
// and the context window (`num_ctx`), a warning when the prompt was cut, the model's prose when it
// answered in words, and errors that say what to do.
import * as vscode from 'vscode';
import type { InlinePrompt } from '../protocol/generated/InlinePrompt';
import type { InlineResult } from '../protocol/generated/InlineResult';
import type { Usage } from '../protocol/generated/Usage';
import type { InlineSession } from './inlineSession';
import type { InlineEnd } from './inlineStream';

const PROMPT_NAMES: Record<InlinePrompt, string> = { fill_in_middle: 'fill-in-the-middle', instruction: 'instruction' };

export class InlineStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('prototyper.inlineStatus', vscode.StatusBarAlignment.Right, 99);

  constructor() {
    this.item.name = 'Prototyper Inline';
    this.item.command = 'prototyper.inline.showLastRun';
  }

  private details = '';
  private lastText = '';
  /** When the live figures were last shown (-Infinity: the item shows the last run's). */
  private liveShownAt = -Infinity;

  /**
   * Live figures while an answer streams, at most every LIVE_INTERVAL_MS. Here rather than in the
   * progress notification: a notification measures its new message with a synchronous layout of
   * the whole window, a stall every edit on its way to the document waits behind; a status bar
   * item only changes its text.
   */
  streaming(model: string, chars: number, firstMs: number, force = false): void {
    const now = performance.now();
    if (!force && now - this.liveShownAt < LIVE_INTERVAL_MS) return;
    this.liveShownAt = now;
    this.item.text = `$(sparkle) ~${Math.ceil(chars / 4)} tokens · first after ${Math.round(firstMs)} ms`;
    this.item.tooltip = `Prototyper inline — ${model} is writing (Esc stops)`;
    this.item.show();
  }

  /** The figures of the run that just ended. */
  show(model: string, usage: Usage | undefined, result: InlineResult | undefined): void {
    const lines = [`Prototyper inline — ${model}${result ? ` (${PROMPT_NAMES[result.prompt]} prompt)` : ''}`];
    const parts: string[] = [];
    if (usage?.timeToFirstTokenMs !== undefined) parts.push(`${Math.round(usage.timeToFirstTokenMs)} ms`);
    if (usage && usage.tokensPerSecond > 0) parts.push(`${usage.tokensPerSecond.toFixed(1)} tok/s`);
    if (usage?.timeToFirstTokenMs !== undefined) lines.push(`Time to first token: ${Math.round(usage.timeToFirstTokenMs)} ms`);
    if (usage) {
      // "~" where a count is the sidecar's estimate, as under a chat answer; a prompt count the
      // provider did not give is left out rather than shown as 0.
      const about = usage.estimated ? '~' : '';
      const prompt = usage.promptTokens !== undefined ? `; prompt ${usage.promptTokens} tokens` : '';
      lines.push(`${about}${usage.completionTokens} tokens at ${about}${usage.tokensPerSecond.toFixed(1)} tokens/s${prompt}`);
    }
    if (usage?.contextLength) lines.push(`Context window (num_ctx): ${usage.contextLength.toLocaleString('en-US')} tokens`);
    const warned = !!usage?.truncated || !!result?.contextNote;
    if (usage?.truncated) lines.push('⚠ The model did not see the whole prompt: it was cut to fit the context window.');
    if (result?.contextNote) lines.push(result.contextNote);
    this.details = lines.join('\n');
    this.item.text = this.lastText = `${warned ? '$(warning)' : '$(sparkle)'} ${parts.join(' · ') || 'Inline'}`;
    this.item.tooltip = this.details;
    this.liveShownAt = -Infinity;
    this.item.show();
  }

  /** The stream ended without figures (stopped, failed): the item goes back to the last run's. */
  streamEnded(): void {
    if (this.liveShownAt === -Infinity) return;
    this.liveShownAt = -Infinity;
    if (!this.details) return this.item.hide();
    this.item.text = this.lastText;
    this.item.tooltip = this.details;
  }

  showDetails(): void {
    if (this.details) void vscode.window.showInformationMessage(this.details, { modal: true });
  }

  dispose(): void {
    this.item.dispose();
  }
}

const VERBS = { generate: 'Writing code', edit: 'Editing', merge: 'Merging' } as const;
/** The live token count changes at most this often (each change is a message to the window). */
const LIVE_INTERVAL_MS = 250;

/**
 * Shows the progress notification for a running session until its stream ends; Cancel rejects the
 * session. Its message changes once, when the first text arrives; the running token count goes to
 * `status`.
 */
export function streamProgress(session: InlineSession, what: keyof typeof VERBS, file: string, model: string, ended: Promise<InlineEnd>, status: InlineStatus): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Prototyper: ${VERBS[what]} in ${file}`, cancellable: true },
    async (progress, token) => {
      const started = performance.now();
      let first: number | undefined;
      progress.report({ message: `waiting for ${model}…` });
      const cancel = token.onCancellationRequested(() => void session.rejectAll());
      // Live figures from what arrived (the exact ones come with the end).
      const receiving = session.onDidReceive((chars) => {
        if (first === undefined) {
          first = performance.now() - started;
          progress.report({ message: `${model}: first token after ${Math.round(first)} ms — Esc stops` });
          status.streaming(model, chars, first, true);
        } else status.streaming(model, chars, first);
      });
      try {
        await Promise.race([ended, new Promise<void>((resolve) => session.onDidEnd(() => resolve()))]);
      } finally {
        cancel.dispose();
        receiving.dispose();
      }
    },
  );
}

/** After the stream: errors, prose and placement problems, each once. */
export function reportEnd(end: InlineEnd, session: InlineSession, extra?: string): void {
  if (end.kind === 'error') {
    const actions = end.code === 'model_not_found' || /prototyper\.inline\.model|No model selected/.test(end.message) ? ['Select Model'] : [];
    void vscode.window.showErrorMessage(`Prototyper: ${end.message}`, ...actions).then((choice) => {
      if (choice === 'Select Model') void vscode.commands.executeCommand('prototyper.selectModel');
    });
    return;
  }
  if (end.kind === 'stopped') return;
  const notes = [session.prose && `The model wrote: ${clip(session.prose, 600)}`, extra].filter(Boolean);
  if (notes.length > 0) void vscode.window.showInformationMessage(`Prototyper: ${notes.join(' ')}`);
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
