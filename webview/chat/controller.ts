// The chat's actions and side effects: send, stream through a Channel, stop, regenerate, edit,
// delete, history; answers to permission/ask/form cards; save_chat deltas and the reload snapshot.
import type { Attachment, StoredChat } from '../../src/protocol/webviewMessages';
import { Channel, connection, invoke, type InvokeFailure } from '../ipc';
import { Store } from '../state/store';
import { clearComposer, focusComposer, refreshHistory, session, snapshot as sessionSnapshot, restore as restoreSession, imagesRefusedBy, thinkParam, type SessionSnapshot } from '../session/session';
import { buildApiMessages } from './apiMessages';
import { allMessages, chatReducer, emptyChat, needsSave, type ChatAction, type ChatState } from './reducer';
import type { ChatMessage, CompletionEvent, ErrorBanner } from './types';
import { clearCheckpoints, refreshCheckpoints } from './checkpoints';

export const chat = new Store<ChatState>(emptyChat(newId(), Date.now()));

/** What vscode.setState keeps for a reload: small, never the whole transcript. */
interface AppSnapshot {
  chat: {
    chatId: string;
    title: string;
    createdAt: number;
    streaming: ChatMessage | null;
    channelId: number | null;
    error: ErrorBanner | null;
    /** Messages not yet confirmed saved by the host, from `fromIndex`. */
    unsaved: { fromIndex: number; messages: ChatMessage[] };
  };
  session: SessionSnapshot;
}

const SAVE_DURING_STREAM_MS = 2000;
/** During a stream each save sends the whole turn, so saves get rarer as it grows (50 chars/ms). */
const SAVE_CHARS_PER_MS = 50;
const STOP_GRACE_MS = 8000;
const FAILED_INVOKE_GRACE_MS = 300;

let restoring = false;
/** While a reload restores, the unsaved tail of the old snapshot is kept as it was, not overwritten. */
let restoringUnsaved: AppSnapshot['chat']['unsaved'] | null = null;
let saving: Promise<void> | null = null;
let saveAgain = false;
let saveTimer: ReturnType<typeof setTimeout> | null = null;

function dispatch(action: ChatAction, batched = false): void {
  chat.set(chatReducer(chat.get(), action), batched);
}

