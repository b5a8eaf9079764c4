// The chat state as a pure reducer: user actions and CompletionEvents in, a new state out.
// Finished messages are never copied on a chunk; only the streamed turn changes.
import type { StoredChat } from '../../src/protocol/webviewMessages';
import type { ChatMessage, CompletionEvent, ErrorBanner, Part, PromptCard, ToolCard } from './types';

export interface ChatState {
  chatId: string;
  title: string;
  createdAt: number;
  /** Finished messages, oldest first. */
  messages: ChatMessage[];
  /** The assistant turn being streamed; it will take index `messages.length`. */
  streaming: ChatMessage | null;
  /** The channel the streamed turn listens on (the request id for stop). */
  channelId: number | null;
  stopping: boolean;
  error: ErrorBanner | null;
  /** Lowest message index changed since the last save_chat (messages.length when clean). */
  dirtyFrom: number;
  /** How many messages the host holds for this chat, as far as we know (a delete makes it longer). */
  storedLength: number;
}

export type ChatAction =
  | { type: 'newChat'; chatId: string; now: number }
  | { type: 'load'; chat: StoredChat }
  | { type: 'send'; user: ChatMessage | null; assistant: ChatMessage; channelId: number }
  | { type: 'event'; channelId: number; event: CompletionEvent; now: number }
  | { type: 'stopRequested' }
  | { type: 'streamFailed'; channelId: number; error: ErrorBanner; now: number }
  | { type: 'promptAnswered'; id: string; answer: string | Record<string, string | string[]>; edited?: boolean; now?: number }
  | { type: 'rename'; chatId: string; title: string }
  | { type: 'deleteFrom'; index: number }
  | { type: 'markSaved'; end: number; storedLength: number }
  | { type: 'saveFailed'; fromIndex: number }
  | { type: 'restoreStreaming'; streaming: ChatMessage; channelId: number }
  | { type: 'setError'; error: ErrorBanner | null };

export function emptyChat(chatId: string, now: number): ChatState {
  return { chatId, title: '', createdAt: now, messages: [], streaming: null, channelId: null, stopping: false, error: null, dirtyFrom: 0, storedLength: 0 };
}

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'newChat':
      return emptyChat(action.chatId, action.now);
    case 'load': {
      const messages = (action.chat.messages as ChatMessage[]).filter(isMessage).map((m) => expirePrompts(m));
      return { ...emptyChat(action.chat.chatId, action.chat.createdAt), title: action.chat.title, messages, dirtyFrom: messages.length, storedLength: action.chat.messages.length };
    }
    case 'send': {
      const messages = action.user ? [...state.messages, action.user] : state.messages;
      const first = action.user ?? messages.find((m) => m.role === 'user');
      return {
        ...state,
        title: state.title || titleFrom(first?.content || first?.attachments?.[0]?.path || 'New chat'),
        messages,
        streaming: action.assistant,
        channelId: action.channelId,
        stopping: false,
        error: null,
        dirtyFrom: Math.min(state.dirtyFrom, action.user ? state.messages.length : messages.length),
      };
    }
    case 'event':
      if (action.channelId !== state.channelId || !state.streaming) return state;
      return applyEvent(state, state.streaming, action.event, action.now);
    case 'stopRequested':
      return state.streaming ? { ...state, stopping: true } : state;
    case 'streamFailed':
      if (action.channelId !== state.channelId || !state.streaming) return state;
      return finish(state, { ...state.streaming, error: { message: action.error.message, code: action.error.code } }, action.now, action.error);
    case 'promptAnswered':
      return answerPrompt(state, action.id, action.answer, action.edited, action.now);
    case 'rename':
      return action.chatId === state.chatId ? { ...state, title: action.title } : state;
    case 'deleteFrom': {
      const index = Math.max(0, Math.min(action.index, state.messages.length));
      return { ...state, messages: state.messages.slice(0, index), error: null, dirtyFrom: Math.min(state.dirtyFrom, index) };
    }
    case 'markSaved':
      return { ...state, dirtyFrom: Math.max(state.dirtyFrom, Math.min(action.end, state.messages.length)), storedLength: action.storedLength };
    case 'saveFailed':
      return { ...state, dirtyFrom: Math.min(state.dirtyFrom, action.fromIndex), storedLength: Math.max(state.storedLength, action.fromIndex + 1) };
    case 'restoreStreaming': {
      const messages = state.messages.filter((m) => m.id !== action.streaming.id);
      return { ...state, messages, streaming: action.streaming, channelId: action.channelId, dirtyFrom: Math.min(state.dirtyFrom, messages.length) };
    }
    case 'setError':
      return { ...state, error: action.error };
  }
}

