/**
 * The messages between the extension host and a chat webview (design.md §3), typed both ways.
 *
 * This file is imported by both runtimes (types only on the webview side) and must not import
 * `vscode` or Node modules.
 *
 * The model is the seed's: the webview calls `invoke(command, args)` and passes `Channel`s as args;
 * the host answers each invoke once and relays channel messages unchanged with their `id` and
 * `index`. Channels are serialized in args as `{ "__channel__": <id> }` by `webview/ipc.ts`, and
 * the host replaces that marker with the bare id before forwarding to the sidecar (design.md §2:
 * `onEvent: <channelId>`). Channel ids are chosen by the webview at random in [1, 2^53), so ids
 * from different webviews and reloads do not collide; the host refuses a duplicate id.
 */

/** One channel message as the sidecar sent it (the params of its `channel` notification). */
export interface ChannelEnvelope<T = unknown> {
  id: number;
  index: number;
  message: T;
  /** Present and true on the channel's last message. */
  terminal?: boolean;
}

/** The marker `ipc.ts` puts in invoke args where a `Channel` was passed. */
export interface ChannelRef {
  __channel__: number;
}

/** An error as a rejected invoke sees it: the JSON-RPC error of the sidecar or host. */
export interface InvokeError {
  code: number;
  message: string;
  data?: unknown;
}

// ---- webview → host ---------------------------------------------------------------------------

export type WebviewToHost =
  /**
   * Sent once the webview's script runs, and again after every (re)load. The host sends nothing
   * before it. `channels` maps each channel the webview still has open to the last index it has
   * processed (-1 for none); the host replays everything after that.
   */
  | { type: 'ready'; channels: Record<string, number> }
  /** A command call: a sidecar command or a host command (see `HostCommandName`). */
  | { type: 'invoke'; callId: number; command: string; args: Record<string, unknown> }
  /** The webview has processed channel `id` up to `index`; the host may drop what it kept. */
  | { type: 'ack'; id: number; index: number }
  /** The webview no longer wants channel `id` (its chat was closed); the host forgets it. */
  | { type: 'release'; id: number };

// ---- host → webview ---------------------------------------------------------------------------

export type HostToWebview =
  | { type: 'response'; callId: number; ok: true; result: unknown }
  | { type: 'response'; callId: number; ok: false; error: InvokeError }
  /** Channel messages, batched; in index order per channel, possibly several channels. */
  | { type: 'channel'; messages: ChannelEnvelope[] }
  /** A push from the host that is not an answer to anything (see `HostEvent`). */
  | { type: 'event'; event: HostEvent };

/** What the host tells the webview on its own initiative. */
export type HostEvent =
  /** The sidecar's state changed (starting, ready, crashed, stopped). */
  | { kind: 'sidecarState'; state: SidecarState; message?: string }
  /** Settings that the chat UI shows or sends changed. */
  | { kind: 'settings'; settings: ChatSettings }
  /** "Add Selection to Chat": text to attach to the next message. */
  | { kind: 'attach'; attachment: Attachment }
  /** "New Chat" from the view title or palette. */
  | { kind: 'newChat' }
  /** Focus the input (the focus keybinding). */
  | { kind: 'focusInput' }
  /** "Show Chat History": open (or close) the history list. */
  | { kind: 'showHistory' }
  /** "Pull a Model" (the walkthrough): open the pull panel. */
  | { kind: 'pullModel' }
  /** "Run Workflow…": run the saved workflow `workflowId` as this chat's next turn. */
  | { kind: 'runWorkflow'; workflowId: string; input?: string }
  /** Start a new chat with `text` as its first message (tailoring a new project). */
  | { kind: 'startChat'; text: string };

export type SidecarState = 'starting' | 'ready' | 'restarting' | 'crashed' | 'stopped';

/** A piece of context the user attached: a selection, an @-mentioned file, or an image. */
export interface Attachment {
  kind: 'selection' | 'file' | 'image';
  /** Workspace-relative path; for an image, the name it was pasted or dropped with. */
  path: string;
  /** 1-based inclusive line range for selections. */
  startLine?: number;
  endLine?: number;
  languageId?: string;
  /** The text of a selection or file; empty for an image. */
  content: string;
  /** An image's bytes, base64 without a `data:` prefix (what the providers take). */
  data?: string;
  /** An image's type: image/png, image/jpeg, image/gif or image/webp. */
  mimeType?: string;
}

export type Provider = 'ollama' | 'openai' | 'anthropic';
export type ToolPermissionMode = 'ask_every_time' | 'auto_accept_read_only' | 'auto_accept_all';

/** Settings the chat needs, read from `prototyper.*` (API keys are never sent to the webview). */
export interface ChatSettings {
  provider: Provider;
  model: string;
  ollamaHost: string;
  openaiHost: string;
  anthropicHost: string;
  toolPermissionMode: ToolPermissionMode;
  toolAllowlist: string[];
  maxToolCalls: number;
  toolsEnabled: boolean;
  workspaceTrusted: boolean;
  /** Which providers have an API key in SecretStorage. */
  hasApiKey: Record<Provider, boolean>;
  /** The user's locale (BCP 47, from the system), for dates; absent: the webview's own. */
  locale?: string;
}

/**
 * Commands the host implements itself (VS Code API); every other command name goes to the sidecar.
 * Args and results are listed in `HostCommands`.
 */
