// The extension's entry point: starts the sidecar supervisor and wires it, the relay, the chat
// views, inline code in the editor, host commands, palette commands, status bar, settings and
// trust together.
// First, so that it runs before the rest of the bundle: the clock for the activation time logged.
import { codeStartedAt } from './activationClock';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ChatPanels, CHAT_PANEL_TYPE } from './chat/chatPanels';
import { ChatStore } from './chat/chatStore';
import { ChatViewProvider, CHAT_VIEW_ID } from './chat/chatViewProvider';
import { EditorTracker } from './commands/editorCommands';
import { createHostCommands } from './commands/hostCommands';
import { registerPaletteCommands, sendToChat } from './commands/paletteCommands';
import { registerSetupCommands, WALKTHROUGH_ID } from './commands/setupCommands';
import { ProposalDocuments } from './commands/proposalDocuments';
import { InlineController } from './inline/inlineController';
import { registerInlineCommands } from './inline/inlineCommands';
import { CheckpointCommands } from './edits/checkpointCommands';
import { ProposalEditor } from './edits/proposalEditor';
import type { HostToWebview, Provider } from './protocol/webviewMessages';
import { ChannelRelay } from './relay/channelRelay';
import { InvokeRouter } from './relay/invokeRouter';
import { WebviewBridge } from './relay/webviewBridge';
import { ApiKeys } from './secrets';
import { providerHost, readChatSettings, SECTION, timeouts } from './settings';
import { registerScaffoldCommands } from './scaffold/commands';
import { createSidecarSupervisor, outputLogger } from './sidecar/sidecarHost';
import type { SidecarSupervisor, SupervisorStatus } from './sidecar/supervisor';
import { ProviderHealth } from './providerHealth';
import { PrototyperStatusBar } from './statusBar';
import { registerExport } from './export';
import { imagesFolder } from './images/imagesView';
import { registerImages } from './images';
import { registerSearch, searxngUrl } from './search';
import { registerWorkflows } from './workflows';
import { TerminalRunner } from './terminal/runInTerminal';

/** What `activate` returns: for the integration tests and for other parts of the extension. */
export interface PrototyperApi {
  supervisor: SidecarSupervisor;
  relay: ChannelRelay;
  router: InvokeRouter;
  terminals: TerminalRunner;
  inline: InlineController;
}

let supervisor: SidecarSupervisor | undefined;

/** Settings whose change only reaches the sidecar at its next start (they are `initialize` params). */
const RESTART_SETTINGS = ['sidecar.path', 'packageManager', 'ollama.host', 'openai.host', 'anthropic.host'].map((key) => `${SECTION}.${key}`);

