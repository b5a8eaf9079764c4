// The input: multiline, Enter sends and Shift+Enter adds a line, `@` opens a workspace file picker,
// images can be pasted, dropped or picked, attachments show as chips (a file that could not be
// read shows as a failed chip and is never sent), and below it the toolbar: attach, model, mode,
// thinking, options, and Send, which turns into Stop while an answer streams.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attachment } from '../../src/protocol/webviewMessages';
import { chat, send, stop } from '../chat/controller';
import { invoke } from '../ipc';
import { IMAGE_TYPES, imageSource } from '../session/images';
import { addAttachment, attachImages, imagesRefusedBy, readiness, removeAttachment, session, setDraft } from '../session/session';
import { useStore } from '../state/store';
import { ErrorCard } from './ErrorCard';
import { TextArea, type InputElement } from './fields';
import { FilePicker } from './FilePicker';
import { pendingPermission } from './keys';
import { ModelPicker } from './ModelPicker';
import { ModePicker } from './ModePicker';
import { OptionsButton, ThinkToggle } from './OptionsPanel';
import { PullPanel } from './PullPanel';

type TextAreaElement = InputElement;

/** A file the picker chose that could not be read: shown with the reason, never sent. */
interface FailedAttachment {
  path: string;
  reason: string;
}

export function Composer() {
  const draft = useStore(session, (s) => s.draft);
  const attachments = useStore(session, (s) => s.attachments);
  const focusTick = useStore(session, (s) => s.focusTick);
  const hasModel = useStore(session, (s) => !!s.settings?.model);
  const pullOpen = useStore(session, (s) => s.pullOpen);
  // Selections are strings or state's own objects: a fresh object per call would re-render the
  // composer (and reset its field) on every change anywhere in the session.
  const readyKind = useStore(session, (s) => readiness(s).kind);
  const modelsError = useStore(session, (s) => s.modelsError);
  const streaming = useStore(chat, (s) => s.streaming !== null);
  const stopping = useStore(chat, (s) => s.stopping);
  const empty = useStore(chat, (s) => s.messages.length === 0 && s.streaming === null);
  const lastFailed = useStore(chat, (s) => !!s.messages[s.messages.length - 1]?.error);
  const refused = useStore(session, (s) => imagesRefusedBy(s));
  const input = useRef<TextAreaElement>(null);
  const imageInput = useRef<HTMLInputElement>(null);
  const [picker, setPicker] = useState<{ at: number } | null>(null);
  /** What went wrong attaching images, until the message is sent or the notice dismissed. */
  const [problems, setProblems] = useState<string[]>([]);
  const [failed, setFailed] = useState<FailedAttachment[]>([]);

  const attach = async (files: File[]) => {
    if (files.length === 0) return;
    const found = await attachImages(files);
    // Appended, not replaced: a paste and a drop may finish in either order.
    if (found.length > 0) setProblems((before) => [...new Set([...before, ...found])]);
  };
  const imagesOf = (items: DataTransferItemList | undefined | null): File[] =>
    [...(items ?? [])].filter((item) => item.kind === 'file' && item.type.startsWith('image/')).map((item) => item.getAsFile()).filter((f): f is File => f !== null);

  useEffect(() => {
    // Not when it already has focus: the user may be typing in it by now.
    const field = input.current;
    if (focusTick > 0 && field && !field.matches(':focus-within')) field.focus();
  }, [focusTick]);

  const submit = () => {
    if (!send(input.current?.value ?? draft)) return;
    setProblems([]);
    setFailed([]);
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
    setFailed((before) => before.filter((f) => f.path !== path));
    try {
      addAttachment(await invoke<Attachment>('read_attachment', { path }));
    } catch (error) {
      setFailed((before) => [...before, { path, reason: (error as Error).message }]);
    }
  };

  // The provider's state is told in the empty state; once a chat has messages, here, once (and
  // not when the last answer's own error card already says it).
  const notice = !empty && !lastFailed && readyKind === 'unreachable' ? modelsError : null;
  const canSend = hasModel && refused === null && (draft.trim().length > 0 || attachments.length > 0);
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
      {pullOpen && !(empty && readyKind === 'noModels') && <PullPanel />}
      {notice && <ErrorCard message={notice.message} code={notice.code} role="status" class="composer-error" />}
      {(attachments.length > 0 || failed.length > 0) && (
        <div class="chips" role="list" aria-label="Attached context">
          {attachments.map((a, i) => (
            <span role="listitem" class="chip" key={`${a.path}:${a.startLine ?? ''}:${a.data?.length ?? ''}`} title={`${a.path}${a.startLine !== undefined ? `:${a.startLine}-${a.endLine}` : ''}`}>
              {a.kind === 'image' ? (
                <img class="chip-thumb" src={imageSource(a)} alt="" />
              ) : (
                <span class={`codicon codicon-${a.kind === 'selection' ? 'selection' : 'file'}`} aria-hidden="true" />
              )}
              <span class="chip-label">
                {a.path}
                {a.startLine !== undefined && `:${a.startLine}-${a.endLine ?? a.startLine}`}
              </span>
              <button type="button" class="chip-remove" aria-label={`Remove ${a.path}`} onClick={() => removeAttachment(i)}>
                <span class="codicon codicon-close" aria-hidden="true" />
              </button>
            </span>
          ))}
          {failed.map((f) => (
            <span role="listitem" class="chip chip-failed" key={`failed:${f.path}`} title={`${f.path} was not attached: ${f.reason}`}>
              <span class="codicon codicon-warning" aria-hidden="true" />
              <span class="chip-label">
                {f.path} <span class="chip-reason">not attached: {f.reason}</span>
              </span>
              <button type="button" class="chip-remove" aria-label={`Dismiss ${f.path}`} onClick={() => setFailed((before) => before.filter((x) => x !== f))}>
                <span class="codicon codicon-close" aria-hidden="true" />
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
            <button type="button" class="chip-remove" aria-label="Dismiss" onClick={() => setProblems([])}>
              <span class="codicon codicon-close" aria-hidden="true" />
            </button>
          )}
        </div>
      )}
      {picker && <FilePicker onPick={pick} />}
      <TextArea
        inputRef={input}
        label="Message"
        class="composer-input"
        rows={3}
        resize="vertical"
        placeholder={hasModel ? 'Ask Prototyper… (@ attaches a file)' : 'Pick a model below to start'}
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
            // With a permission waiting, Ctrl/⌘+Enter answers it (keys.ts) instead of sending.
            if ((e.ctrlKey || e.metaKey) && pendingPermission()) return;
            e.preventDefault();
            if (!streaming) submit();
          }
        }}
      />
      <div class="composer-toolbar" role="toolbar" aria-label="Message options">
        <button type="button" class="icon-button" title="Attach a file (@)" aria-label="Attach a file" onClick={() => setPicker({ at: -1 })}>
          <span class="codicon codicon-mention" aria-hidden="true" />
        </button>
        <button type="button" class="icon-button" title="Attach images (or paste or drop them)" aria-label="Attach images" onClick={() => imageInput.current?.click()}>
          <span class="codicon codicon-file-media" aria-hidden="true" />
        </button>
        <input
          ref={imageInput}
          class="image-input"
          type="file"
          accept={IMAGE_TYPES.join(',')}
          multiple
          hidden
          aria-label="Images to attach"
          onChange={(e) => {
            const field = e.currentTarget as HTMLInputElement;
            const files = [...(field.files ?? [])];
            field.value = ''; // picking the same file again fires again
            void attach(files);
          }}
        />
        <ModelPicker />
        <ModePicker />
        <ThinkToggle />
        <OptionsButton />
        <span class="toolbar-spacer" />
        {streaming ? (
          <vscode-button appearance="secondary" class="stop-button" disabled={stopping} title="Stop (Escape)" aria-label={stopping ? 'Stopping…' : 'Stop'} aria-keyshortcuts="Escape" onClick={() => stop()}>
            <span slot="start" class="codicon codicon-debug-stop" /> <bdi class="button-label">{stopping ? 'Stopping…' : 'Stop'}</bdi>
          </vscode-button>
        ) : (
          <vscode-button appearance="primary" class="send-button" disabled={!canSend} title="Send (Enter)" aria-label="Send" onClick={submit}>
            <span slot="start" class="codicon codicon-send" /> <bdi class="button-label">Send</bdi>
          </vscode-button>
        )}
      </div>
    </div>
  );
}
