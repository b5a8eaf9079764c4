// The table of host commands (webviewMessages.ts `HostCommands`): each name the webview may
// invoke that the host answers itself with VS Code API, instead of forwarding to the sidecar.
import * as vscode from 'vscode';
import type { ChatStore } from '../chat/chatStore';
import type { ChatSettings, Provider } from '../protocol/webviewMessages';
import type { HostCommandTable } from '../relay/invokeRouter';
import { HostCommandError } from '../relay/invokeRouter';
import type { ApiKeys } from '../secrets';
import { allowTool, PROVIDERS, updateSettingFromWebview } from '../settings';
import { requireString } from './args';
import { applyToFile } from '../inline/applyToFile';
import type { InlineController } from '../inline/inlineController';
import { insertAtCursor, openDiff, openFile, openInEditor, type EditorTracker } from './editorCommands';
import type { ProposalDocuments } from './proposalDocuments';
import { findFiles, readAttachment, revealInExplorer } from './workspaceCommands';
import type { CheckpointCommands } from '../edits/checkpointCommands';
import type { ProposalEditor } from '../edits/proposalEditor';

export interface HostCommandDeps {
  chatSettings(): Promise<ChatSettings>;
  /** Tell every chat the settings changed (after a write the chat made itself, too). */
  settingsChanged(): void;
  apiKeys: ApiKeys;
  chats: ChatStore;
  proposals: ProposalDocuments;
  editors: EditorTracker;
  inline: InlineController;
  proposalEditor: ProposalEditor;
  checkpoints: CheckpointCommands;
  /** Removes a deleted chat's checkpoints (the sidecar keeps them). */
  deleteCheckpoints(chatId: string): Promise<void>;
}

/** The settings `open_setting` opens: this extension's own. */
const SETTING_ID = /^prototyper\.[A-Za-z][\w.]*$/;

/**
 * The extension's commands the chat's buttons may run. A list, not any command: the webview shows
 * model output, and must not be able to run arbitrary VS Code commands.
 */
export const CHAT_COMMANDS: readonly string[] = [
  'prototyper.restartSidecar',
  'prototyper.showSidecarOutput',
  'prototyper.selectModel',
  'prototyper.setApiKey',
  'prototyper.openWalkthrough',
  'prototyper.checkProvider',
  'prototyper.newProject',
];

export function createHostCommands(deps: HostCommandDeps): HostCommandTable {
  return {
    get_settings: () => deps.chatSettings(),
    update_setting: async (args) => {
      await updateSettingFromWebview(requireString(args, 'key'), args.value);
      return null;
    },
    allow_tool: async (args) => {
      await allowTool(requireString(args, 'tool'));
      return null;
    },
    insert_at_cursor: (args) => insertAtCursor(deps.editors, args),
    apply_to_file: (args) => applyToFile(deps.inline, deps.proposals, deps.editors, args),
    open_in_editor: (args) => openInEditor(args),
    open_diff: (args) => openDiff(deps.proposals, args),
    open_file: (args) => openFile(args),
    copy_text: async (args) => {
      await vscode.env.clipboard.writeText(requireString(args, 'text', { allowEmpty: true }));
      return null;
    },
    find_files: (args) => findFiles(args),
    read_attachment: (args) => readAttachment(args),
    list_chats: (args) => deps.chats.list(typeof args.query === 'string' ? args.query : ''),
    rename_chat: async (args) => {
      await deps.chats.rename(args.chatId, args.title);
      return null;
    },
    open_setting: async (args) => {
      const key = requireString(args, 'key');
      if (!SETTING_ID.test(key)) throw new HostCommandError(-32602, `"${key}" is not a setting the chat opens; it opens prototyper.* settings.`);
      await vscode.commands.executeCommand('workbench.action.openSettings', `@id:${key}`);
      return null;
    },
    run_command: async (args) => {
      const command = requireString(args, 'command');
      if (!CHAT_COMMANDS.includes(command)) throw new HostCommandError(-32602, `The chat cannot run "${command}". It may run: ${CHAT_COMMANDS.join(', ')}.`);
      await vscode.commands.executeCommand(command);
      return null;
    },
    load_chat: (args) => deps.chats.load(args.chatId),
    save_chat: async (args) => {
      await deps.chats.save({
        chatId: args.chatId as string,
        title: args.title as string,
        fromIndex: args.fromIndex as number,
        messages: args.messages as unknown[],
        createdAt: args.createdAt as number,
      });
      return null;
    },
    delete_chat: async (args) => {
      const chatId = requireString(args, 'chatId');
      const chat = await deps.chats.load(chatId);
      const title = chat?.title ? `"${chat.title}"` : 'this chat';
      const choice = await vscode.window.showWarningMessage(`Delete ${title}?`, { modal: true, detail: 'Its messages are removed from this workspace\'s history.' }, 'Delete');
      if (choice !== 'Delete') return { deleted: false };
      const deleted = await deps.chats.delete(chatId);
      // Its checkpoints go with it; a failure leaves them to the next deletion, not the chat.
      await deps.deleteCheckpoints(chatId).catch(() => {});
      return { deleted };
    },
    set_api_key: async (args) => {
      const provider = args.provider as Provider;
      if (!PROVIDERS.includes(provider)) throw new HostCommandError(-32602, `"provider" must be one of ${PROVIDERS.join(', ')}.`);
      if (await deps.apiKeys.prompt(provider)) deps.settingsChanged();
      return null;
    },
    reveal_in_explorer: (args) => revealInExplorer(args),
    open_proposal: (args) => deps.proposalEditor.openDiff(args),
    take_proposal_edit: (args) => deps.proposalEditor.take(args),
    restore_checkpoint: (args) => deps.checkpoints.restore(args),
    undo_checkpoint_files: (args) => deps.checkpoints.undo(args),
    compare_checkpoint: (args) => deps.checkpoints.compare(args),
    open_checkpoint_diff: (args) => deps.checkpoints.openFileDiff(args),
  };
}
