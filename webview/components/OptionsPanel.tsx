// The composer's options: Thinking (a toggle in the toolbar when the model can think, with its
// level for gpt-oss and Claude), and a popover with the preset, the common model options, and
// saving the current options as a new preset.
import { useCallback, useRef, useState } from 'preact/hooks';
import type { ModelOptions } from '../chat/types';
import { canThink, currentModel, saveCurrentAsPreset, selectPreset, session, setOption, setThink, setThinkLevel, takesThinkLevel, THINK_LEVELS, type ThinkLevel } from '../session/session';
import { useStore } from '../state/store';
import { TextField } from './fields';
import { Popover } from './Popover';

const FIELDS: { key: keyof ModelOptions; label: string; step: string }[] = [
  { key: 'temperature', label: 'Temperature', step: '0.1' },
  { key: 'topP', label: 'Top P', step: '0.05' },
  { key: 'topK', label: 'Top K', step: '1' },
  { key: 'numCtx', label: 'Context (numCtx)', step: '1024' },
  { key: 'numPredict', label: 'Max tokens', step: '128' },
  { key: 'seed', label: 'Seed', step: '1' },
];

/** The lightbulb in the toolbar: Thinking on or off, for models that can think. */
export function ThinkToggle() {
  const thinkable = useStore(session, (s) => canThink(s));
  const think = useStore(session, (s) => s.think);
  const gptOss = useStore(session, (s) => currentModel(s)?.family === 'gptoss');
  if (!thinkable) return null;
  const title = think ? 'Thinking: on' : gptOss ? 'Thinking: low (gpt-oss always reasons)' : 'Thinking: off';
  return (
    <button type="button" class={`icon-button think-toggle${think ? ' on' : ''}`} aria-pressed={think} aria-label="Thinking" title={title} onClick={() => setThink(!think)}>
      <span class={`codicon codicon-${think ? 'lightbulb-sparkle' : 'lightbulb'}`} aria-hidden="true" />
    </button>
  );
}

export function OptionsButton() {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  const presetName = useStore(session, (s) => s.presets.find((p) => p.id === s.presetId)?.name ?? 'Default options');
  return (
    <>
      <button ref={button} type="button" class="icon-button options-button" aria-haspopup="dialog" aria-expanded={open} aria-label={`Options: ${presetName}`} title={`Options: ${presetName}`} onClick={() => setOpen(!open)}>
        <span class="codicon codicon-settings" aria-hidden="true" />
      </button>
      {open && (
        <Popover label="Model options" trigger={button} onClose={close} class="options-popover">
          <OptionsPanel />
        </Popover>
      )}
    </>
  );
}

export function OptionsPanel() {
  const state = useStore(session, (s) => s);
  const { presets, presetId, options } = state;
  const thinkable = canThink(state);
  const leveled = takesThinkLevel(state);
  const [name, setName] = useState('');
  const [status, setStatus] = useState('');
  return (
    <div class="options-body">
      {thinkable && (
        <div class="options-think">
          <vscode-checkbox checked={state.think} onChange={(e) => setThink((e.currentTarget as HTMLInputElement).checked)}>
            Thinking
          </vscode-checkbox>
          {leveled && (
            <select
              class="select think-level-picker"
              aria-label="Thinking level"
              title={currentModel(state)?.family === 'gptoss' ? 'gpt-oss always reasons; with Thinking off it uses low' : 'How much Claude may think before answering'}
              value={state.thinkLevel}
              disabled={!state.think}
              onChange={(e) => setThinkLevel((e.currentTarget as HTMLSelectElement).value as ThinkLevel)}
            >
              {THINK_LEVELS.map((level) => (
                <option key={level} value={level}>
                  {level[0].toUpperCase() + level.slice(1)}
                </option>
              ))}
            </select>
          )}
        </div>
      )}
      <label class="option-field">
        <span>Preset</span>
        {/* Native selects: their lists open outside the popover, which would clip the toolkit's. */}
        <select class="select preset-picker" value={presetId ?? ''} onChange={(e) => selectPreset((e.currentTarget as HTMLSelectElement).value || null)}>
          <option value="">Default options</option>
          {presets.map((p) => (
            <option key={p.id} value={p.id} title={p.description}>
              {p.name}
              {p.builtIn ? '' : ' (mine)'}
            </option>
          ))}
        </select>
      </label>
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
          Save as preset
        </vscode-button>
        <span class="code-note" aria-live="polite">{status}</span>
      </div>
    </div>
  );
}
