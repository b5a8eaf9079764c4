// What a permission card shows before the user decides: a proposed file change as a compact
// inline diff (added and removed lines, collapsed context, line counts) with "Open in diff editor",
// and a bash command with its working directory and what it will do that needs care. Large
// proposals show a summary instead of a diff, so the card never stalls the chat.
import { invoke } from '../ipc';
import type { CommandReview, Proposal } from '../chat/types';

/** The card renders at most this many diff lines; the diff editor shows the rest. */
export const MAX_RENDERED_LINES = 300;

const NOTE_ICONS: Record<string, string> = {
  redirection: 'output',
  deletion: 'trash',
  substitution: 'symbol-function',
  privilege: 'shield',
  remote_code: 'cloud-download',
  git: 'git-commit',
  unparsed: 'question',
};

function describeSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function lines(text: string): number {
  if (!text) return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

export function ProposalView({ proposal, permissionId, pending }: { proposal: Proposal; permissionId: string; pending: boolean }) {
  const diff = proposal.diff;
  const isNew = proposal.previousContent === null;
  let summary: string;
  if (proposal.previousBinary) summary = `replaces a binary file with ${lines(proposal.content)} lines of text`;
  else if (diff) summary = isNew ? `new file, ${count(diff.added, 'line')}` : `+${diff.added} −${diff.removed} lines`;
  else summary = `large change: ${describeSize(proposal.content.length)}${isNew ? ', new file' : ''}; open it in the diff editor to review it`;
  let budget = MAX_RENDERED_LINES;
  let hidden = 0;
  const hunks = (diff?.hunks ?? []).map((hunk) => {
    const shown = hunk.lines.slice(0, Math.max(0, budget));
    hidden += hunk.lines.length - shown.length;
    budget -= shown.length;
    return { ...hunk, shown };
  });
  const canOpen = pending && (proposal.content !== '' || isNew);
  return (
    <div class="proposal">
      <div class="proposal-head">
        <span class="codicon codicon-file" aria-hidden="true" />
        <span class="proposal-path">{proposal.path}</span>
        <span class={`proposal-summary${diff ? ' counts' : ''}`}>{summary}</span>
        {canOpen && (
          <a
            href="#"
            class="proposal-open"
            title="VS Code's diff of the current text against the proposal; you can edit the proposal there before accepting"
            onClick={(e) => {
              e.preventDefault();
              void invoke('open_proposal', { permissionId, path: proposal.path, content: proposal.content }).catch(() => {});
            }}
          >
            Open in diff editor
          </a>
        )}
      </div>
      {hunks.length > 0 && (
        <div class="proposal-diff" role="group" aria-label={`Proposed change to ${proposal.path}`}>
          {hunks.map((hunk, h) =>
            hunk.shown.length === 0 ? null : (
              <div class="diff-hunk" key={h}>
                {h > 0 && <div class="diff-gap" aria-hidden="true">⋯</div>}
                {hunk.shown.map((line, i) => {
                  const sign = line[0];
                  const kind = sign === '+' ? 'add' : sign === '-' ? 'del' : 'ctx';
                  return (
                    <div class={`diff-line ${kind}`} key={i}>
                      <span class="diff-sign" aria-hidden="true">
                        {sign === ' ' ? ' ' : sign}
                      </span>
                      {kind !== 'ctx' && <span class="visually-hidden">{kind === 'add' ? 'added: ' : 'removed: '}</span>}
                      <span class="diff-text">{line.slice(1)}</span>
                    </div>
                  );
                })}
              </div>
            ),
          )}
          {(hidden > 0 || diff?.truncated) && <div class="diff-more">… more lines: open the diff editor to see the whole change</div>}
        </div>
      )}
      {diff && diff.hunks.length === 0 && <div class="diff-more">No line changes (the file already has this content).</div>}
    </div>
  );
}

export function CommandReviewView({ review }: { review: CommandReview }) {
  return (
    <div class="command-review">
      <pre class="tool-command">
        <span class="prompt-sign">$ </span>
        {review.command}
      </pre>
      <div class="command-cwd">
        in <code>{review.cwd === '.' ? 'the workspace root' : review.cwd}</code>
      </div>
      {review.notes.length > 0 ? (
        <ul class="command-notes" aria-label="Needs care">
          {review.notes.map((note, i) => (
            <li class={`command-note ${note.kind}`} key={i}>
              <span class={`codicon codicon-${NOTE_ICONS[note.kind] ?? 'warning'}`} aria-hidden="true" /> {note.text}
            </li>
          ))}
        </ul>
      ) : (
        <div class="command-clear">No redirections into files, deletions or command substitutions.</div>
      )}
    </div>
  );
}
