// Wires scaffolding into the extension: the palette commands New Project, Run Dev Server and Stop
// Dev Server, the dev-server status bar menu, and the tailoring chat of a project that was just
// created and is now open. `extension.ts` calls `registerScaffoldCommands` once.
import * as vscode from 'vscode';
import { SIDEBAR_SESSION, type ChatViewProvider } from '../chat/chatViewProvider';
import type { ChannelRelay } from '../relay/channelRelay';
import type { SidecarSupervisor } from '../sidecar/supervisor';
import type { TerminalRunner } from '../terminal/runInTerminal';
import { DevServers } from './devServers';
import { newProject } from './newProject';
import { Tailoring } from './tailoring';

export interface ScaffoldDeps {
  context: vscode.ExtensionContext;
  view: ChatViewProvider;
  relay: ChannelRelay;
  supervisor: SidecarSupervisor;
  terminals: TerminalRunner;
}

export const NEW_PROJECT_COMMAND = 'prototyper.newProject';

export function registerScaffoldCommands(deps: ScaffoldDeps): vscode.Disposable[] {
  const tailoring = new Tailoring(deps.context.globalState, async (text) => {
    await deps.view.reveal();
    // Held by the relay until the chat is ready, so a view that is still loading gets it too.
    deps.relay.postEvent(SIDEBAR_SESSION, { type: 'event', event: { kind: 'startChat', text } });
  });
  const servers = new DevServers(deps.terminals);
  const register = (id: string, run: () => Promise<unknown>) =>
    vscode.commands.registerCommand(id, async () => {
      try {
        await run();
      } catch (error) {
        void vscode.window.showErrorMessage(`Prototyper: ${(error as Error).message ?? String(error)}`);
      }
    });

  const first = vscode.workspace.workspaceFolders?.[0];
  if (first?.uri.scheme === 'file') {
    void tailoring.resume(first.uri.fsPath).catch((error) => {
      void vscode.window.showErrorMessage(`Prototyper: could not start the tailoring chat: ${(error as Error).message}`);
    });
  }

  return [
    servers,
    register(NEW_PROJECT_COMMAND, () => newProject({ sidecar: deps.supervisor, relay: deps.relay, tailoring })),
    register('prototyper.runDevServer', () => servers.run()),
    register('prototyper.stopDevServer', () => servers.stop()),
    register('prototyper.devServerActions', () => servers.actions()),
  ];
}
