// Pull an Ollama model without leaving the chat: a name (or one of a few suggestions), Pull, then
// Ollama's progress with a bar and Stop; on success the new model is selected.
import { useEffect, useRef, useState } from 'preact/hooks';
import { clearPull, pull, pullFraction, startPull, stopPull, SUGGESTED_MODELS } from '../session/pull';
import { setPullOpen } from '../session/session';
import { useStore } from '../state/store';
import { ErrorCard } from './ErrorCard';
import { TextField, type InputElement } from './fields';

interface PullPanelProps {
  /** Shown inside the empty state (no close button, no focus grab) rather than above the composer. */
  inline?: boolean;
}

export function PullPanel({ inline = false }: PullPanelProps) {
  const state = useStore(pull, (p) => p);
  const [name, setName] = useState('');
  const field = useRef<InputElement>(null);
  const running = !!state && !state.done && !state.error;
  useEffect(() => {
    if (!inline) field.current?.focus();
  }, [inline]);
  const close = () => {
    clearPull();
    setPullOpen(false);
  };
  const fraction = state ? pullFraction(state) : undefined;
  return (
    <section class={`pull-panel${inline ? ' inline' : ''}`} aria-label="Pull an Ollama model">
      {!inline && (
        <div class="panel-head">
          <span class="codicon codicon-cloud-download" aria-hidden="true" /> Pull a model
          <span class="header-spacer" />
          <button type="button" class="icon-button" aria-label="Close" title="Close" disabled={running} onClick={close}>
            <span class="codicon codicon-close" aria-hidden="true" />
          </button>
        </div>
      )}
      {!running && !state?.done && (
        <form
          class="pull-form"
          onSubmit={(e) => {
            e.preventDefault();
            startPull(name);
          }}
        >
          <TextField inputRef={field} label="Model to pull" placeholder="e.g. qwen3:8b" value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                startPull(name);
              } else if (e.key === 'Escape' && !inline) {
                e.preventDefault();
                close();
              }
            }}
          />
          <vscode-button appearance="primary" disabled={!name.trim()} onClick={() => startPull(name)}>
            Pull
          </vscode-button>
        </form>
      )}
      {!state && (
        <ul class="pull-suggestions" aria-label="Suggested models">
          {SUGGESTED_MODELS.map((m) => (
            <li key={m.name}>
              <button type="button" class="link-button" onClick={() => startPull(m.name)}>
                <code>{m.name}</code>
              </button>{' '}
              <span class="muted">{m.note}</span>
            </li>
          ))}
        </ul>
      )}
      {state && (
        <div class="pull-progress" aria-live="polite">
          <div class="pull-status">
            {state.done ? (
              <>
                <span class="codicon codicon-check" aria-hidden="true" /> {state.model} is ready.
              </>
            ) : state.error ? null : (
              <>
                Pulling <code>{state.model}</code>: {state.status}
                {fraction !== undefined && ` (${Math.floor(fraction * 100)}%)`}
              </>
            )}
          </div>
          {!state.error && (
            <div class="progress-track" role="progressbar" aria-label={`Pulling ${state.model}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={fraction === undefined ? undefined : Math.floor(fraction * 100)}>
              <div class={`progress-fill${fraction === undefined ? ' indeterminate' : ''}`} style={{ width: `${Math.round((fraction ?? 0.3) * 100)}%` }} />
            </div>
          )}
          {state.error && <ErrorCard message={state.error.message} code={state.error.code} title={`Pulling ${state.model} failed.`} onRetry={() => { clearPull(); startPull(state.model); }} />}
          <div class="prompt-actions">
            {running && (
              <vscode-button appearance="secondary" disabled={state.stopping} onClick={() => stopPull()}>
                {state.stopping ? 'Stopping…' : 'Stop'}
              </vscode-button>
            )}
            {(state.done || state.error) && (
              <vscode-button appearance="secondary" onClick={close}>
                {state.done ? 'Done' : 'Close'}
              </vscode-button>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
