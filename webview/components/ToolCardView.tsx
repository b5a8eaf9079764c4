// A tool call as a card: forming (the model is still writing it: its arguments fill in live) /
// running / succeeded / failed / interrupted, what it was called with, and its output folded away.
// File writes link to VS Code's diff of the change.
import { Allow, parse } from 'partial-json';
import { invoke } from '../ipc';
import type { ToolCard } from '../chat/types';

const STATUS: Record<ToolCard['status'], { icon: string; label: string }> = {
  forming: { icon: 'loading codicon-modifier-spin', label: 'Writing…' },
  running: { icon: 'loading codicon-modifier-spin', label: 'Running' },
  awaiting_permission: { icon: 'shield', label: 'Waiting for permission' },
  succeeded: { icon: 'check', label: 'Done' },
  failed: { icon: 'error', label: 'Failed' },
  interrupted: { icon: 'circle-slash', label: 'Interrupted' },
};

const FILE_WRITERS = new Set(['write_file', 'edit_file']);

/** One line saying what the tool was asked to do. */
export function toolSummary(tool: string, args: Record<string, unknown>): string {
  const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
  if (tool === 'bash' || tool === 'run_shell_command') return str(args.command);
  if (typeof args.path === 'string') return args.path;
  // The agent's questions: their title or question reads better than their arguments.
  if (tool === 'ask_user_form' && typeof args.title === 'string') return args.title;
  if (tool === 'ask_user' && typeof args.question === 'string') return args.question;
  if ((tool === 'glob' || tool === 'grep') && typeof args.pattern === 'string') return args.pattern;
  const json = JSON.stringify(args);
  return json === '{}' ? '' : json;
}

/** The arguments as far as their JSON text arrived (a half-written string counts as written so far). */
export function partialArgs(text: string | undefined): Record<string, unknown> {
  if (!text?.trim()) return {};
  try {
    const value: unknown = parse(text, Allow.ALL);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The arguments while they form, one `key: value` a line, strings as written, the newest end shown. */
export function liveArgsText(args: Record<string, unknown>, limit = 2000): string {
  const text = Object.entries(args)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('\n');
  return text.length > limit ? `…${text.slice(text.length - limit)}` : text;
}

export function ToolCardView({ card }: { card: ToolCard }) {
  const status = STATUS[card.status];
  // A call cut off while forming keeps what its arguments had become.
  const forming = card.status === 'forming' || (Object.keys(card.args).length === 0 && !!card.argsText);
  const args = forming ? partialArgs(card.argsText) : card.args;
  const path = card.path ?? (typeof args.path === 'string' ? args.path : undefined);
  const isWrite = FILE_WRITERS.has(card.tool) && !!path && !forming;
  const isBash = card.tool === 'bash' || card.tool === 'run_shell_command';
  const summary = toolSummary(card.tool, args);
  const live = forming ? liveArgsText(args) : '';
  const output = card.output ?? '';
  return (
    <div class={`tool-card status-${card.status}`} data-tool-id={card.id} role="group" aria-label={`${card.tool}: ${status.label}`}>
      <div class="tool-head">
        <span class={`codicon codicon-${status.icon}`} aria-hidden="true" />
        <span class="tool-name">{card.tool}</span>
        {isWrite ? (
          <a
            class="tool-path"
            href="#"
            title="Open the diff of this change"
            onClick={(e) => {
              e.preventDefault();
              void invoke('open_diff', { path, before: card.previousContent ?? '' });
            }}
          >
            {path}
          </a>
        ) : forming && path ? (
          <span class="tool-summary" title={path}>{path}</span>
        ) : (
          !isBash && summary && <span class="tool-summary" title={summary}>{summary}</span>
        )}
        <span class="tool-status">{status.label}</span>
      </div>
      {live && !isBash && (
        <pre class="tool-args-live" aria-live="off">
          {live}
        </pre>
      )}
      {isBash && summary && (
        <pre class="tool-command">
          <span class="prompt-sign">$ </span>
          {summary}
        </pre>
      )}
      {output && (
        <details class="tool-output" open={card.status === 'failed'}>
          <summary>{isBash ? 'Output' : card.status === 'failed' ? 'Error' : 'Result'} ({linesLabel(output)})</summary>
          <pre>{output.length > 20000 ? `${output.slice(0, 20000)}\n… (${output.length - 20000} more characters)` : output}</pre>
        </details>
      )}
    </div>
  );
}

/** "1 line", "12 lines" (a trailing newline ends the last line rather than starting one). */
export function linesLabel(text: string): string {
  const count = text.replace(/\n$/, '').split('\n').length;
  return count === 1 ? '1 line' : `${count.toLocaleString()} lines`;
}