export function activate(context: vscode.ExtensionContext): PrototyperApi {
  const activateStartedAt = performance.now();
  const output = vscode.window.createOutputChannel('Prototyper Sidecar');
  const logger = outputLogger(output);
  const sidecar = createSidecarSupervisor(context, logger);
  supervisor = sidecar;
  const relay = new ChannelRelay();
  const apiKeys = new ApiKeys(context.secrets);
  const chats = new ChatStore(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'chats'));
  const proposals = new ProposalDocuments();
  const proposalEditor = new ProposalEditor(proposals);
  const checkpoints = new CheckpointCommands(sidecar, proposals);
  const editors = new EditorTracker();
  const currentProvider = () => readChatSettings({ ollama: false, openai: false, anthropic: false }).provider;
  const statusBar = new PrototyperStatusBar(() => {
    const provider = currentProvider();
    return { provider, model: vscode.workspace.getConfiguration(SECTION).get<string>('model', ''), host: providerHost(provider) };
  });
  const health = new ProviderHealth({
    request: (method, params) => sidecar.request(method, params),
    target: async () => {
      const provider: Provider = currentProvider();
      return { provider, host: providerHost(provider), apiKey: await apiKeys.get(provider), model: vscode.workspace.getConfiguration(SECTION).get<string>('model', '') };
    },
    onChange: (state) => {
      statusBar.showHealth(state);
      // The walkthrough's steps complete on these.
      void vscode.commands.executeCommand('setContext', 'prototyper.providerAnswers', state.kind === 'up' || state.kind === 'noModels');
      void vscode.commands.executeCommand('setContext', 'prototyper.modelReady', state.kind === 'up' && state.modelListed);
    },
  });
  const terminals = new TerminalRunner(relay, sidecar);
  const inline = new InlineController({ channels: relay, sidecar, apiKeys, memento: context.workspaceState });

  const chatSettings = async () => readChatSettings(await apiKeys.presence());
  const settingsEvent = async (): Promise<HostToWebview> => ({ type: 'event', event: { kind: 'settings', settings: await chatSettings() } });
  const stateEvent = (status: SupervisorStatus): HostToWebview => ({
    type: 'event',
    event: { kind: 'sidecarState', state: status.state, message: status.message },
  });
  const settingsChanged = () => void settingsEvent().then((event) => relay.broadcast(event));

  const router = new InvokeRouter({
    channels: relay,
    sidecar,
    hostCommands: createHostCommands({
      chatSettings,
      settingsChanged,
      apiKeys,
      chats,
      proposals,
      editors,
      proposalEditor,
      checkpoints,
      inline,
      deleteCheckpoints: async (chatId) => void (await sidecar.request('delete_checkpoints', { chatId })),
    }),
    credentials: async (provider) => ({ host: providerHost(provider), apiKey: await apiKeys.get(provider) }),
    completionDefaults: (params) => {
      const settings = vscode.workspace.getConfiguration(SECTION);
      return {
        // tool_choice is an OpenAI-compatible server's quirk; the other providers take the default.
        toolChoice: params.provider === 'openai' ? settings.get<string>('openai.toolChoice', 'auto') : undefined,
        tools: settings.get<boolean>('toolsEnabled', true),
        toolPermissionMode: settings.get<string>('toolPermissionMode', 'ask_every_time'),
        toolAllowlist: settings.get<string[]>('toolAllowlist', []),
        maxToolCalls: settings.get<number>('maxToolCalls', 20),
        ...timeouts(),
      };
    },
    completionSettings: () => ({ searxngUrl: searxngUrl(), imagesFolder: imagesFolder() }),
  });
  const bridge = new WebviewBridge(relay, router, { error: logger.error }, (sessionKey) => {
    // A (re)loaded chat gets the current state at once instead of waiting for the next change.
    relay.postEvent(sessionKey, stateEvent(sidecar.status));
    void settingsEvent().then((event) => relay.postEvent(sessionKey, event));
  });
  const host = { extensionUri: context.extensionUri, relay, bridge };
  const view = new ChatViewProvider(host);
  const panels = new ChatPanels(host);

  sidecar.onChannel((envelope) => {
    relay.fromSidecar(envelope);
    health.observe(envelope);
    if (envelope.terminal && (envelope.message as { event?: string } | null)?.event === 'Done') void vscode.commands.executeCommand('setContext', 'prototyper.answered', true);
  });
  sidecar.onExit((exit) => relay.sidecarExited(exit));
  sidecar.onStateChange((status) => {
    statusBar.showSidecar(status);
    health.setSidecarReady(status.state === 'ready');
    relay.broadcast(stateEvent(status));
  });
  const keyContext = async () => {
    const provider = currentProvider();
    const needsKey = provider !== 'ollama' || providerHost('ollama').startsWith('https://ollama.com');
    void vscode.commands.executeCommand('setContext', 'prototyper.keyReady', !needsKey || (await apiKeys.get(provider)).length > 0);
  };
  void keyContext();

  context.subscriptions.push(
    output,
    proposals,
    proposalEditor,
    editors,
    statusBar,
    inline,
    ...registerInlineCommands(inline),
    view,
    panels,
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view),
    vscode.window.registerWebviewPanelSerializer(CHAT_PANEL_TYPE, panels),
    ...registerPaletteCommands({ view, panels, relay, apiKeys, supervisor: sidecar, output, terminals, settingsChanged }),
    ...registerImages({ sidecar, channels: relay, editors }),
    ...registerExport(sidecar),
    ...registerWorkflows({ sidecar, panels, relay }),
    ...registerSearch(sidecar),
    ...registerScaffoldCommands({ context, view, relay, supervisor: sidecar, terminals }),
    ...registerSetupCommands({ extensionId: context.extension.id, health, apiKeys, sendToChat: (event) => sendToChat({ view, panels, relay }, event) }),
    health,
    apiKeys.onDidChange(() => {
      settingsChanged();
      void keyContext();
      void health.check();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) settingsChanged();
      if (RESTART_SETTINGS.some((key) => event.affectsConfiguration(key))) void offerRestart(sidecar);
      if (['provider', 'model', 'ollama.host', 'openai.host', 'anthropic.host'].some((key) => event.affectsConfiguration(`${SECTION}.${key}`))) {
        statusBar.refresh();
        void keyContext();
        void health.check();
      }
    }),
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused) health.windowFocused();
    }),
    // Trust changes what the sidecar may do (write, execute); it is an initialize param.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      settingsChanged();
      void sidecar.restart('workspace trust was granted');
    }),
    { dispose: () => void sidecar.dispose() },
  );

  void sidecar.start();
  void openWalkthroughOnce(context);
  const done = performance.now();
  logger.info(`Activated in ${(done - codeStartedAt).toFixed(1)} ms (loading ${(activateStartedAt - codeStartedAt).toFixed(1)} ms, activate ${(done - activateStartedAt).toFixed(1)} ms)`);
  return { supervisor: sidecar, relay, router, terminals, inline };
}

export async function deactivate(): Promise<void> {
  // Returned so VS Code waits for the graceful shutdown (which stops dev servers the sidecar runs).
  await supervisor?.dispose();
  supervisor = undefined;
}

/**
 * Opens the getting-started walkthrough the first time the extension runs (VS Code does so itself
 * only for installs from the Marketplace view), unless the user turned that off for walkthroughs.
 */
async function openWalkthroughOnce(context: vscode.ExtensionContext): Promise<void> {
  const key = 'prototyper.walkthroughShown';
  if (context.globalState.get<boolean>(key)) return;
  await context.globalState.update(key, true);
  if (!vscode.workspace.getConfiguration('workbench').get<boolean>('welcomePage.walkthroughs.openOnInstall', true)) return;
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false);
}

async function offerRestart(sidecar: SidecarSupervisor): Promise<void> {
  if (sidecar.status.state === 'crashed' || sidecar.status.state === 'stopped') {
    await sidecar.restart('its settings changed');
    return;
  }
  const choice = await vscode.window.showInformationMessage(
    'Prototyper: the sidecar uses this setting from its next start. Restart it now? Running processes and responses are stopped.',
    'Restart Sidecar',
  );
  if (choice === 'Restart Sidecar') await sidecar.restart('its settings changed');
}