function applyEvent(state: ChatState, turn: ChatMessage, event: CompletionEvent, now: number): ChatState {
  switch (event.event) {
    case 'Chunk': {
      const text = event.data?.text ?? '';
      const thinking = event.data?.thinking ?? '';
      if (!text && !thinking) return state;
      const parts = turn.parts ?? [];
      const last = parts[parts.length - 1];
      const nextParts: Part[] =
        last?.kind === 'text'
          ? [...parts.slice(0, -1), { kind: 'text', text: last.text + text, thinking: last.thinking + thinking }]
          : [...parts, { kind: 'text', text, thinking }];
      return withTurn(state, { ...turn, parts: nextParts, firstTokenAt: turn.firstTokenAt ?? now });
    }
    case 'ToolCallDelta': {
      // The card appears as soon as the call is named and fills in as its arguments stream.
      const { id, tool, argsDelta } = event.data;
      const existing = turn.tools?.[id];
      if (existing && existing.status !== 'forming') return state;
      const card: ToolCard = existing
        ? { ...existing, argsText: (existing.argsText ?? '') + argsDelta }
        : { id, tool, args: {}, status: 'forming', argsText: argsDelta };
      const parts = existing ? turn.parts ?? [] : [...(turn.parts ?? []), { kind: 'tool' as const, id }];
      return withTurn(state, { ...turn, parts, tools: { ...turn.tools, [id]: card } });
    }
    case 'ToolCall': {
      const { id, tool, args } = event.data;
      const existing = turn.tools?.[id];
      if (existing && existing.status !== 'forming') return state;
      const card: ToolCard = { id, tool, args: args ?? {}, status: 'running' };
      const parts = existing ? turn.parts ?? [] : [...(turn.parts ?? []), { kind: 'tool' as const, id }];
      return withTurn(state, { ...turn, tools: { ...turn.tools, [id]: card }, parts });
    }
    case 'ToolPermission': {
      const data = event.data;
      const id = String(data.id);
      if (turn.prompts?.[id]) return state;
      const prompt: PromptCard = {
        kind: 'permission',
        id,
        toolCallId: data.toolCallId,
        tool: data.tool,
        args: data.args ?? {},
        reason: data.reason ?? undefined,
        proposal: data.proposal ?? undefined,
        commandReview: data.commandReview ?? undefined,
        status: 'pending',
        shownAt: now,
      };
      const tool = turn.tools?.[data.toolCallId];
      const tools = tool ? { ...turn.tools, [tool.id]: { ...tool, status: 'awaiting_permission' as const } } : turn.tools;
      return withTurn(state, { ...turn, tools, prompts: { ...turn.prompts, [id]: prompt }, parts: [...(turn.parts ?? []), { kind: 'prompt', id }] });
    }
    case 'ToolResult': {
      const d = event.data;
      const existing = turn.tools?.[d.id];
      const card: ToolCard = {
        ...(existing ?? { id: d.id, tool: d.tool, args: {} }),
        status: d.success ? 'succeeded' : 'failed',
        output: d.output ?? '',
        path: d.path ?? undefined,
        content: d.content ?? undefined,
        previousContent: d.previousContent,
      };
      const parts = existing ? turn.parts ?? [] : [...(turn.parts ?? []), { kind: 'tool' as const, id: d.id }];
      // A permission still shown for this call was settled elsewhere (timeout, another window).
      let prompts = turn.prompts;
      let waitedMs = turn.waitedMs;
      for (const p of Object.values(prompts ?? {})) {
        if (p.kind === 'permission' && p.toolCallId === d.id && p.status === 'pending') {
          prompts = { ...prompts, [p.id]: { ...p, status: 'expired' } };
          waitedMs = addWait(waitedMs, p, now);
        }
      }
      return withTurn(state, { ...turn, parts, prompts, waitedMs, tools: { ...turn.tools, [d.id]: card } });
    }
    case 'AskUser': {
      const d = event.data;
      const id = String(d.id);
      if (turn.prompts?.[id]) return state;
      const prompt: PromptCard = { kind: 'ask', id, question: d.question, questionType: d.questionType, choices: d.choices ?? [], status: 'pending', shownAt: now };
      return withTurn(state, { ...turn, prompts: { ...turn.prompts, [id]: prompt }, parts: [...(turn.parts ?? []), { kind: 'prompt', id }] });
    }
    case 'AskUserForm': {
      const d = event.data;
      const id = String(d.id);
      if (turn.prompts?.[id]) return state;
      const prompt: PromptCard = { kind: 'form', id, title: d.title, fields: d.fields ?? [], status: 'pending', shownAt: now };
      return withTurn(state, { ...turn, prompts: { ...turn.prompts, [id]: prompt }, parts: [...(turn.parts ?? []), { kind: 'prompt', id }] });
    }
    case 'Done': {
      const data = event.data ?? {};
      return finish(state, { ...turn, usage: data.usage ?? undefined, doneReason: data.doneReason ?? undefined, warning: data.warning ?? undefined }, now, null);
    }
    case 'Error': {
      const { message, code } = event.data ?? { message: 'Unknown error' };
      const error = { message: message || 'Unknown error', code: code ?? undefined };
      return finish(state, { ...turn, error }, now, { ...error, source: 'stream' });
    }
    default:
      return state;
  }
}

