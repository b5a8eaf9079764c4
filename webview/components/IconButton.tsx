// A small icon button for actions repeated on every message and code block. It is a native button
// styled like the toolkit's icon button: thousands of toolkit elements would make long chats slow.
import type { ComponentChildren } from 'preact';

interface IconButtonProps {
  icon: string;
  label: string;
  title?: string;
  disabled?: boolean;
  onClick: () => void;
  children?: ComponentChildren;
}

export function IconButton({ icon, label, title, disabled, onClick, children }: IconButtonProps) {
  return (
    <button type="button" class="icon-button" aria-label={label} title={title ?? label} disabled={disabled} onClick={onClick}>
      <span class={`codicon codicon-${icon}`} aria-hidden="true" />
      {children}
    </button>
  );
}
