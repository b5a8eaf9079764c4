// The empty chat says where things stand and offers the next step: the sidecar is down (restart),
// the provider cannot be reached (the cause, the fix, Retry), it needs a key (Set API Key), Ollama
// has no models (pull one, with progress), or all is ready (what to try). A new project needs no
// model until it is tailored, so New Project is offered in every state but the first connect.
import { providerName } from '../session/hints';
import { readiness, refreshModels, runPrototyperCommand, session, setApiKey } from '../session/session';
import { useStore } from '../state/store';
import { ErrorCard } from './ErrorCard';
import { formatContext } from './ModelPicker';
import { NewProjectButton } from './NewProjectButton';
import { PullPanel } from './PullPanel';
import { RichText } from './RichText';

export function Welcome() {
  const state = useStore(session, (s) => s);
  const ready = readiness(state);
  const provider = state.settings?.provider ?? 'ollama';
  return (
    <div class={`welcome welcome-${ready.kind}`}>
      <span class="codicon codicon-sparkle welcome-icon" aria-hidden="true" />
      <h2>Prototyper</h2>
      {ready.kind === 'starting' && (
        <p class="welcome-status" role="status">
          <span class="codicon codicon-loading codicon-modifier-spin" aria-hidden="true" /> Connecting to {providerName(provider)}…
        </p>
      )}
      {ready.kind === 'sidecar' && (
        <div class="welcome-problem">
          <ErrorCard message={`The Prototyper backend has ${ready.state}${ready.message ? `: ${ready.message}` : '.'}`} role="status" />
          <div class="prompt-actions">
            <vscode-button appearance="primary" onClick={() => runPrototyperCommand('prototyper.restartSidecar')}>Restart Sidecar</vscode-button>
            <vscode-button appearance="secondary" onClick={() => runPrototyperCommand('prototyper.showSidecarOutput')}>Show Output</vscode-button>
          </div>
        </div>
      )}
      {ready.kind === 'needsKey' && (
        <div class="welcome-problem" role="status">
          <p>{providerName(ready.provider)} needs an API key. It is kept in VS Code's Secret Storage and never shown to the chat.</p>
          <div class="prompt-actions">
            <vscode-button appearance="primary" onClick={() => setApiKey()}>Set API Key</vscode-button>
          </div>
          <p class="muted">
            <RichText text="Or switch provider in the model picker below, or change prototyper.provider." />
          </p>
        </div>
      )}
      {ready.kind === 'unreachable' && (
        <div class="welcome-problem">
          <ErrorCard message={ready.message} code={ready.code} role="status" onRetry={() => void refreshModels()} />
        </div>
      )}
      {ready.kind === 'noModels' &&
        (ready.provider === 'ollama' ? (
          <div class="welcome-problem">
            <p role="status">
              Ollama is running at <code>{state.settings?.ollamaHost}</code> but has no models yet. Pull one to start; tools need a model that has them.
            </p>
            <PullPanel inline />
          </div>
        ) : (
          <p class="welcome-status" role="status">
            {providerName(ready.provider)} answered with no models. Check the server, then{' '}
            <button type="button" class="link-button" onClick={() => void refreshModels()}>
              refresh the list
            </button>
            .
          </p>
        ))}
      {ready.kind === 'ready' && <ReadyText />}
      {ready.kind !== 'starting' && <NewProjectButton />}
    </div>
  );
}

function ReadyText() {
  const model = useStore(session, (s) => s.models.find((m) => m.id === s.settings?.model));
  return (
    <>
      <p>Ask about your code, or ask the agent to change it. Type @ to attach a file; "Add Selection to Chat" in the editor attaches a selection.</p>
      {model && (
        <p class="muted">
          Using <code>{model.label}</code>
          {model.contextLength ? ` (${formatContext(model.contextLength)})` : ''}.
        </p>
      )}
      <p class="welcome-keys">Enter sends · Shift+Enter adds a line · Escape stops</p>
    </>
  );
}