function withTurn(state: ChatState, turn: ChatMessage): ChatState {
  return { ...state, streaming: turn };
}

/** Ends the streamed turn: it joins the transcript, nothing stays pending or running. */
function finish(state: ChatState, turn: ChatMessage, now: number, error: ErrorBanner | null): ChatState {
  const index = state.messages.length;
  const settled = expirePrompts({ ...turn, content: joinText(turn.parts), finishedAt: now }, now);
  return {
    ...state,
    messages: [...state.messages, settled],
    streaming: null,
    channelId: null,
    stopping: false,
    error,
    dirtyFrom: Math.min(state.dirtyFrom, index),
  };
}

/** Adds the time `prompt` has waited for the user until `now` to a turn's waiting time. */
function addWait(waitedMs: number | undefined, prompt: PromptCard, now: number | undefined): number | undefined {
  if (prompt.shownAt === undefined || now === undefined) return waitedMs;
  return (waitedMs ?? 0) + Math.max(0, now - prompt.shownAt);
}

/**
 * Pending prompts and running tools of a turn that is over can no longer be answered or finish.
 * With `now` (a turn ending), the time pending prompts waited counts as waiting for the user.
 * A settled proposal keeps its diff but drops its two whole texts: the tool's result has the file's
 * texts, and the saved chat should not hold every file twice more.
 */
function expirePrompts(message: ChatMessage, now?: number): ChatMessage {
  let { prompts, tools, waitedMs } = message;
  for (const p of Object.values(prompts ?? {})) {
    const status = p.status === 'pending' ? 'expired' : p.status;
    if (p.status === 'pending') waitedMs = addWait(waitedMs, p, now);
    const slim = p.kind === 'permission' && p.proposal && (p.proposal.content !== '' || p.proposal.previousContent);
    if (status !== p.status || slim) {
      const proposal = p.kind === 'permission' && p.proposal ? { ...p.proposal, content: '', previousContent: p.proposal.previousContent === null ? null : '' } : undefined;
      prompts = { ...prompts, [p.id]: { ...p, status, ...(proposal ? { proposal } : {}) } as PromptCard };
    }
  }
  for (const t of Object.values(tools ?? {})) {
    if (t.status === 'running' || t.status === 'awaiting_permission' || t.status === 'forming') tools = { ...tools, [t.id]: { ...t, status: 'interrupted' } };
  }
  return prompts === message.prompts && tools === message.tools ? message : { ...message, prompts, tools, waitedMs };
}

function answerPrompt(state: ChatState, id: string, answer: string | Record<string, string | string[]>, edited?: boolean, now?: number): ChatState {
  const turn = state.streaming;
  const prompt = turn?.prompts?.[id];
  if (!turn || !prompt || prompt.status !== 'pending') return state;
  const answered = { ...prompt, status: 'answered', answer, ...(edited ? { edited } : {}) } as PromptCard;
  let tools = turn.tools;
  // Whatever the decision, the tool now waits for its ToolResult (a rejection arrives as a failure).
  const tool = prompt.kind === 'permission' ? tools?.[prompt.toolCallId] : undefined;
  if (tool && tool.status === 'awaiting_permission') tools = { ...tools, [tool.id]: { ...tool, status: 'running' } };
  return withTurn(state, { ...turn, tools, prompts: { ...turn.prompts, [id]: answered }, waitedMs: addWait(turn.waitedMs, prompt, now) });
}

export function joinText(parts: Part[] | undefined): string {
  return (parts ?? [])
    .filter((p): p is Extract<Part, { kind: 'text' }> => p.kind === 'text')
    .map((p) => p.text)
    .filter((t) => t.length > 0)
    .join('\n\n');
}

function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New chat';
}

function isMessage(value: unknown): value is ChatMessage {
  const m = value as ChatMessage | null;
  return !!m && typeof m === 'object' && typeof m.id === 'string' && (m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string';
}

/** Whether the host's copy differs from this state (changed messages, or messages deleted). */
export function needsSave(state: ChatState): boolean {
  const length = allMessages(state).length;
  return state.dirtyFrom < length || state.storedLength > length;
}

/** All messages including the streamed turn, as saved and as the list shows them. */
export function allMessages(state: ChatState): ChatMessage[] {
  return state.streaming ? [...state.messages, state.streaming] : state.messages;
}
