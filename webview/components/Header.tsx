// The header: provider and model (with capability badges and context length), preset and options,
// thinking, tools, permission mode, new chat and history; plus backend and provider problems.
import type { Provider, ToolPermissionMode } from '../../src/protocol/webviewMessages';
import type { ModelInfo } from '../chat/types';
import { newChat } from '../chat/controller';
import { hintFor } from '../session/hints';
import { alwaysThinks, canThink, currentModel, openHistory, refreshModels, selectModel, selectProvider, session, setApiKey, setPermissionMode, setThink, setThinkLevel, setToolsEnabled, takesThinkLevel, THINK_LEVELS, type ThinkLevel } from '../session/session';
import { useStore } from '../state/store';
import { OptionsPanel } from './OptionsPanel';

const valueOf = (e: Event) => (e.currentTarget as HTMLSelectElement).value;

const MODES: { value: ToolPermissionMode; label: string }[] = [
  { value: 'ask_every_time', label: 'Ask every time' },
  { value: 'auto_accept_read_only', label: 'Auto-accept reads' },
  { value: 'auto_accept_all', label: 'Auto-accept all' },
];

export function formatContext(tokens: number | undefined): string {
  if (!tokens) return '';
  return tokens >= 1024 ? `${Math.round(tokens / 1024)}k ctx` : `${tokens} ctx`;
}

/** A model in the list: its name, then what it can do and its context, so the choice is informed. */
function optionLabel(m: ModelInfo): string {
  const caps = m.capabilities.filter((c) => c === 'tools' || c === 'thinking' || c === 'vision');
  const extra = [caps.join(' '), formatContext(m.contextLength)].filter(Boolean).join(' · ');
  return extra ? `${m.label}  (${extra})` : m.label;
}

export function Header() {
  const state = useStore(session, (s) => s);
  const { settings, models, modelsError, modelsLoading, sidecar, historyOpen } = state;
  const model = currentModel(state);
  const thinkable = canThink(state);
  const leveled = takesThinkLevel(state);
  const hint = modelsError ? hintFor(modelsError.message, modelsError.code, settings) : null;
  return (
    <header class="header">
      <div class="header-row">
        <vscode-dropdown class="provider-picker" aria-label="Provider" value={settings?.provider ?? 'ollama'} onChange={(e) => void selectProvider(valueOf(e) as Provider)}>
          <vscode-option value="ollama">Ollama</vscode-option>
          <vscode-option value="openai">OpenAI</vscode-option>
          <vscode-option value="anthropic">Anthropic</vscode-option>
        </vscode-dropdown>
        <vscode-dropdown class="model-picker" aria-label="Model" value={settings?.model ?? ''} disabled={models.length === 0} onChange={(e) => void selectModel(valueOf(e))}>
          {models.length === 0 && <vscode-option value={settings?.model ?? ''}>{modelsLoading ? 'Loading models…' : settings?.model || 'No models'}</vscode-option>}
          {models.map((m) => (
            <vscode-option key={m.id} value={m.id} title={[m.capabilities.join(', '), formatContext(m.contextLength)].filter(Boolean).join(' · ')}>
              {optionLabel(m)}
            </vscode-option>
          ))}
        </vscode-dropdown>
        <vscode-button appearance="icon" title="Refresh models" aria-label="Refresh models" onClick={() => void refreshModels()}>
          <span class="codicon codicon-refresh" />
        </vscode-button>
        <span class="header-spacer" />
        <vscode-button appearance="icon" title="New chat" aria-label="New chat" onClick={() => newChat()}>
          <span class="codicon codicon-add" />
        </vscode-button>
        <vscode-button appearance="icon" title="Chat history" aria-label="Chat history" aria-pressed={historyOpen} onClick={() => void openHistory(!historyOpen)}>
          <span class="codicon codicon-history" />
        </vscode-button>
      </div>
      {model && (
        <div class="header-row badges" aria-label="Model capabilities">
          {model.capabilities.filter((c) => ['tools', 'thinking', 'vision'].includes(c)).map((c) => (
            <span class={`badge badge-${c}`} key={c}>
              <span class={`codicon codicon-${c === 'tools' ? 'tools' : c === 'thinking' ? 'lightbulb' : 'eye'}`} aria-hidden="true" /> {c}
            </span>
          ))}
          {model.contextLength && <span class="badge badge-ctx">{formatContext(model.contextLength)}</span>}
          {model.parameterSize && <span class="badge">{model.parameterSize}</span>}
          {model.capabilities.length > 0 && !model.capabilities.includes('tools') && <span class="badge badge-warn" title="Turn tools off to chat with this model">no tools</span>}
        </div>
      )}
      <div class="header-row toggles">
        <OptionsPanel />
        {thinkable && (
          <vscode-checkbox checked={state.think} onChange={(e) => setThink((e.currentTarget as HTMLInputElement).checked)}>
            Thinking
          </vscode-checkbox>
        )}
        {leveled && (
          <vscode-dropdown
            class="think-level-picker"
            aria-label="Thinking level"
            title={alwaysThinks(state) ? 'This model always reasons; with Thinking off it uses low' : 'How much the model may think before answering'}
            value={state.thinkLevel}
            disabled={!state.think}
            onChange={(e) => setThinkLevel(valueOf(e) as ThinkLevel)}
          >
            {THINK_LEVELS.map((level) => (
              <vscode-option key={level} value={level}>
                {level[0].toUpperCase() + level.slice(1)}
              </vscode-option>
            ))}
          </vscode-dropdown>
        )}
        <vscode-checkbox checked={settings?.toolsEnabled ?? true} onChange={(e) => void setToolsEnabled((e.currentTarget as HTMLInputElement).checked)}>
          Tools
        </vscode-checkbox>
        <vscode-dropdown class="mode-picker" aria-label="Tool permission mode" value={settings?.toolPermissionMode ?? 'ask_every_time'} onChange={(e) => void setPermissionMode(valueOf(e) as ToolPermissionMode)}>
          {MODES.map((m) => (
            <vscode-option key={m.value} value={m.value}>
              {m.label}
            </vscode-option>
          ))}
        </vscode-dropdown>
      </div>
      {sidecar.state !== 'ready' && sidecar.state !== 'starting' && (
        <div class="header-problem" role="status">
          <span class="codicon codicon-warning" aria-hidden="true" /> Backend {sidecar.state}
          {sidecar.message ? `: ${sidecar.message}` : ''}
        </div>
      )}
      {modelsError && (
        <div class="header-problem" role="alert">
          <span class="codicon codicon-error" aria-hidden="true" /> {modelsError.message}
          {hint && <div class="error-hint">{hint.text}</div>}
          <span class="prompt-actions">
            <vscode-button appearance="secondary" onClick={() => void refreshModels()}>Retry</vscode-button>
            {hint?.action === 'setApiKey' && <vscode-button appearance="secondary" onClick={() => setApiKey()}>Set API Key</vscode-button>}
          </span>
        </div>
      )}
    </header>
  );
}
