// Types of the chat UI: the CompletionEvent stream (contracts.md, camelCase data), the API message
// shape of generate_completion_stream, and the transcript records the UI keeps and persists.
import type { Attachment, Provider } from '../../src/protocol/webviewMessages';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  timeToFirstTokenMs: number;
  tokensPerSecond: number;
  totalDurationMs: number;
  truncated: boolean;
  contextLength?: number;
}

export interface FormField {
  id: string;
  label: string;
  fieldType: 'text' | 'choice' | 'multiselect' | 'confirm';
  choices?: string[] | null;
  placeholder?: string | null;
  required?: boolean | null;
}

export type CompletionEvent =
  | { event: 'Chunk'; data: { text: string; thinking?: string | null } }
  | { event: 'ToolCall'; data: { id: string; tool: string; args: Record<string, unknown> } }
  | { event: 'ToolPermission'; data: { id: number | string; toolCallId: string; tool: string; args: Record<string, unknown>; reason?: string | null } }
  | {
      event: 'ToolResult';
      data: { id: string; tool: string; success: boolean; output: string; path?: string | null; content?: string | null; previousContent?: string | null };
    }
  | { event: 'AskUser'; data: { id: number | string; question: string; questionType: 'text' | 'choice' | 'confirm'; choices?: string[] | null } }
  | { event: 'AskUserForm'; data: { id: number | string; title: string; fields: FormField[] } }
  | { event: 'Done'; data?: { doneReason?: string | null; usage?: Usage | null } | null }
  | { event: 'Error'; data: { message: string; code?: string | number | null } };

/** One message of a generate_completion_stream request (contracts.md "AI command params"). */
export interface ApiMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  thinking?: string;
  images?: string[];
  toolCalls?: { id: string; name: string; arguments: Record<string, unknown> }[];
  toolCallId?: string;
  toolName?: string;
}

export type ToolStatus = 'running' | 'awaiting_permission' | 'succeeded' | 'failed' | 'interrupted';

/** A tool call as the card shows it, keyed by the tool call id. */
export interface ToolCard {
  id: string;
  tool: string;
  args: Record<string, unknown>;
  status: ToolStatus;
  output?: string;
  path?: string;
  content?: string;
  /** The file before a write_file/edit_file; null when it was new. */
  previousContent?: string | null;
}

export type PromptStatus = 'pending' | 'answered' | 'expired';

/** A question the agent waits on: a tool permission, an ask_user or an ask_user_form. */
export type PromptCard =
  | { kind: 'permission'; id: string; toolCallId: string; tool: string; args: Record<string, unknown>; reason?: string; status: PromptStatus; answer?: string }
  | { kind: 'ask'; id: string; question: string; questionType: 'text' | 'choice' | 'confirm'; choices: string[]; status: PromptStatus; answer?: string }
  | { kind: 'form'; id: string; title: string; fields: FormField[]; status: PromptStatus; answer?: Record<string, string | string[]> };

/** The ordered pieces of an assistant turn: text between tool calls, tools, prompts. */
export type Part =
  | { kind: 'text'; text: string; thinking: string }
  | { kind: 'tool'; id: string }
  | { kind: 'prompt'; id: string };

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  /** User: what they typed. Assistant: all text parts joined (filled when the turn ends). */
  content: string;
  attachments?: Attachment[];
  parts?: Part[];
  tools?: Record<string, ToolCard>;
  prompts?: Record<string, PromptCard>;
  usage?: Usage;
  doneReason?: string;
  error?: { message: string; code?: string | number };
  provider?: Provider;
  model?: string;
  startedAt?: number;
  firstTokenAt?: number;
  finishedAt?: number;
}

/** The banner shown under the conversation after a failed turn. */
export interface ErrorBanner {
  message: string;
  code?: string | number;
  /** Where the failure came from, for the hint shown with it. */
  source: 'stream' | 'invoke' | 'host';
}

/** Model options sent with a request (contracts.md ModelOptions). */
export interface ModelOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
  numCtx?: number;
  numPredict?: number;
  repeatPenalty?: number;
  repeatLastN?: number;
  seed?: number;
  mirostat?: number;
  mirostatTau?: number;
  mirostatEta?: number;
  tfsZ?: number;
}

export interface ModelPreset {
  id: string;
  name: string;
  description: string;
  options: ModelOptions;
  builtIn?: boolean;
}

/** A model as the picker shows it, whatever the provider. */
export interface ModelInfo {
  id: string;
  label: string;
  capabilities: string[];
  contextLength?: number;
  parameterSize?: string;
  family?: string;
}
