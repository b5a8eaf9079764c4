// The agent asks to run a tool: what exactly will happen (a proposed file change as a diff, a
// reviewed shell command, or the arguments), why, and Accept / Reject / Always Allow with their
// shortcuts on the buttons. Focus moves to the card when it appears, and after an answer to the
// next card waiting or the composer.
import { useEffect, useRef } from 'preact/hooks';
import { answerPermission } from '../chat/controller';
import type { PromptCard } from '../chat/types';
import { ACCEPT_ARIA, ACCEPT_KEYS, focusAfterAnswer, isFirstPending, REJECT_ARIA, REJECT_KEYS } from './keys';
import { CommandReviewView, ProposalView } from './ProposalView';

type Permission = Extract<PromptCard, { kind: 'permission' }>;

const ANSWERED: Record<string, string> = { accepted: 'Accepted', rejected: 'Rejected', always_allowed: `Always allowed` };

/** What exactly will happen when there is no proposal or review: the command, the path, or the arguments. */
function subject(prompt: Permission): { label: string; text: string } {
  const { tool, args } = prompt;
  if ((tool === 'bash' || tool === 'run_shell_command') && typeof args.command === 'string') return { label: 'Command', text: args.command };
  if (typeof args.path === 'string') return { label: tool === 'read_file' ? 'Read' : 'File', text: args.path };
  if (tool === 'generate_image' && typeof args.prompt === 'string') return { label: 'Image', text: args.prompt };
  if (tool === 'web_search' && typeof args.query === 'string') return { label: 'Search', text: args.query };
  return { label: 'Arguments', text: JSON.stringify(args, null, 2) };
}

export function PermissionCard({ prompt }: { prompt: Permission }) {
  const ref = useRef<HTMLDivElement>(null);
  const pending = prompt.status === 'pending';
  useEffect(() => {
    if (pending && isFirstPending(ref.current)) ref.current?.focus();
  }, [pending]);
  const titleId = `perm-title-${prompt.id}`;
  const hasProposal = !!prompt.proposal;
  const answer = (decision: 'accepted' | 'rejected' | 'always_allowed') => {
    void answerPermission(prompt.id, decision, prompt.tool, hasProposal);
    focusAfterAnswer();
  };
  let body;
  if (prompt.proposal) body = <ProposalView proposal={prompt.proposal} permissionId={prompt.id} pending={pending} />;
  else if (prompt.commandReview) body = <CommandReviewView review={prompt.commandReview} />;
  else {
    const { label, text } = subject(prompt);
    body = (
      <div class="permission-subject">
        <span class="subject-label">{label}</span>
        <pre>{text}</pre>
      </div>
    );
  }
  const outcome = prompt.status === 'expired' ? 'No longer waiting for an answer.' : ANSWERED[String(prompt.answer)] ?? 'Answered';
  return (
    <div ref={ref} class={`prompt-card permission-card ${prompt.status}`} tabIndex={-1} role="group" aria-labelledby={titleId} data-prompt-id={prompt.id}>
      <div class="prompt-title" id={titleId}>
        <span class="codicon codicon-shield" aria-hidden="true" />
        <span>
          Allow <code>{prompt.tool}</code>?
        </span>
      </div>
      {body}
      {prompt.reason && <div class="permission-reason">Why: {prompt.reason}</div>}
      {pending ? (
        <div class="prompt-actions">
          <vscode-button appearance="primary" title={`Accept (${ACCEPT_KEYS})`} aria-keyshortcuts={ACCEPT_ARIA} onClick={() => answer('accepted')}>
            Accept <kbd class="button-keys">{ACCEPT_KEYS}</kbd>
          </vscode-button>
          <vscode-button appearance="secondary" title={`Reject (${REJECT_KEYS})`} aria-keyshortcuts={REJECT_ARIA} onClick={() => answer('rejected')}>
            Reject <kbd class="button-keys">{REJECT_KEYS}</kbd>
          </vscode-button>
          <vscode-button appearance="secondary" title={`Allow ${prompt.tool} without asking from now on`} onClick={() => answer('always_allowed')}>
            Always Allow
          </vscode-button>
        </div>
      ) : (
        <div class="prompt-outcome">
          {outcome}
          {prompt.edited && ' (with your edits)'}
        </div>
      )}
    </div>
  );
}
