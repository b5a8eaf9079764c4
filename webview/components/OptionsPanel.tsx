// Presets and model options: pick a built-in or saved preset, adjust the common options, and save
// the current options as a new preset.
import { useState } from 'preact/hooks';
import type { ModelOptions } from '../chat/types';
import { saveCurrentAsPreset, selectPreset, session, setOption } from '../session/session';
import { useStore } from '../state/store';
import { TextField } from './fields';

const FIELDS: { key: keyof ModelOptions; label: string; step: string }[] = [
  { key: 'temperature', label: 'Temperature', step: '0.1' },
  { key: 'topP', label: 'Top P', step: '0.05' },
  { key: 'topK', label: 'Top K', step: '1' },
  { key: 'numCtx', label: 'Context (numCtx)', step: '1024' },
  { key: 'numPredict', label: 'Max tokens', step: '128' },
  { key: 'seed', label: 'Seed', step: '1' },
];

export function OptionsPanel() {
  const presets = useStore(session, (s) => s.presets);
  const presetId = useStore(session, (s) => s.presetId);
  const options = useStore(session, (s) => s.options);
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');
  return (
    <details class="options-panel">
      <summary title="Preset and model options">
        <span class="codicon codicon-settings" aria-hidden="true" /> {presets.find((p) => p.id === presetId)?.name ?? 'Default options'}
      </summary>
      <div class="options-body">
        <vscode-dropdown aria-label="Preset" value={presetId ?? ''} onChange={(e) => selectPreset((e.currentTarget as HTMLSelectElement).value || null)}>
          <vscode-option value="">Default options</vscode-option>
          {presets.map((p) => (
            <vscode-option key={p.id} value={p.id} title={p.description}>
              {p.name}
              {p.builtIn ? '' : ' (mine)'}
            </vscode-option>
          ))}
        </vscode-dropdown>
        <div class="options-grid">
          {FIELDS.map((f) => (
            <label key={f.key} class="option-field">
              <span>{f.label}</span>
              <TextField
                type="number"
                label={f.label}
                value={options[f.key] === undefined ? '' : String(options[f.key])}
                onChange={(e) => {
                  const raw = (e.currentTarget as HTMLInputElement).value.trim();
                  setOption(f.key, raw === '' ? undefined : Number(raw));
                }}
              />
            </label>
          ))}
        </div>
        <div class="preset-save">
          <TextField placeholder="Preset name" label="New preset name" value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          <vscode-button
            appearance="secondary"
            disabled={!name.trim()}
            onClick={() =>
              saveCurrentAsPreset(name).then(
                () => {
                  setName('');
                  setStatus('Saved');
                },
                (e: Error) => setStatus(`Not saved: ${e.message}`),
              )
            }
          >
            Save current options as a preset
          </vscode-button>
          <span class="code-note" aria-live="polite">{status}</span>
        </div>
      </div>
    </details>
  );
}
