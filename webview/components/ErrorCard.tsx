// The one element a failure gets: what happened, what to do, and the buttons that do it (Retry,
// Set API Key, Open Setting, Pull, Show Output) with a docs link when one helps.
import { type ErrorAction, describeError } from '../session/hints';
import { startPull } from '../session/pull';
import { refreshModels, runPrototyperCommand, session, setApiKey } from '../session/session';
import { useStore } from '../state/store';
import { invoke } from '../ipc';
import { RichText } from './RichText';

interface ErrorCardProps {
  message: string;
  code?: string | number;
  /** What Retry does here; without it no Retry is offered (only the last answer can be retried). */
  onRetry?: () => void;
  /** Extra class names (`message-error` in the transcript). */
  class?: string;
  /** `alert` for a failure the user just caused; `status` for a standing condition. */
  role?: 'alert' | 'status';
  title?: string;
  /** Offers Dismiss (for failures that are not an answer's, which would otherwise stay). */
  onDismiss?: () => void;
}

export function ErrorCard({ message, code, onRetry, class: extra, role = 'alert', title, onDismiss }: ErrorCardProps) {
  const settings = useStore(session, (s) => s.settings);
  const view = describeError(message, code, settings);
  // What must happen first (a key, a model) leads, then Retry where it can be done (only the last
  // answer can be retried), then the rest.
  const first: ErrorAction[] = view.actions.filter((a) => a.kind === 'setApiKey' || a.kind === 'pullModel');
  const rest = view.actions.filter((a) => a.kind !== 'retry' && !first.includes(a));
  const actions: ErrorAction[] = [...first, ...(onRetry ? [{ kind: 'retry' } as const] : []), ...rest];
  return (
    <div class={`error-card${extra ? ` ${extra}` : ''}`} role={role}>
      <div class="error-cause">
        <span class="codicon codicon-error" aria-hidden="true" />
        <span>
          {title && <strong>{title} </strong>}
          <RichText text={view.cause} />
        </span>
      </div>
      {view.fix && (
        <div class="error-fix">
          <RichText text={view.fix} />
        </div>
      )}
      {(actions.length > 0 || view.docs || onDismiss) && (
        <div class="error-actions">
          {actions.map((action, i) => (
            <ActionButton key={i} action={action} primary={i === 0} onRetry={onRetry} />
          ))}
          {view.docs && (
            <a class="error-docs" href={view.docs.url} rel="noopener noreferrer">
              <span class="codicon codicon-link-external" aria-hidden="true" /> {view.docs.label}
            </a>
          )}
          {onDismiss && (
            <vscode-button appearance="secondary" onClick={onDismiss}>
              Dismiss
            </vscode-button>
          )}
        </div>
      )}
    </div>
  );
}

function ActionButton({ action, primary, onRetry }: { action: ErrorAction; primary: boolean; onRetry?: () => void }) {
  const appearance = primary ? 'primary' : 'secondary';
  switch (action.kind) {
    case 'retry':
      return (
        <vscode-button appearance={appearance} onClick={() => onRetry?.()}>
          <span slot="start" class="codicon codicon-refresh" /> Retry
        </vscode-button>
      );
    case 'setApiKey':
      return <vscode-button appearance={appearance} onClick={() => setApiKey()}>Set API Key</vscode-button>;
    case 'refreshModels':
      return <vscode-button appearance={appearance} onClick={() => void refreshModels()}>Refresh Models</vscode-button>;
    case 'openSetting':
      return <vscode-button appearance={appearance} title={`Open the ${action.key} setting`} onClick={() => void invoke('open_setting', { key: action.key })}>{action.label}</vscode-button>;
    case 'showOutput':
      return <vscode-button appearance={appearance} onClick={() => runPrototyperCommand('prototyper.showSidecarOutput')}>Show Output</vscode-button>;
    case 'pullModel':
      return <vscode-button appearance={appearance} onClick={() => startPull(action.model)}>Pull {action.model}</vscode-button>;
  }
}