export interface HostCommands {
  /** Settings for the chat header. */
  get_settings: { args: Record<string, never>; result: ChatSettings };
  /** Change one `prototyper.*` setting (provider, model, permission mode, tools on/off, …). */
  update_setting: { args: { key: string; value: unknown }; result: null };
  /** Adds a tool to `prototyper.toolAllowlist` (Always Allow). */
  allow_tool: { args: { tool: string }; result: null };
  /** Insert code at the active editor's cursor (replacing the selection). */
  insert_at_cursor: { args: { code: string }; result: null };
  /** Show a diff of `path` against `code` and apply it only if the user accepts. */
  apply_to_file: { args: { path?: string; code: string; languageId?: string }; result: { applied: boolean } };
  /** Open `code` in a new untitled editor. */
  open_in_editor: { args: { code: string; languageId?: string }; result: null };
  /** Open VS Code's diff of a tool's change: `before` (may be empty) against the file now. */
  open_diff: { args: { path: string; before?: string }; result: null };
  /** Open a workspace file. */
  open_file: { args: { path: string; line?: number }; result: null };
  /** Copy text to the clipboard. */
  copy_text: { args: { text: string }; result: null };
  /** Workspace files whose path matches `query` (for @-mentions). */
  find_files: { args: { query: string; limit?: number }; result: string[] };
  /** Read a workspace file as an attachment (respects unsaved editor contents). */
  read_attachment: { args: { path: string }; result: Attachment };
  /** Chat history for this workspace; with `query`, the chats whose title or messages contain it. */
  list_chats: { args: { query?: string }; result: ChatSummary[] };
  /** Gives a saved chat a new title. */
  rename_chat: { args: { chatId: string; title: string }; result: null };
  /** Opens VS Code's Settings on one setting (`prototyper.*` and the few the chat names). */
  open_setting: { args: { key: string }; result: null };
  /** Runs one of the extension's own commands the chat offers (restart, output, walkthrough, …). */
  run_command: { args: { command: string }; result: null };
  load_chat: { args: { chatId: string }; result: StoredChat | null };
  /** Persists a chat. `messages` replaces the stored list from `fromIndex` on. */
  save_chat: { args: { chatId: string; title: string; fromIndex: number; messages: unknown[]; createdAt: number }; result: null };
  /** Deletes a chat after the user confirms in a modal; returns whether it was deleted. */
  delete_chat: { args: { chatId: string }; result: { deleted: boolean } };
  /** Set an API key (prompts in VS Code; the key never reaches the webview). */
  set_api_key: { args: { provider: Provider }; result: null };
  /** Reveal a workspace path in VS Code's explorer (`reveal_in_explorer`). */
  reveal_in_explorer: { args: { path: string }; result: null };
  /** A pending proposal in VS Code's diff editor: the file now ↔ the proposal, which can be edited. */
  open_proposal: { args: { permissionId: string; path: string; content: string }; result: null };
  /** What the user made of a proposal opened with `open_proposal` (closes its diff). */
  take_proposal_edit: { args: { permissionId: string }; result: { edited: boolean; content?: string } };
  /** Restore checkpoint: the files an answer and every later one changed, back to before it (asks first). */
  restore_checkpoint: { args: { chatId: string; messageId: string }; result: CheckpointOutcome };
  /** Undo an answer's changes to `paths` (all its files without `paths`); asks about files edited since. */
  undo_checkpoint_files: { args: { chatId: string; messageId: string; paths?: string[] }; result: CheckpointOutcome };
  /** A multi-file diff of what an answer changed. */
  compare_checkpoint: { args: { chatId: string; messageId: string }; result: null };
  /** The diff of one changed file: before the answer ↔ now. */
  open_checkpoint_diff: { args: { chatId: string; messageId: string; path: string }; result: null };
}

/** What a restore or undo did. */
export interface CheckpointOutcome {
  restored: string[];
  skipped: { path: string; reason: string }[];
  /** The user also asked to delete the messages after the restored one. */
  dropLater: boolean;
  cancelled: boolean;
}

export type HostCommandName = keyof HostCommands;

export interface ChatSummary {
  chatId: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
  /** With a search: where the query was found in a message, trimmed around it. */
  snippet?: string;
}

export interface StoredChat extends ChatSummary {
  messages: unknown[];
}

/**
 * AI commands whose provider credentials the host fills in: for these, the host sets `host` and
 * `apiKey` in the args from `prototyper.*` settings and SecretStorage for the args' `provider`
 * (default `ollama`) before forwarding to the sidecar. The webview never holds an API key.
 */
export const COMMANDS_WITH_PROVIDER_CREDENTIALS = [
  'generate_completion',
  'generate_completion_stream',
  'list_ollama_models',
  'list_anthropic_models',
  'list_openai_models',
  'pull_ollama_model',
  'get_model_info',
  'run_workflow',
] as const;

/**
 * Error codes the host itself answers invokes with (the sidecar's codes are in design.md §2 and
 * sidecar/src/error.rs; the host reuses those for bad args (-32602), not found (-32010), I/O
 * (-32011) and paths outside the workspace (-32012)).
 */
export const HOST_ERROR_CODES = {
  /** The sidecar is not running (starting failed, crashed, stopped) or died before answering. */
  sidecarUnavailable: -32020,
  /** A VS Code operation could not be done (no editor, the file changed since the diff, …). */
  hostCommandFailed: -32021,
} as const;

/**
 * What the host puts in `<div id="root" data-initial="…">` (JSON): which surface this webview is.
 * A panel's webview may keep `panelId` in its `setState` state as `panelId` so a restored panel
 * keeps its identity.
 */
export interface WebviewInitialData {
  view: 'sidebar' | 'panel';
  panelId?: string;
}
