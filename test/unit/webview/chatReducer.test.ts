// The chat reducer and the request builder: events build the streamed turn, every terminal ends it
// with nothing pending, old messages keep their identity, and tool turns reach the API as ARCHITECTURE.md describes.
import { describe, expect, it } from 'vitest';
import { buildApiMessages, SYSTEM_PROMPT } from '../../../webview/chat/apiMessages';
import { allMessages, chatReducer, emptyChat, needsSave, type ChatState } from '../../../webview/chat/reducer';
import type { ChatMessage, CompletionEvent } from '../../../webview/chat/types';

const user = (id: string, content: string): ChatMessage => ({ id, role: 'user', content });
const assistant = (id: string): ChatMessage => ({ id, role: 'assistant', content: '', parts: [] });

function started(): ChatState {
  return chatReducer(emptyChat('c1', 0), { type: 'send', user: user('u1', 'hello there'), assistant: assistant('a1'), channelId: 7 });
}

function apply(state: ChatState, ...events: CompletionEvent[]): ChatState {
  return events.reduce((s, event, i) => chatReducer(s, { type: 'event', channelId: 7, event, now: 100 + i }), state);
}

describe('chatReducer', () => {
  it('accumulates chunks and thinking into one text part and records the first token time', () => {
    const s = apply(started(), { event: 'Chunk', data: { text: 'Hel', thinking: 'hmm' } }, { event: 'Chunk', data: { text: 'lo' } });
    expect(s.streaming?.parts).toEqual([{ kind: 'text', text: 'Hello', thinking: 'hmm' }]);
    expect(s.streaming?.firstTokenAt).toBe(100);
    expect(s.title).toBe('hello there');
  });

  it('shows a tool call as soon as it is named and fills its arguments live, then runs it', () => {
    const s = apply(
      started(),
      { event: 'ToolCallDelta', data: { id: 't1', tool: 'write_file', argsDelta: '' } },
      { event: 'ToolCallDelta', data: { id: 't1', tool: 'write_file', argsDelta: '{"path": "a.t' } },
      { event: 'ToolCallDelta', data: { id: 't1', tool: 'write_file', argsDelta: 'xt", "content": "hi' } },
    );
    expect(s.streaming?.parts).toEqual([{ kind: 'tool', id: 't1' }]);
    expect(s.streaming?.tools?.t1).toMatchObject({ status: 'forming', argsText: '{"path": "a.txt", "content": "hi' });
    const called = apply(s, { event: 'ToolCall', data: { id: 't1', tool: 'write_file', args: { path: 'a.txt', content: 'hi' } } });
    expect(called.streaming?.parts).toEqual([{ kind: 'tool', id: 't1' }]);
    expect(called.streaming?.tools?.t1).toEqual({ id: 't1', tool: 'write_file', args: { path: 'a.txt', content: 'hi' }, status: 'running' });
    // A late delta cannot reopen a call that was stated whole; a stream that ends mid-call interrupts it.
    expect(apply(called, { event: 'ToolCallDelta', data: { id: 't1', tool: 'write_file', argsDelta: 'x' } }).streaming).toBe(called.streaming);
    const cut = apply(s, { event: 'Done', data: { doneReason: 'cancelled' } });
    expect(cut.messages.at(-1)?.tools?.t1.status).toBe('interrupted');
  });

  it('keeps the warning a Done carries', () => {
    const s = apply(started(), { event: 'Chunk', data: { text: 'x' } }, { event: 'Done', data: { warning: 'The server ignored the tools — set prototyper.openai.toolChoice.' } });
    expect(s.messages.at(-1)?.warning).toContain('prototyper.openai.toolChoice');
  });

  it('keeps old messages identical while a turn streams', () => {
    const s0 = started();
    const s1 = apply(s0, { event: 'Chunk', data: { text: 'x' } });
    expect(s1.messages).toBe(s0.messages);
  });

  it('builds tool cards, permission and ask cards, and settles them at Done', () => {
    const s = apply(
      started(),
      { event: 'Chunk', data: { text: 'Let me look.' } },
      { event: 'ToolCall', data: { id: 't1', tool: 'bash', args: { command: 'ls' } } },
      { event: 'ToolPermission', data: { id: 5, toolCallId: 't1', tool: 'bash', args: { command: 'ls' }, reason: 'runs a command' } },
    );
    expect(s.streaming?.tools?.t1.status).toBe('awaiting_permission');
    expect(s.streaming?.prompts?.['5']).toMatchObject({ kind: 'permission', status: 'pending', reason: 'runs a command' });
    const answered = chatReducer(s, { type: 'promptAnswered', id: '5', answer: 'accepted' });
    expect(answered.streaming?.tools?.t1.status).toBe('running');
    const s2 = apply(
      answered,
      { event: 'ToolResult', data: { id: 't1', tool: 'bash', success: true, output: 'a\nb' } },
      { event: 'AskUser', data: { id: 6, question: 'Which?', questionType: 'choice', choices: ['a', 'b'] } },
      { event: 'ToolCall', data: { id: 't2', tool: 'read_file', args: { path: 'x' } } },
      { event: 'Done', data: { doneReason: 'stop', usage: { promptTokens: 1, completionTokens: 2, timeToFirstTokenMs: 3, tokensPerSecond: 4, totalDurationMs: 5, truncated: true, estimated: false } } },
    );
    expect(s2.streaming).toBeNull();
    expect(s2.channelId).toBeNull();
    const done = s2.messages[1];
    expect(done.tools?.t1.status).toBe('succeeded');
    expect(done.tools?.t2.status).toBe('interrupted');
    expect(done.prompts?.['6'].status).toBe('expired');
    expect(done.usage?.truncated).toBe(true);
    expect(done.content).toBe('Let me look.');
    expect(done.parts?.map((p) => p.kind)).toEqual(['text', 'tool', 'prompt', 'prompt', 'tool']);
  });

  it('ends the turn on Error with a banner, and ignores events of other channels and after the end', () => {
    const s = apply(started(), { event: 'Error', data: { message: 'boom', code: 'provider' } });
    expect(s.error).toMatchObject({ message: 'boom', source: 'stream' });
    expect(s.messages[1].error?.message).toBe('boom');
    const after = apply(s, { event: 'Chunk', data: { text: 'late' } });
    expect(after).toBe(s);
    const other = chatReducer(started(), { type: 'event', channelId: 8, event: { event: 'Chunk', data: { text: 'x' } }, now: 1 });
    expect(other.streaming?.parts).toEqual([]);
  });

  it('ends the turn when the invoke fails without a terminal event', () => {
    const s = chatReducer(started(), { type: 'streamFailed', channelId: 7, error: { message: 'no model', source: 'invoke' }, now: 9 });
    expect(s.streaming).toBeNull();
    expect(s.error?.message).toBe('no model');
  });

  it('tracks the first unsaved index through saves, deletes and new turns', () => {
    let s = started();
    expect(s.dirtyFrom).toBe(0);
    s = chatReducer(s, { type: 'markSaved', end: s.messages.length, storedLength: 2 });
    expect(s.dirtyFrom).toBe(1);
    s = apply(s, { event: 'Done', data: {} });
    expect(s.dirtyFrom).toBe(1);
    s = chatReducer(s, { type: 'markSaved', end: 2, storedLength: 2 });
    expect(s.dirtyFrom).toBe(2);
    s = chatReducer(s, { type: 'deleteFrom', index: 1 });
    expect(s.dirtyFrom).toBe(1);
    expect(allMessages(s)).toHaveLength(1);
    expect(needsSave(s)).toBe(true);
  });
});

