// The chat's keyboard: Escape stops an answer, Ctrl/⌘+Enter accepts and Ctrl/⌘+Shift+Enter
// rejects the waiting permission, and focus moves to where the user acts next after an answer.
import { answerPermission, chat, stop } from '../chat/controller';
import type { PromptCard } from '../chat/types';
import { focusComposer } from '../session/session';

export const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** How the permission shortcuts read on this platform. */
export const ACCEPT_KEYS = IS_MAC ? '⌘⏎' : 'Ctrl+Enter';
export const REJECT_KEYS = IS_MAC ? '⇧⌘⏎' : 'Ctrl+Shift+Enter';
/** The same for `aria-keyshortcuts`. */
export const ACCEPT_ARIA = IS_MAC ? 'Meta+Enter' : 'Control+Enter';
export const REJECT_ARIA = IS_MAC ? 'Meta+Shift+Enter' : 'Control+Shift+Enter';

type Permission = Extract<PromptCard, { kind: 'permission' }>;

/** The oldest permission the streamed turn waits on, if any. */
export function pendingPermission(): Permission | undefined {
  const turn = chat.get().streaming;
  for (const part of turn?.parts ?? []) {
    const prompt = part.kind === 'prompt' ? turn?.prompts?.[part.id] : undefined;
    if (prompt?.kind === 'permission' && prompt.status === 'pending') return prompt;
  }
  return undefined;
}

/**
 * After a card is answered its buttons go away; focus goes to the next card still waiting, else
 * to the composer, never to the page's body.
 */
export function focusAfterAnswer(): void {
  requestAnimationFrame(() => {
    const next = document.querySelector<HTMLElement>('.prompt-card.pending');
    if (next) next.focus();
    else focusComposer();
  });
}

/**
 * Whether a card that just appeared should take focus: only the first card still waiting does
 * (the agent needs the answers in order), so a second card never steals focus from the first.
 */
export function isFirstPending(card: HTMLElement | null): boolean {
  return !!card && document.querySelector('.prompt-card.pending') === card;
}

/** Document-level keys; listeners that handled a key first mark it with preventDefault. */
export function onGlobalKeyDown(e: KeyboardEvent): void {
  if (e.defaultPrevented || e.isComposing) return;
  const mod = IS_MAC ? e.metaKey : e.ctrlKey;
  if (e.key === 'Escape' && !mod && !e.shiftKey && !e.altKey) {
    if (!chat.get().streaming) return;
    e.preventDefault();
    stop();
    focusComposer();
    return;
  }
  if (e.key === 'Enter' && mod && !e.altKey) {
    const permission = pendingPermission();
    if (!permission) return;
    e.preventDefault();
    void answerPermission(permission.id, e.shiftKey ? 'rejected' : 'accepted', permission.tool, !!permission.proposal);
    focusAfterAnswer();
  }
}
