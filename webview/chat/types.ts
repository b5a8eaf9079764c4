// Types of the chat UI: the CompletionEvent stream and request shapes (generated from the sidecar),
// and the transcript records the UI keeps and persists.
import type { Attachment, Provider } from '../../src/protocol/webviewMessages';

// Wire types come from the sidecar's generated copies (ts-rs), so they cannot drift.
import type { CompletionEvent } from '../../src/protocol/generated/CompletionEvent';
import type { FormField } from '../../src/protocol/generated/FormField';
import type { Message } from '../../src/protocol/generated/Message';
import type { ModelDetails } from '../../src/protocol/generated/ModelDetails';
import type { ModelOptions } from '../../src/protocol/generated/ModelOptions';
import type { ModelPreset } from '../../src/protocol/generated/ModelPreset';
import type { Usage } from '../../src/protocol/generated/Usage';
import type { Proposal } from '../../src/protocol/generated/Proposal';
import type { CommandReview } from '../../src/protocol/generated/CommandReview';
import type { ChangedFile } from '../../src/protocol/generated/ChangedFile';
import type { CheckpointSummary } from '../../src/protocol/generated/CheckpointSummary';

export type { ChangedFile, CheckpointSummary, CommandReview, CompletionEvent, FormField, ModelDetails, ModelOptions, ModelPreset, Proposal, Usage };

/** One message of a generate_completion_stream request (ARCHITECTURE.md, "The wire"). */
export type ApiMessage = Omit<Message, 'role'> & { role: 'system' | 'user' | 'assistant' | 'tool' };

/** `forming`: the model is still writing the call (ToolCallDelta); then it runs or waits. */
export type ToolStatus = 'forming' | 'running' | 'awaiting_permission' | 'succeeded' | 'failed' | 'interrupted';

/** A tool call as the card shows it, keyed by the tool call id. */
export interface ToolCard {
  id: string;
  tool: string;
  args: Record<string, unknown>;
  status: ToolStatus;
  /** While forming: the arguments' JSON text as far as it arrived (dropped once ToolCall came). */
  argsText?: string;
  output?: string;
  path?: string;
  content?: string;
  /** The file before a write_file/edit_file; null when it was new. */
  previousContent?: string | null;
}

export type PromptStatus = 'pending' | 'answered' | 'expired';

/** A question the agent waits on: a tool permission, an ask_user or an ask_user_form. */
export type PromptCard = (
  | {
      kind: 'permission';
      id: string;
      toolCallId: string;
      tool: string;
      args: Record<string, unknown>;
      reason?: string;
      /** write_file / edit_file: the change before it is made (its texts are dropped once answered). */
      proposal?: Proposal;
      /** bash: the command, its cwd and what needs care. */
      commandReview?: CommandReview;
      status: PromptStatus;
      answer?: string;
      /** The user accepted their own edit of the proposal. */
      edited?: boolean;
    }
  | { kind: 'ask'; id: string; question: string; questionType: 'text' | 'choice' | 'confirm'; choices: string[]; status: PromptStatus; answer?: string }
  | { kind: 'form'; id: string; title: string; fields: FormField[]; status: PromptStatus; answer?: Record<string, string | string[]> }
) & {
  /** When the card appeared (ms since epoch): the wait for the user is not the model's time. */
  shownAt?: number;
};

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
  /** A user turn that runs a saved workflow ("Run Workflow…") instead of asking the model. */
  workflow?: { workflowId: string; input?: string };
  parts?: Part[];
  tools?: Record<string, ToolCard>;
  prompts?: Record<string, PromptCard>;
  usage?: Usage;
  doneReason?: string;
  /** Done's warning: the answer came, but the model or server ignored the tools (and the fix). */
  warning?: string;
  error?: { message: string; code?: string | number };
  provider?: Provider;
  model?: string;
  startedAt?: number;
  firstTokenAt?: number;
  finishedAt?: number;
  /** How long the turn waited for the user's answers to its cards, in ms. */
  waitedMs?: number;
}

/** The banner shown under the conversation after a failed turn. */
export interface ErrorBanner {
  message: string;
  code?: string | number;
  /** Where the failure came from, for the hint shown with it. */
  source: 'stream' | 'invoke' | 'host';
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
