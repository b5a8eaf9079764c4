// The "Prototyper: …" commands of the command palette, menus and keybindings.
import * as vscode from 'vscode';
import type { ChatPanels } from '../chat/chatPanels';
import { SIDEBAR_SESSION, type ChatViewProvider } from '../chat/chatViewProvider';
import type { Attachment, HostEvent, Provider } from '../protocol/webviewMessages';
import type { ChannelRelay } from '../relay/channelRelay';
import type { ApiKeys } from '../secrets';
import { providerHost, SECTION } from '../settings';
import type { SidecarSupervisor } from '../sidecar/supervisor';
import type { TerminalRunner } from '../terminal/runInTerminal';

export interface PaletteDeps {
  view: ChatViewProvider;
  panels: ChatPanels;
  relay: ChannelRelay;
  apiKeys: ApiKeys;
  supervisor: SidecarSupervisor;
  output: vscode.OutputChannel;
  terminals: TerminalRunner;
  settingsChanged(): void;
}

/** The chat a command acts on: the last used visible editor chat, else the sidebar (revealed). */
export async function targetChat(deps: Pick<PaletteDeps, 'view' | 'panels'>): Promise<string> {
  const panel = deps.panels.lastActiveVisible();
  if (panel) {
    panel.panel.reveal(undefined, false);
    return panel.sessionKey;
  }
  await deps.view.reveal();
  return SIDEBAR_SESSION;
}

/** Reveals the target chat and posts it `event`; held by the relay until a loading chat is ready. */
export async function sendToChat(deps: Pick<PaletteDeps, 'view' | 'panels' | 'relay'>, event: HostEvent): Promise<void> {
  deps.relay.postEvent(await targetChat(deps), { type: 'event', event });
}

export function registerPaletteCommands(deps: PaletteDeps): vscode.Disposable[] {
  const send = (sessionKey: string, event: HostEvent) => deps.relay.postEvent(sessionKey, { type: 'event', event });

  const register = (id: string, run: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (error) {
        void vscode.window.showErrorMessage(`Prototyper: ${(error as Error).message ?? String(error)}`);
      }
    });

  return [
    register('prototyper.focusChat', async () => {
      send(await targetChat(deps), { kind: 'focusInput' });
    }),
    register('prototyper.openChatInEditor', () => deps.panels.open()),
    register('prototyper.newChat', async () => {
      send(await targetChat(deps), { kind: 'newChat' });
    }),
    register('prototyper.addSelectionToChat', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.selection.isEmpty) {
        void vscode.window.showInformationMessage('Prototyper: select some code in an editor first, then add it to the chat.');
        return;
      }
      const { document, selection } = editor;
      const attachment: Attachment = {
        kind: 'selection',
        path: vscode.workspace.asRelativePath(document.uri, false),
        startLine: selection.start.line + 1,
        // A selection ending at column 0 of a line does not include that line.
        endLine: selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1,
        languageId: document.languageId,
        content: document.getText(selection),
      };
      send(await targetChat(deps), { kind: 'attach', attachment });
    }),
    register('prototyper.setApiKey', async () => {
      if (await deps.apiKeys.prompt()) deps.settingsChanged();
    }),
    register('prototyper.restartSidecar', async () => {
      await deps.supervisor.restart('requested by the user');
      // Say what happened: a restart is otherwise invisible when it works.
      const status = deps.supervisor.status;
      if (status.state === 'ready') {
        void vscode.window.showInformationMessage(`Prototyper: the sidecar restarted${status.sidecarVersion ? ` (prototyper-sidecar ${status.sidecarVersion})` : ''}.`);
      } else {
        const choice = await vscode.window.showErrorMessage(`Prototyper: the sidecar did not restart (${status.state}${status.message ? `: ${status.message}` : ''}).`, 'Show Output');
        if (choice === 'Show Output') deps.output.show(true);
      }
    }),
    register('prototyper.showSidecarOutput', () => deps.output.show(true)),
    register('prototyper.selectModel', () => selectModel(deps)),
    register('prototyper.runCommandInTerminal', async () => {
      const command = await vscode.window.showInputBox({
        title: 'Prototyper: Run Command in Terminal',
        prompt: 'Runs in the workspace folder through the sidecar (its command allowlist applies: bun, npm, node, git, …).',
        placeHolder: 'npm run build',
        ignoreFocusOut: true,
      });
      if (!command?.trim()) return;
      deps.terminals.runProcess({
        name: `Prototyper: ${command.trim().split(/\s+/)[0]}`,
        commandLine: command.trim(),
        method: 'run_shell_command',
        params: { cwd: '.', command: command.trim() },
      });
    }),
  ];
}

/** Picks a model of the configured provider from the sidecar's model list. */
async function selectModel(deps: PaletteDeps): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const provider = (config.get<string>('provider') ?? 'ollama') as Provider;
  const method = provider === 'openai' ? 'list_openai_models' : provider === 'anthropic' ? 'list_anthropic_models' : 'list_ollama_models';
  const models = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Prototyper: listing ${provider} models…` },
    async () =>
      (await deps.supervisor.request(method, { host: providerHost(provider), apiKey: await deps.apiKeys.get(provider) })) as Array<{
        id: string;
        name?: string;
        displayName?: string;
        parameterSize?: string;
      }>,
  );
  const current = config.get<string>('model', '');
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({
      label: m.id,
      description: [m.displayName ?? (m.name !== m.id ? m.name : undefined), m.parameterSize, m.id === current ? '(current)' : undefined].filter(Boolean).join(' '),
    })),
    { title: `Prototyper: Select Model (${provider})`, placeHolder: models.length ? 'Model for new messages' : 'No models found' },
  );
  if (!picked) return;
  const inspected = config.inspect('model');
  await config.update('model', picked.label, inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
}
