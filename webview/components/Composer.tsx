// The input: multiline, Enter sends and Shift+Enter adds a line, `@` opens a workspace file picker,
// attachments show as chips, and Send turns into Stop while an answer streams.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attachment } from '../../src/protocol/webviewMessages';
import { chat, send, stop } from '../chat/controller';
import { invoke } from '../ipc';
import { addAttachment, removeAttachment, session, setDraft } from '../session/session';
import { useStore } from '../state/store';
import { TextArea, type InputElement } from './fields';
import { FilePicker } from './FilePicker';

type TextAreaElement = InputElement;

export function Composer() {
  const draft = useStore(session, (s) => s.draft);
  const attachments = useStore(session, (s) => s.attachments);
  const focusTick = useStore(session, (s) => s.focusTick);
  const hasModel = useStore(session, (s) => !!s.settings?.model);
  const streaming = useStore(chat, (s) => s.streaming !== null);
  const stopping = useStore(chat, (s) => s.stopping);
  const input = useRef<TextAreaElement>(null);
  const [picker, setPicker] = useState<{ at: number } | null>(null);

  useEffect(() => {
    if (focusTick > 0) input.current?.focus();
  }, [focusTick]);

  const submit = () => {
    if (send(input.current?.value ?? draft)) input.current?.focus();
  };

  const pick = async (path: string | null) => {
    const at = picker?.at;
    setPicker(null);
    input.current?.focus();
    if (path === null || at === undefined) return;
    const text = input.current?.value ?? draft;
    // The `@` that opened the picker is replaced by the chip.
    if (text[at] === '@') setDraft(text.slice(0, at) + text.slice(at + 1));
    try {
      addAttachment(await invoke<Attachment>('read_attachment', { path }));
    } catch (error) {
      addAttachment({ kind: 'file', path, content: `(could not read: ${(error as Error).message})` });
    }
  };

  return (
    <div class="composer">
      {attachments.length > 0 && (
        <div class="chips" aria-label="Attached context">
          {attachments.map((a, i) => (
            <span class="chip" key={`${a.path}:${a.startLine ?? ''}`} title={`${a.path}${a.startLine !== undefined ? `:${a.startLine}-${a.endLine}` : ''}`}>
              <span class={`codicon codicon-${a.kind === 'selection' ? 'selection' : 'file'}`} aria-hidden="true" />
              {a.path}
              {a.startLine !== undefined && `:${a.startLine}-${a.endLine ?? a.startLine}`}
              <button class="chip-remove" aria-label={`Remove ${a.path}`} onClick={() => removeAttachment(i)}>
                <span class="codicon codicon-close" />
              </button>
            </span>
          ))}
        </div>
      )}
      {picker && <FilePicker onPick={pick} />}
      <div class="composer-row">
        <TextArea
          inputRef={input}
          label="Message"

          class="composer-input"
          rows={3}
          resize="vertical"
          placeholder={hasModel ? 'Ask Prototyper… (@ attaches a file)' : 'Pick a model in the header to start'}
          value={draft}
          onInput={(e) => {
            const el = e.currentTarget as TextAreaElement;
            const value = el.value;
            setDraft(value);
            const caret = el.control?.selectionStart ?? value.length;
            const typed = (e as InputEvent).data;
            if (typed === '@' && (caret < 2 || /\s/.test(value[caret - 2]))) setPicker({ at: caret - 1 });
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              if (!streaming) submit();
            }
          }}
        />
        <div class="composer-buttons">
          <vscode-button appearance="icon" title="Attach a file (@)" aria-label="Attach a file" onClick={() => setPicker({ at: -1 })}>
            <span class="codicon codicon-mention" />
          </vscode-button>
          {streaming ? (
            <vscode-button appearance="secondary" class="stop-button" disabled={stopping} onClick={() => stop()}>
              <span slot="start" class="codicon codicon-debug-stop" /> {stopping ? 'Stopping…' : 'Stop'}
            </vscode-button>
          ) : (
            <vscode-button appearance="primary" class="send-button" disabled={!hasModel || (!draft.trim() && attachments.length === 0)} onClick={submit}>
              <span slot="start" class="codicon codicon-send" /> Send
            </vscode-button>
          )}
        </div>
      </div>
    </div>
  );
}
