// How much the agent may do without asking, as one choice in the composer: chat only (no tools),
// ask every time, read without asking, or run everything without asking.
import type { ToolPermissionMode } from '../../src/protocol/webviewMessages';
import { useCallback, useRef, useState } from 'preact/hooks';
import { session, setPermissionMode, setToolsEnabled } from '../session/session';
import { useStore } from '../state/store';
import { ListBox, Popover } from './Popover';

type Mode = ToolPermissionMode | 'chat';

const MODES: { value: Mode; short: string; label: string; detail: string; icon: string }[] = [
  { value: 'chat', short: 'Chat', label: 'Chat only', detail: 'No tools: the model answers from what you send it.', icon: 'comment-discussion' },
  { value: 'ask_every_time', short: 'Ask', label: 'Ask every time', detail: 'The agent asks before each tool call, unless the tool is allowlisted.', icon: 'shield' },
  { value: 'auto_accept_read_only', short: 'Auto reads', label: 'Auto-accept reads', detail: 'Reads files without asking; asks before it writes or runs anything.', icon: 'eye' },
  { value: 'auto_accept_all', short: 'Auto all', label: 'Auto-accept all', detail: 'Runs every tool without asking. Only where losing changes is fine.', icon: 'warning' },
];

export function ModePicker() {
  const settings = useStore(session, (s) => s.settings);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  const mode: Mode = settings && !settings.toolsEnabled ? 'chat' : settings?.toolPermissionMode ?? 'ask_every_time';
  const current = MODES.find((m) => m.value === mode) ?? MODES[1];
  const pick = (value: string) => {
    const next = value as Mode;
    if (next === 'chat') void setToolsEnabled(false);
    else {
      if (!settings?.toolsEnabled) void setToolsEnabled(true);
      if (next !== settings?.toolPermissionMode) void setPermissionMode(next);
    }
    close();
    button.current?.focus();
  };
  return (
    <>
      <button
        ref={button}
        type="button"
        class={`picker-button mode-picker mode-${current.value}`}
        data-mode={current.value}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-label={`Mode: ${current.short} (${current.label}). Change mode`}
        title={`${current.label}: ${current.detail}`}
        onClick={() => setOpen(!open)}
      >
        <span class={`codicon codicon-${current.icon}`} aria-hidden="true" />
        <span class="picker-text mode-label">{current.short}</span>
        <span class="codicon codicon-chevron-down" aria-hidden="true" />
      </button>
      {open && (
        <Popover label="Choose how the agent works" trigger={button} onClose={close} class="mode-popover">
          <ListBox
            id="mode-list"
            label="Mode"
            selected={mode}
            autoFocus
            onPick={pick}
            options={MODES.map((m) => ({
              value: m.value,
              text: m.label,
              content: (
                <div class="mode-option">
                  <span class="model-name">
                    <span class={`codicon codicon-${m.icon}`} aria-hidden="true" /> {m.label}
                  </span>
                  <span class="model-detail">{m.detail}</span>
                </div>
              ),
            }))}
          />
        </Popover>
      )}
    </>
  );
}