describe('buildApiMessages', () => {
  it('puts the system prompt first and attachments as fenced blocks with their path', () => {
    const msgs = buildApiMessages([{ ...user('u', 'explain'), attachments: [{ kind: 'selection', path: 'src/a.ts', startLine: 2, endLine: 4, languageId: 'typescript', content: 'const s = "```";' }] }]);
    expect(msgs[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT });
    expect(msgs[1].content).toBe('src/a.ts (lines 2-4):\n````typescript\nconst s = "```";\n````\n\nexplain');
  });

  it('splits an assistant turn at tool calls into assistant + tool messages', () => {
    let s = apply(
      started(),
      { event: 'Chunk', data: { text: 'First', thinking: 'plan' } },
      { event: 'ToolCall', data: { id: 't1', tool: 'read_file', args: { path: 'a' } } },
      { event: 'ToolCall', data: { id: 't2', tool: 'bash', args: { command: 'ls' } } },
      { event: 'ToolResult', data: { id: 't1', tool: 'read_file', success: true, output: 'A' } },
      { event: 'ToolResult', data: { id: 't2', tool: 'bash', success: false, output: 'denied' } },
      { event: 'Chunk', data: { text: 'Then' } },
      { event: 'Done', data: {} },
    );
    s = chatReducer(s, { type: 'send', user: user('u2', 'more'), assistant: assistant('a2'), channelId: 9 });
    expect(buildApiMessages(s.messages).slice(1)).toEqual([
      { role: 'user', content: 'hello there' },
      { role: 'assistant', content: 'First', thinking: 'plan', toolCalls: [{ id: 't1', name: 'read_file', arguments: { path: 'a' } }, { id: 't2', name: 'bash', arguments: { command: 'ls' } }] },
      { role: 'tool', content: 'A', toolCallId: 't1', toolName: 'read_file' },
      { role: 'tool', content: 'denied', toolCallId: 't2', toolName: 'bash' },
      { role: 'assistant', content: 'Then' },
      { role: 'user', content: 'more' },
    ]);
  });
});
