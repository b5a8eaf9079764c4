// The banner after a failed turn: what went wrong, what to do about it, and Retry.
import { dismissError, regenerate } from '../chat/controller';
import type { ErrorBanner as Banner } from '../chat/types';
import { hintFor } from '../session/hints';
import { refreshModels, session, setApiKey } from '../session/session';
import { useStore } from '../state/store';

export function ErrorBanner({ error }: { error: Banner }) {
  const settings = useStore(session, (s) => s.settings);
  const hint = hintFor(error.message, error.code, settings);
  return (
    <div class="error-banner" role="alert">
      <div class="error-title">
        {/* Stream and invoke errors are already shown in the failed answer; say what to do here. */}
        <span class="codicon codicon-error" aria-hidden="true" /> {error.source === 'host' ? error.message : 'The answer failed.'}
      </div>
      <div class="error-hint">{hint ? hint.text : error.source === 'host' ? '' : 'Retry, or change the model or settings in the header.'}</div>
      <div class="prompt-actions">
        <vscode-button appearance="primary" onClick={() => regenerate()}>
          <span slot="start" class="codicon codicon-refresh" /> Retry
        </vscode-button>
        {hint?.action === 'setApiKey' && (
          <vscode-button appearance="secondary" onClick={() => setApiKey()}>
            Set API Key
          </vscode-button>
        )}
        {hint?.action === 'refreshModels' && (
          <vscode-button appearance="secondary" onClick={() => void refreshModels()}>
            Refresh Models
          </vscode-button>
        )}
        <vscode-button appearance="secondary" onClick={() => dismissError()}>
          Dismiss
        </vscode-button>
      </div>
    </div>
  );
}
