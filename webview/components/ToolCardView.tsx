// A tool call as a card: running / succeeded / failed / interrupted, what it was called with, and
// its output folded away. File writes link to VS Code's diff of the change.
import { invoke } from '../ipc';
import type { ToolCard } from '../chat/types';

const STATUS: Record<ToolCard['status'], { icon: string; label: string }> = {
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

export function ToolCardView({ card }: { card: ToolCard }) {
  const status = STATUS[card.status];
  const path = card.path ?? (typeof card.args.path === 'string' ? card.args.path : undefined);
  const isWrite = FILE_WRITERS.has(card.tool) && !!path;
  const isBash = card.tool === 'bash' || card.tool === 'run_shell_command';
  const summary = toolSummary(card.tool, card.args);
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
        ) : (
          !isBash && summary && <span class="tool-summary" title={summary}>{summary}</span>
        )}
        <span class="tool-status">{status.label}</span>
      </div>
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
