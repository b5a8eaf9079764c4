// One message of the transcript. Memoized on the message object, so finished messages never
// re-render while another turn streams. Assistant turns show text, thinking, tools and cards in
// order, and a failed turn its one error card.
import { memo } from 'preact/compat';
import { useState } from 'preact/hooks';
import { deleteFrom, editAndResend, regenerate } from '../chat/controller';
import type { ChatMessage, Part } from '../chat/types';
import { invoke } from '../ipc';
import { AskFormCard, AskUserCard } from './AskCards';
import { Markdown } from './Markdown';
import { PermissionCard } from './PermissionCard';
import { ToolCardView } from './ToolCardView';
import { TextArea } from './fields';
import { IconButton } from './IconButton';
import { UsageLine } from './UsageLine';
import { ChangedFiles } from './ChangedFiles';
import { checkpoints, compareCheckpoint, restoreCheckpoint } from '../chat/checkpoints';
import { useStore } from '../state/store';
import { imageSource } from '../session/images';
import { ErrorCard } from './ErrorCard';

interface MessageViewProps {
  message: ChatMessage;
  index: number;
  streaming: boolean;
  /** The last message (offers Regenerate). */
  last: boolean;
  /** A turn is streaming somewhere (editing and deleting wait). */
  busy: boolean;
}

export const MessageView = memo(function MessageView({ message, index, streaming, last, busy }: MessageViewProps) {
  return message.role === 'user' ? <UserMessage message={message} index={index} busy={busy} /> : <AssistantMessage message={message} index={index} streaming={streaming} last={last} busy={busy} />;
});

function UserMessage({ message, index, busy }: { message: ChatMessage; index: number; busy: boolean }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(message.content);
  return (
    <div class="message user" data-message-id={message.id} data-index={index}>
      <div class="message-role">
        <span class="codicon codicon-account" aria-hidden="true" /> You
        <span class="message-actions">
          <IconButton icon="edit" label="Edit and resend" disabled={busy} onClick={() => { setText(message.content); setEditing(true); }} />
          <IconButton icon="trash" label="Delete from here" disabled={busy} onClick={() => deleteFrom(index)} />
        </span>
      </div>
      {message.attachments && message.attachments.length > 0 && (
        <div class="chips">
          {message.attachments.map((a, i) => (
            <span class="chip" key={`${i}:${a.path}:${a.startLine ?? ''}`} title={a.path}>
              {a.kind === 'image' ? <img class="chip-thumb" src={imageSource(a)} alt="" /> : <span class="codicon codicon-file" aria-hidden="true" />} {a.path}
              {a.startLine !== undefined && `:${a.startLine}-${a.endLine ?? a.startLine}`}
            </span>
          ))}
        </div>
      )}
      {editing ? (
        <div class="edit-box">
          <TextArea value={text} rows={3} resize="vertical" label="Edit message" onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
          <div class="prompt-actions">
            <vscode-button appearance="primary" disabled={!text.trim()} onClick={() => { setEditing(false); editAndResend(index, text); }}>
              Send
            </vscode-button>
            <vscode-button appearance="secondary" onClick={() => setEditing(false)}>
              Cancel
            </vscode-button>
          </div>
        </div>
      ) : (
        <div class="user-text">{message.content}</div>
      )}
    </div>
  );
}

function AssistantMessage({ message, index, streaming, last, busy }: { message: ChatMessage; index: number; streaming: boolean; last: boolean; busy: boolean }) {
  const parts = message.parts ?? (message.content ? [{ kind: 'text', text: message.content, thinking: '' } as Part] : []);
  const lastPart = parts[parts.length - 1];
  const changed = useStore(checkpoints, (all) => all[message.id]);
  return (
    <div class={`message assistant${streaming ? ' streaming' : ''}`} data-message-id={message.id} data-index={index} aria-busy={streaming}>
      <div class="message-role">
        <span class="codicon codicon-sparkle" aria-hidden="true" /> Prototyper
        {message.model && <span class="message-model">{message.model}</span>}
        {!streaming && (
          <span class="message-actions">
            <IconButton icon="copy" label="Copy answer" onClick={() => void invoke('copy_text', { text: message.content })} />
            {last && <IconButton icon="refresh" label="Regenerate" disabled={busy} onClick={() => regenerate()} />}
            {changed && <IconButton icon="diff-multiple" label="Compare: what this answer changed" onClick={() => compareCheckpoint(message.id)} />}
            {changed && (
              <IconButton icon="history" label="Restore checkpoint: files back to before this answer" disabled={busy} onClick={() => void restoreCheckpoint(message.id)} />
            )}
            <IconButton icon="trash" label="Delete from here" disabled={busy} onClick={() => deleteFrom(index)} />
          </span>
        )}
      </div>
      {parts.map((part, i) => {
        if (part.kind === 'text') {
          const open = streaming && part === lastPart;
          return (
            <div class="text-part" key={`t${i}`}>
              {part.thinking && <Thinking text={part.thinking} active={open && !part.text} />}
              {part.text && <Markdown text={part.text} streaming={open} />}
            </div>
          );
        }
        if (part.kind === 'tool') {
          const card = message.tools?.[part.id];
          return card ? <ToolCardView key={`tool-${part.id}`} card={card} /> : null;
        }
        const prompt = message.prompts?.[part.id];
        if (!prompt) return null;
        if (prompt.kind === 'permission') return <PermissionCard key={`p-${prompt.id}`} prompt={prompt} />;
        if (prompt.kind === 'ask') return <AskUserCard key={`p-${prompt.id}`} prompt={prompt} />;
        return <AskFormCard key={`p-${prompt.id}`} prompt={prompt} />;
      })}
      {streaming && <TurnStatus message={message} />}
      {message.error && <ErrorCard class="message-error" message={message.error.message} code={message.error.code} onRetry={last && !busy ? () => regenerate() : undefined} />}
      {message.doneReason === 'cancelled' && <div class="message-note">Stopped.</div>}
      {changed && !streaming && <ChangedFiles messageId={message.id} files={changed} busy={busy} />}
      {!streaming && <UsageLine message={message} />}
    </div>
  );
}

/** While a turn streams: generating, or waiting for the user when a card asks them something. */
function TurnStatus({ message }: { message: ChatMessage }) {
  const waiting = Object.values(message.prompts ?? {}).some((p) => p.status === 'pending');
  return waiting ? (
    <div class="generating waiting" role="status">
      <span class="codicon codicon-bell" aria-hidden="true" /> Waiting for your answer
    </div>
  ) : (
    <div class="generating" role="status">
      <span class="codicon codicon-loading codicon-modifier-spin" aria-hidden="true" /> Generating…
    </div>
  );
}

function Thinking({ text, active }: { text: string; active: boolean }) {
  return (
    <details class="thinking">
      <summary>
        <span class="codicon codicon-lightbulb" aria-hidden="true" /> {active ? 'Thinking…' : 'Thought'} ({text.length} chars)
      </summary>
      <div class="thinking-text">{text}</div>
    </details>
  );
}
