// The input: multiline, Enter sends and Shift+Enter adds a line, `@` opens a workspace file picker,
// images can be pasted, dropped or picked, attachments show as chips, and Send turns into Stop
// while an answer streams.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attachment } from '../../src/protocol/webviewMessages';
import { chat, send, stop } from '../chat/controller';
import { invoke } from '../ipc';
import { IMAGE_TYPES, imageSource } from '../session/images';
import { addAttachment, attachImages, imagesRefusedBy, removeAttachment, session, setDraft } from '../session/session';
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
  const refused = useStore(session, (s) => imagesRefusedBy(s));
  const input = useRef<TextAreaElement>(null);
  const imageInput = useRef<HTMLInputElement>(null);
  const [picker, setPicker] = useState<{ at: number } | null>(null);
  /** What went wrong attaching images, until the message is sent or the notice dismissed. */
  const [problems, setProblems] = useState<string[]>([]);

  const attach = async (files: File[]) => {
    if (files.length === 0) return;
    const found = await attachImages(files);
    // Appended, not replaced: a paste and a drop may finish in either order.
    if (found.length > 0) setProblems((before) => [...new Set([...before, ...found])]);
  };
  const imagesOf = (items: DataTransferItemList | undefined | null): File[] =>
    [...(items ?? [])].filter((item) => item.kind === 'file' && item.type.startsWith('image/')).map((item) => item.getAsFile()).filter((f): f is File => f !== null);

  useEffect(() => {
    if (focusTick > 0) input.current?.focus();
  }, [focusTick]);

  const submit = () => {
    if (!send(input.current?.value ?? draft)) return;
    setProblems([]);
    input.current?.focus();
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
    <div
      class="composer"
      onDragOver={(e) => {
        if ([...(e.dataTransfer?.items ?? [])].some((item) => item.kind === 'file')) e.preventDefault();
      }}
      onDrop={(e) => {
        const files = [...(e.dataTransfer?.files ?? [])];
        if (files.length === 0) return;
        e.preventDefault();
        void attach(files);
      }}
    >
      {attachments.length > 0 && (
        <div class="chips" aria-label="Attached context">
          {attachments.map((a, i) => (
            <span class="chip" key={`${a.path}:${a.startLine ?? ''}:${a.data?.length ?? ''}`} title={`${a.path}${a.startLine !== undefined ? `:${a.startLine}-${a.endLine}` : ''}`}>
              {a.kind === 'image' ? (
                <img class="chip-thumb" src={imageSource(a)} alt="" />
              ) : (
                <span class={`codicon codicon-${a.kind === 'selection' ? 'selection' : 'file'}`} aria-hidden="true" />
              )}
              {a.path}
              {a.startLine !== undefined && `:${a.startLine}-${a.endLine ?? a.startLine}`}
              <button class="chip-remove" aria-label={`Remove ${a.path}`} onClick={() => removeAttachment(i)}>
                <span class="codicon codicon-close" />
              </button>
            </span>
          ))}
        </div>
      )}
      {(problems.length > 0 || refused) && (
        <div class="composer-notice" role="alert">
          {[...problems, ...(refused ? [refused] : [])].map((text) => (
            <div key={text}>
              <span class="codicon codicon-warning" aria-hidden="true" /> {text}
            </div>
          ))}
          {problems.length > 0 && (
            <button class="chip-remove" aria-label="Dismiss" onClick={() => setProblems([])}>
              <span class="codicon codicon-close" />
            </button>
          )}
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
          onPaste={(e: ClipboardEvent) => {
            const files = imagesOf(e.clipboardData?.items);
            if (files.length === 0) return; // text pastes as usual
            e.preventDefault();
            void attach(files);
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
          <vscode-button appearance="icon" title="Attach images (or paste or drop them)" aria-label="Attach images" onClick={() => imageInput.current?.click()}>
            <span class="codicon codicon-file-media" />
          </vscode-button>
          <input
            ref={imageInput}
            class="image-input"
            type="file"
            accept={IMAGE_TYPES.join(',')}
            multiple
            hidden
            onChange={(e) => {
              const field = e.currentTarget as HTMLInputElement;
              const files = [...(field.files ?? [])];
              field.value = ''; // picking the same file again fires again
              void attach(files);
            }}
          />
          {streaming ? (
            <vscode-button appearance="secondary" class="stop-button" disabled={stopping} onClick={() => stop()}>
              <span slot="start" class="codicon codicon-debug-stop" /> {stopping ? 'Stopping…' : 'Stop'}
            </vscode-button>
          ) : (
            <vscode-button appearance="primary" class="send-button" disabled={!hasModel || refused !== null || (!draft.trim() && attachments.length === 0)} onClick={submit}>
              <span slot="start" class="codicon codicon-send" /> Send
            </vscode-button>
          )}
        </div>
      </div>
    </div>
  );
}
