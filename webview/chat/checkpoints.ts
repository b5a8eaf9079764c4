// What each answer of the open chat changed (the sidecar's checkpoints), and the actions on it:
// Keep and Undo per file, Undo all, Restore checkpoint (optionally dropping later messages),
// Compare, and a file's diff. The lists are fetched, not saved with the chat: the sidecar's store
// is the one record, and survives reloads.
import type { CheckpointOutcome } from '../../src/protocol/webviewMessages';
import { invoke } from '../ipc';
import { Store } from '../state/store';
import { chat, deleteFrom } from './controller';
import type { ChangedFile, CheckpointSummary } from './types';

/** Changed files by assistant message id, for the open chat. */
export const checkpoints = new Store<Record<string, ChangedFile[]>>({});

/** Re-reads the open chat's checkpoints (after a turn ends, a chat loads, or an action). */
export async function refreshCheckpoints(): Promise<void> {
  const chatId = chat.get().chatId;
  let summaries: CheckpointSummary[];
  try {
    summaries = await invoke<CheckpointSummary[]>('list_checkpoints', { chatId });
  } catch {
    return; // no folder open, or the sidecar is restarting: the list stays as it was
  }
  if (chat.get().chatId !== chatId || !Array.isArray(summaries)) return;
  checkpoints.set(Object.fromEntries(summaries.map((s) => [s.messageId, s.files])));
}

/** Forgets the lists at once when another chat opens (its own are fetched next). */
export function clearCheckpoints(): void {
  checkpoints.set({});
}

function withChat(messageId: string) {
  return { chatId: chat.get().chatId, messageId };
}

async function settle(outcome: Promise<CheckpointOutcome>): Promise<CheckpointOutcome | null> {
  try {
    return await outcome;
  } catch (error) {
    chat.set({ ...chat.get(), error: { message: `Could not restore: ${(error as Error).message}`, source: 'host' } });
    return null;
  } finally {
    void refreshCheckpoints();
  }
}

/** Restore checkpoint: files back to before answer `messageId` (the host asks first). */
export async function restoreCheckpoint(messageId: string): Promise<void> {
  const outcome = await settle(invoke<CheckpointOutcome>('restore_checkpoint', withChat(messageId)));
  if (!outcome || outcome.cancelled || !outcome.dropLater) return;
  const index = chat.get().messages.findIndex((m) => m.id === messageId);
  if (index >= 0) deleteFrom(index + 1);
}

/** Undo one answer's changes to `paths` (all of them without). */
export async function undoFiles(messageId: string, paths?: string[]): Promise<void> {
  await settle(invoke<CheckpointOutcome>('undo_checkpoint_files', { ...withChat(messageId), paths }));
}

export async function keepFiles(messageId: string, paths?: string[]): Promise<void> {
  try {
    await invoke('keep_checkpoint_files', { ...withChat(messageId), scope: 'message', paths });
  } finally {
    void refreshCheckpoints();
  }
}

export function compareCheckpoint(messageId: string): void {
  void invoke('compare_checkpoint', withChat(messageId)).catch(() => {});
}

export function openFileDiff(messageId: string, path: string): void {
  void invoke('open_checkpoint_diff', { ...withChat(messageId), path }).catch(() => {});
}
