// Turns the transcript into the messages of a generate_completion_stream request: the system
// prompt, user turns with their attachments as fenced blocks (images as `images`), and assistant
// tool turns as ARCHITECTURE.md describes.
import type { Attachment } from '../../src/protocol/webviewMessages';
import type { ApiMessage, ChatMessage, ToolCard } from './types';

export const SYSTEM_PROMPT = [
  'You are Prototyper, a coding agent working inside the user\'s VS Code workspace.',
  'Help the user understand, write and change code. Be direct and concise; answer in Markdown.',
  'When tools are available, use them to read files before changing them, prefer small focused edits,',
  'and run commands only when they help. Paths are relative to the workspace root.',
  'Every write and command may need the user\'s permission; if they reject one, do not retry it unasked.',
  'When something is unclear, ask the user (ask_user) instead of guessing.',
  'Put code in fenced blocks with a language tag; when a block is meant for a file, name the path before it.',
].join('\n');

/** A fence longer than any backtick run inside `text`, so attached code cannot close it early. */
function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** An attachment as the model sees it: its path (and lines), then its text in a fenced block. */
export function formatAttachment(attachment: Attachment): string {
  const lines = attachment.startLine !== undefined ? ` (lines ${attachment.startLine}-${attachment.endLine ?? attachment.startLine})` : '';
  const fence = fenceFor(attachment.content);
  return `${attachment.path}${lines}:\n${fence}${attachment.languageId ?? ''}\n${attachment.content}\n${fence}`;
}

/** The user's text with attached text context before it (images travel apart, see `userMessage`). */
export function userContent(message: ChatMessage): string {
  const attachments = (message.attachments ?? []).filter((a) => a.kind !== 'image');
  if (attachments.length === 0) return message.content;
  return `${attachments.map(formatAttachment).join('\n\n')}\n\n${message.content}`;
}

/** A user turn: its text, and its images as base64 in `images`, which every provider maps. */
function userMessage(message: ChatMessage): ApiMessage {
  const images = (message.attachments ?? []).flatMap((a) => (a.kind === 'image' && a.data ? [a.data] : []));
  return images.length > 0 ? { role: 'user', content: userContent(message), images } : { role: 'user', content: userContent(message) };
}

function toolResultText(card: ToolCard): string {
  if (card.status === 'succeeded' || card.status === 'failed') return card.output ?? '';
  return 'No result: the turn ended before this tool finished.';
}

/** One assistant message from the transcript → assistant/tool API messages, split at tool calls. */
function assistantTurns(message: ChatMessage): ApiMessage[] {
  const out: ApiMessage[] = [];
  let text = '';
  let thinking = '';
  let calls: ToolCard[] = [];
  const flush = () => {
    if (calls.length === 0 && !text) return;
    const turn: ApiMessage = { role: 'assistant', content: text };
    if (thinking) turn.thinking = thinking;
    if (calls.length > 0) turn.toolCalls = calls.map((c) => ({ id: c.id, name: c.tool, arguments: c.args }));
    out.push(turn);
    for (const c of calls) out.push({ role: 'tool', content: toolResultText(c), toolCallId: c.id, toolName: c.tool });
    text = '';
    thinking = '';
    calls = [];
  };
  for (const part of message.parts ?? []) {
    if (part.kind === 'text') {
      if (calls.length > 0) flush();
      text += part.text;
      thinking += part.thinking;
    } else if (part.kind === 'tool') {
      const card = message.tools?.[part.id];
      if (card) calls.push(card);
    }
  }
  flush();
  if (out.length === 0 && message.content && !message.error) out.push({ role: 'assistant', content: message.content });
  return out;
}

/** The request's messages: system prompt first, then the conversation. */
export function buildApiMessages(messages: ChatMessage[], systemPrompt = SYSTEM_PROMPT): ApiMessage[] {
  const out: ApiMessage[] = [{ role: 'system', content: systemPrompt }];
  for (const message of messages) {
    if (message.role === 'user') out.push(userMessage(message));
    else out.push(...assistantTurns(message));
  }
  return out;
}
