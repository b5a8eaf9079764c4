// The composer's model picker: a button naming the model, and a popover to switch provider, pick a
// model by its full name with what it can do (tools, thinking, vision, context length), refresh
// the list, or pull a model into Ollama.
import type { Provider } from '../../src/protocol/webviewMessages';
import type { ModelInfo } from '../chat/types';
import { useCallback, useRef, useState } from 'preact/hooks';
import { providerName } from '../session/hints';
import { currentModel, refreshModels, selectModel, selectProvider, session, setApiKey, setPullOpen } from '../session/session';
import { useStore } from '../state/store';
import { ErrorCard } from './ErrorCard';
import { ListBox, Popover } from './Popover';

const PROVIDERS: { value: Provider; label: string }[] = [
  { value: 'ollama', label: 'Ollama' },
  { value: 'openai', label: 'OpenAI' },
  { value: 'anthropic', label: 'Anthropic' },
];

const CAPABILITY_ICONS: Record<string, string> = { tools: 'tools', thinking: 'lightbulb', vision: 'eye' };

export function formatContext(tokens: number | undefined): string {
  if (!tokens) return '';
  return tokens >= 1024 ? `${Math.round(tokens / 1024)}k ctx` : `${tokens} ctx`;
}

/** What a model can do, in words: "tools, thinking · 40k ctx · 8.2B". */
export function modelDetail(m: ModelInfo): string {
  const caps = m.capabilities.filter((c) => c in CAPABILITY_ICONS);
  return [caps.join(', '), formatContext(m.contextLength), m.parameterSize].filter(Boolean).join(' · ');
}

function ModelOption({ model }: { model: ModelInfo }) {
  const caps = model.capabilities.filter((c) => c in CAPABILITY_ICONS);
  return (
    <div class="model-option">
      <span class="model-name">{model.label}</span>
      <span class="model-detail">
        {caps.map((c) => (
          <span key={c} class={`cap cap-${c}`}>
            <span class={`codicon codicon-${CAPABILITY_ICONS[c]}`} aria-hidden="true" /> {c}
          </span>
        ))}
        {model.contextLength && <span class="cap">{formatContext(model.contextLength)}</span>}
        {model.parameterSize && <span class="cap">{model.parameterSize}</span>}
        {model.capabilities.length > 0 && !model.capabilities.includes('tools') && (
          <span class="cap cap-warn" title="Its server says it takes no tools: choose Chat only to talk to it">
            <span class="codicon codicon-warning" aria-hidden="true" /> no tools
          </span>
        )}
      </span>
    </div>
  );
}

export function ModelPicker() {
  const state = useStore(session, (s) => s);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  const { settings, models, modelsLoading, modelsError } = state;
  const provider = settings?.provider ?? 'ollama';
  const model = currentModel(state);
  // Once the provider has answered, a configured model it does not list is not shown as chosen.
  const listed = state.modelsLoadedFor === provider;
  const name = model?.label ?? (listed ? '' : settings?.model ?? '');
  const title = `${providerName(provider)} · ${name || 'no model'}${model ? ` (${modelDetail(model)})` : ''}`;
  const shown = modelsLoading && !name ? 'Loading models…' : name || (listed && models.length === 0 ? 'No models' : 'Pick a model');
  return (
    <>
      <button
        ref={button}
        type="button"
        class="picker-button model-picker"
        value={settings?.model ?? ''}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-label={`Model: ${shown} (${providerName(provider)}). Change model`}
        title={title}
        onClick={() => setOpen(!open)}
      >
        <span class="picker-text">{shown}</span>
        <span class="codicon codicon-chevron-down" aria-hidden="true" />
      </button>
      {open && (
        <Popover label="Choose a model" trigger={button} onClose={close} class="model-popover">
          <div class="popover-row" role="radiogroup" aria-label="Provider">
            {PROVIDERS.map((p) => (
              <button
                key={p.value}
                type="button"
                role="radio"
                aria-checked={provider === p.value}
                class={`segment${provider === p.value ? ' on' : ''}`}
                onClick={() => void selectProvider(p.value)}
              >
                {p.label}
              </button>
            ))}
            <span class="header-spacer" />
            <button type="button" class="icon-button" aria-label="Refresh models" title="Refresh models" onClick={() => void refreshModels()}>
              <span class={`codicon codicon-refresh${modelsLoading ? ' codicon-modifier-spin' : ''}`} aria-hidden="true" />
            </button>
          </div>
          {provider !== 'ollama' && settings && !settings.hasApiKey[provider] ? (
            <div class="popover-note">
              {providerName(provider)} needs an API key.{' '}
              <vscode-button appearance="primary" onClick={() => setApiKey()}>Set API Key</vscode-button>
            </div>
          ) : modelsError ? (
            <ErrorCard message={modelsError.message} code={modelsError.code} role="status" onRetry={() => void refreshModels()} />
          ) : models.length === 0 ? (
            <div class="popover-note">{modelsLoading ? 'Loading models…' : `${providerName(provider)} lists no models.`}</div>
          ) : (
            <ListBox
              id="model-list"
              label={`${providerName(provider)} models`}
              options={models.map((m) => ({ value: m.id, text: m.label, content: <ModelOption model={m} /> }))}
              selected={settings?.model}
              autoFocus
              onPick={(id) => {
                void selectModel(id);
                close();
                button.current?.focus();
              }}
            />
          )}
          {provider === 'ollama' && (
            <div class="popover-foot">
              <button type="button" class="link-button" onClick={() => { close(); setPullOpen(true); }}>
                <span class="codicon codicon-cloud-download" aria-hidden="true" /> Pull a model…
              </button>
            </div>
          )}
        </Popover>
      )}
    </>
  );
}