export function newId(): string {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// ---- persistence ---------------------------------------------------------------------------------

function appSnapshot(): AppSnapshot {
  const s = chat.get();
  return {
    chat: {
      chatId: s.chatId,
      title: s.title,
      createdAt: s.createdAt,
      streaming: s.streaming,
      channelId: s.channelId,
      error: s.error,
      unsaved: restoringUnsaved ?? { fromIndex: s.dirtyFrom, messages: s.messages.slice(s.dirtyFrom) },
    },
    session: sessionSnapshot(),
  };
}

/** About how many characters the streamed turn has (text, thinking, tool output). */
function streamingSize(): number {
  const turn = chat.get().streaming;
  if (!turn) return 0;
  let size = 0;
  for (const part of turn.parts ?? []) if (part.kind === 'text') size += part.text.length + part.thinking.length;
  for (const tool of Object.values(turn.tools ?? {})) size += (tool.output?.length ?? 0) + (tool.content?.length ?? 0) + (tool.previousContent?.length ?? 0);
  return size;
}

/** Sends the messages changed since the last save (fromIndex) to the host; one save at a time. */
export function saveNow(): Promise<void> {
  if (saveTimer !== null) clearTimeout(saveTimer);
  saveTimer = null;
  if (restoring) return Promise.resolve();
  if (saving) {
    saveAgain = true;
    return saving;
  }
  const s = chat.get();
  const all = allMessages(s);
  if (all.length === 0 && s.storedLength === 0) return Promise.resolve();
  if (!needsSave(s)) return Promise.resolve();
  const fromIndex = Math.min(s.dirtyFrom, all.length);
  const args = { chatId: s.chatId, title: s.title || 'New chat', fromIndex, messages: all.slice(fromIndex), createdAt: s.createdAt };
  dispatch({ type: 'markSaved', end: s.messages.length, storedLength: all.length });
  saving = invoke('save_chat', args).then(
    () => connection().persistSoon(),
    () => {
      if (chat.get().chatId === args.chatId) dispatch({ type: 'saveFailed', fromIndex });
    },
  ).finally(() => {
    saving = null;
    if (saveAgain) {
      saveAgain = false;
      void saveNow();
    }
  });
  return saving;
}

function saveSoon(delay: number): void {
  if (saveTimer === null) saveTimer = setTimeout(() => void saveNow(), delay);
}

// ---- streaming -----------------------------------------------------------------------------------

function listen(channel: Channel<CompletionEvent>): void {
  const channelId = channel.id;
  channel.onmessage = (event) => {
    dispatch({ type: 'event', channelId, event, now: Date.now() }, true);
    if (chat.get().channelId !== channelId) {
      void saveNow();
      void refreshCheckpoints();
    } else if (event.event === 'ToolResult' && !['read_file', 'glob', 'grep'].includes(event.data.tool)) {
      void refreshCheckpoints();
    }
    else saveSoon(Math.max(SAVE_DURING_STREAM_MS, streamingSize() / SAVE_CHARS_PER_MS));
  };
}

/** Ends a turn locally when the host cannot end it (failed invoke, lost stream, stop unanswered). */
function failStream(channelId: number, error: ErrorBanner): void {
  if (chat.get().channelId !== channelId) return;
  dispatch({ type: 'streamFailed', channelId, error, now: Date.now() });
  connection().release(channelId);
  void saveNow();
}

/** Starts an assistant turn answering the transcript as it stands (or running its workflow). */
function startTurn(user: ChatMessage | null): void {
  const sessionState = session.get();
  const settings = sessionState.settings;
  if (!settings || chat.get().streaming) return;
  const channel = new Channel<CompletionEvent>();
  listen(channel);
  const assistant: ChatMessage = { id: newId(), role: 'assistant', content: '', parts: [], startedAt: Date.now(), provider: settings.provider, model: settings.model };
  dispatch({ type: 'send', user, assistant, channelId: channel.id });
  connection().persistNow();
  void saveNow();

  // The context window, and whether this model can take tools, are the sidecar's to decide: it
  // sends the model's own window and refuses tools a model lacks with an error that says so.
  const options = { ...sessionState.options };
  const think = thinkParam(sessionState);
  const tools = settings.toolsEnabled;
  const args = {
    provider: settings.provider,
    model: settings.model,
    messages: buildApiMessages(chat.get().messages),
    tools,
    toolPermissionMode: settings.toolPermissionMode,
    toolAllowlist: settings.toolAllowlist,
    maxToolCalls: settings.maxToolCalls,
    options,
    think,
    // The turn's changes are filed under this chat and answer, so they can be undone.
    checkpoint: { chatId: chat.get().chatId, messageId: assistant.id },
    onEvent: channel,
  };
  // A workflow turn (and its Regenerate) runs the workflow again with the same model settings.
  const asked = user ?? [...chat.get().messages].reverse().find((m) => m.role === 'user');
  const workflow = asked?.workflow;
  const call = workflow
    ? invoke('run_workflow', { ...args, messages: undefined, tools: undefined, maxToolCalls: undefined, workflowId: workflow.workflowId, input: workflow.input })
    : invoke('generate_completion_stream', args);
  call.catch((error: InvokeFailure) => {
    // Messages already relayed may still be in flight; give them a moment before ending the turn.
    setTimeout(() => failStream(channel.id, { message: error.message ?? String(error), code: error.code, source: 'invoke' }), FAILED_INVOKE_GRACE_MS);
  });
}

/**
 * "Run Workflow…" from the host: a user turn naming the workflow, answered by `run_workflow`,
 * which streams each node's progress like an answer. Waits for the settings of a chat that is
 * still loading.
 */
export function runWorkflow(workflowId: string, input?: string): void {
  if (!session.get().settings) {
    const unsubscribe = session.subscribe(() => {
      if (!session.get().settings) return;
      unsubscribe();
      runWorkflow(workflowId, input);
    });
    return;
  }
  if (chat.get().streaming) {
    dispatch({ type: 'setError', error: { message: `Workflow ${workflowId} was not started: this chat is still answering. Stop it, or run the workflow again.`, source: 'host' } });
    return;
  }
  // User messages show as plain text.
  const content = input?.trim() ? `Run workflow ${workflowId} with:\n\n${input.trim()}` : `Run workflow ${workflowId}`;
  startTurn({ id: newId(), role: 'user', content, workflow: { workflowId, input } });
}

/** Whether a message with `attachments` can go to the selected model at all (one is chosen, it is the provider's, it sees the images). */
function canSendWith(attachments: Attachment[]): boolean {
  const state = session.get();
  const model = state.settings?.model;
  if (!model || imagesRefusedBy({ ...state, attachments }) !== null) return false;
  // A model the provider's list does not have (one left from another provider) is never sent.
  const listed = state.modelsLoadedFor === state.settings?.provider && state.models.length > 0;
  return !listed || state.models.some((m) => m.id === model);
}

/** Sends the composer's text and attachments as a new user message. */
export function send(text: string, attachments: Attachment[] = session.get().attachments): boolean {
  const content = text.trim();
  if ((!content && attachments.length === 0) || chat.get().streaming || !canSendWith(attachments)) return false;
  const user: ChatMessage = { id: newId(), role: 'user', content, attachments: attachments.length > 0 ? attachments : undefined };
  clearComposer();
  startTurn(user);
  return true;
}

export function stop(): void {
  const { channelId, streaming } = chat.get();
  if (channelId === null || !streaming) return;
  dispatch({ type: 'stopRequested' });
  const fallback = () => failStream(channelId, { message: 'Stopped; the backend did not confirm.', source: 'host' });
  invoke('stop_generation_stream', { requestId: channelId }).then(
    () => setTimeout(fallback, STOP_GRACE_MS),
    () => setTimeout(fallback, FAILED_INVOKE_GRACE_MS),
  );
}

/** Answers the last user message again (Regenerate, and Retry on the error banner). */
export function regenerate(): void {
  const s = chat.get();
  if (s.streaming) return;
  let last = s.messages.length - 1;
  while (last >= 0 && s.messages[last].role !== 'user') last--;
  if (last < 0) return;
  dispatch({ type: 'deleteFrom', index: last + 1 });
  startTurn(null);
}

/** Replaces the user message at `index` with new text and answers it again. */
export function editAndResend(index: number, text: string): void {
  const s = chat.get();
  const original = s.messages[index];
  if (s.streaming || !original || original.role !== 'user' || !text.trim()) return;
  // Refused sends keep the message: check what `send` would refuse before removing anything.
  if (!canSendWith(original.attachments ?? [])) return;
  dispatch({ type: 'deleteFrom', index });
  send(text, original.attachments ?? []);
}

export function deleteFrom(index: number): void {
  if (chat.get().streaming) return;
  dispatch({ type: 'deleteFrom', index });
  void saveNow();
  connection().persistSoon();
}

export function dismissError(): void {
  dispatch({ type: 'setError', error: null });
}

function leaveCurrentChat(): void {
  if (chat.get().streaming) stop();
  const channelId = chat.get().channelId;
  if (channelId !== null) connection().release(channelId);
  void saveNow();
}

export function newChat(): void {
  leaveCurrentChat();
  dispatch({ type: 'newChat', chatId: newId(), now: Date.now() });
  clearCheckpoints();
  session.update((s) => ({ ...s, historyOpen: false }));
  connection().persistNow();
  // The next thing to do in a new chat is to type.
  focusComposer();
}

export async function openChat(chatId: string): Promise<void> {
  const stored = await invoke<StoredChat | null>('load_chat', { chatId });
  if (!stored) return;
  leaveCurrentChat();
  dispatch({ type: 'load', chat: stored });
  clearCheckpoints();
  void refreshCheckpoints();
  session.update((s) => ({ ...s, historyOpen: false }));
  connection().persistNow();
  focusComposer();
}

/** Renames a saved chat (the current one too); an empty title is refused. */
export async function renameChat(chatId: string, title: string): Promise<void> {
  const name = title.trim();
  if (!name) return;
  await invoke('rename_chat', { chatId, title: name });
  dispatch({ type: 'rename', chatId, title: name });
  connection().persistSoon();
}

export async function deleteChat(chatId: string): Promise<void> {
  const { deleted } = await invoke<{ deleted: boolean }>('delete_chat', { chatId });
  if (deleted && chat.get().chatId === chatId) {
    leaveCurrentChat();
    dispatch({ type: 'newChat', chatId: newId(), now: Date.now() });
  }
  await refreshHistory();
}

// ---- cards ---------------------------------------------------------------------------------------

/** Sidecar ids are numbers; cards keep them as strings. */
function wireId(id: string): number | string {
  return /^\d+$/.test(id) ? Number(id) : id;
}

async function resolvePrompt(id: string, answer: string | Record<string, string | string[]>, command: string, args: Record<string, unknown>, edited?: boolean): Promise<void> {
  dispatch({ type: 'promptAnswered', id, answer, edited, now: Date.now() });
  connection().persistSoon();
  try {
    await invoke(command, args);
  } catch (error) {
    dispatch({ type: 'setError', error: { message: `The agent was no longer waiting for this answer (${(error as Error).message}).`, source: 'host' } });
  }
}

/**
 * Answers a permission card. For a proposal the user may have edited in the diff editor, their
 * version is fetched from the host (which closes the diff) and accepted instead of the proposal.
 */
export async function answerPermission(id: string, decision: 'accepted' | 'rejected' | 'always_allowed', tool: string, proposal = false): Promise<void> {
  if (decision === 'always_allowed') void invoke('allow_tool', { tool }).catch(() => {});
  let content: string | undefined;
  if (proposal) {
    const taken = await invoke<{ edited: boolean; content?: string } | null>('take_proposal_edit', { permissionId: id }).catch(() => null);
    if (taken?.edited && typeof taken.content === 'string' && decision !== 'rejected') content = taken.content;
  }
  const args = { permissionId: wireId(id), decision, ...(content !== undefined ? { content } : {}) };
  await resolvePrompt(id, decision, 'resolve_tool_permission', args, content !== undefined);
}

export function answerAsk(id: string, answer: string): void {
  void resolvePrompt(id, answer, 'resolve_ask_user', { requestId: wireId(id), answer });
}

export function answerForm(id: string, answers: Record<string, string | string[]>): void {
  void resolvePrompt(id, answers, 'resolve_ask_user_form', { requestId: wireId(id), answers });
}

// ---- start-up ------------------------------------------------------------------------------------

/** Restores the chat after a reload (snapshot + load_chat), re-attaching a live stream's channel. */
export async function initChat(): Promise<void> {
  const ipc = connection();
  ipc.setAppStateProvider(appSnapshot, streamingSize);
  const saved = ipc.restoredAppState() as AppSnapshot | undefined;
  restoreSession(saved?.session);
  if (!saved?.chat) return;
  const c = saved.chat;
  // No save and no snapshot of the half-restored state until load_chat has answered.
  restoring = true;
  restoringUnsaved = c.unsaved;
  chat.set({ ...emptyChat(c.chatId, c.createdAt), title: c.title, error: c.error });
  if (c.streaming && c.channelId !== null) {
    dispatch({ type: 'restoreStreaming', streaming: c.streaming, channelId: c.channelId });
    if (ipc.isOpen(c.channelId)) listen(new Channel<CompletionEvent>({ id: c.channelId }));
    else failStream(c.channelId, { message: 'The answer was interrupted when the view reloaded.', source: 'host' });
  }
  let stored: ChatMessage[] = [];
  try {
    const found = await invoke<StoredChat | null>('load_chat', { chatId: c.chatId });
    stored = (found?.messages as ChatMessage[] | undefined) ?? [];
  } catch {
    // The snapshot alone still shows the unsaved part.
  }
  restoring = false;
  restoringUnsaved = null;
  const base = [...stored.slice(0, c.unsaved.fromIndex), ...c.unsaved.messages];
  const now = chat.get();
  const skip = new Set([now.streaming?.id, ...now.messages.map((m) => m.id)]);
  const restored = { ...now, messages: [...base.filter((m) => !skip.has(m.id)), ...now.messages] };
  chat.set({ ...restored, dirtyFrom: Math.min(c.unsaved.fromIndex, restored.messages.length), storedLength: stored.length });
  void saveNow();
  void refreshCheckpoints();
}
