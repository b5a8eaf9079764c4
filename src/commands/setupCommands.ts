// The getting-started commands the walkthrough and the status bar use: choose a provider and check
// that it answers, pull a model (in the chat, with progress), open the walkthrough, show history.
import * as vscode from 'vscode';
import type { HostEvent, Provider } from '../protocol/webviewMessages';
import type { Health, ProviderHealth } from '../providerHealth';
import type { ApiKeys } from '../secrets';
import { providerHost, PROVIDERS, SECTION } from '../settings';

export const WALKTHROUGH_ID = 'prototyper.gettingStarted';

export interface SetupDeps {
  extensionId: string;
  health: ProviderHealth;
  apiKeys: ApiKeys;
  /** Reveals the chat a command acts on and posts it an event (held until it is ready). */
  sendToChat(event: HostEvent): Promise<void>;
}

const PROVIDER_CHOICES: Record<Provider, { label: string; detail: string }> = {
  ollama: { label: 'Ollama', detail: 'Models on this machine (or ollama.com with a key). No key needed locally.' },
  openai: { label: 'OpenAI-compatible', detail: 'OpenAI, or any server that speaks its API: LM Studio, llama.cpp, vLLM. Needs a key for OpenAI itself.' },
  anthropic: { label: 'Anthropic', detail: 'Claude models. Needs an API key.' },
};

/** What a check found, in one sentence, and the buttons that fix it. */
export function describeHealth(health: Health, provider: Provider, host: string): { message: string; actions: string[]; ok: boolean } {
  const name = PROVIDER_CHOICES[provider].label;
  switch (health.kind) {
    case 'up':
      return health.modelListed
        ? { message: `${name} at ${host} answers with ${health.models} ${health.models === 1 ? 'model' : 'models'}.`, actions: ['Select Model'], ok: true }
        : { message: `${name} at ${host} answers with ${health.models} ${health.models === 1 ? 'model' : 'models'}; pick one to use.`, actions: ['Select Model'], ok: true };
    case 'noModels':
      return { message: `${name} at ${host} answers but has no models yet.`, actions: provider === 'ollama' ? ['Pull a Model'] : ['Open Setting'], ok: false };
    case 'needsKey':
      return { message: `${name} needs an API key.`, actions: ['Set API Key'], ok: false };
    case 'down':
      return { message: health.message, actions: ['Open Setting', 'Check Again'], ok: false };
    default:
      return { message: `Prototyper could not check ${name} yet: the sidecar is not running.`, actions: ['Show Output'], ok: false };
  }
}

export function registerSetupCommands(deps: SetupDeps): vscode.Disposable[] {
  const checkProvider = async (): Promise<void> => {
    const health = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Prototyper: checking the provider' }, () => deps.health.check());
    const provider = (vscode.workspace.getConfiguration(SECTION).get<string>('provider') ?? 'ollama') as Provider;
    const { message, actions, ok } = describeHealth(health, provider, providerHost(provider));
    const show = ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    const choice = await show(`Prototyper: ${message}`, ...actions);
    if (choice === 'Select Model') await vscode.commands.executeCommand('prototyper.selectModel');
    else if (choice === 'Pull a Model') await vscode.commands.executeCommand('prototyper.pullModel');
    else if (choice === 'Set API Key') await vscode.commands.executeCommand('prototyper.setApiKey');
    else if (choice === 'Open Setting') await vscode.commands.executeCommand('workbench.action.openSettings', `@id:${SECTION}.${provider}.host`);
    else if (choice === 'Check Again') await checkProvider();
    else if (choice === 'Show Output') await vscode.commands.executeCommand('prototyper.showSidecarOutput');
  };

  return [
    vscode.commands.registerCommand('prototyper.chooseProvider', async () => {
      const config = vscode.workspace.getConfiguration(SECTION);
      const current = config.get<string>('provider');
      const picked = await vscode.window.showQuickPick(
        PROVIDERS.map((p) => ({ ...PROVIDER_CHOICES[p], description: `${providerHost(p)}${p === current ? ' (current)' : ''}`, provider: p })),
        { title: 'Prototyper: Choose Provider', placeHolder: 'Which provider should the chat talk to?' },
      );
      if (!picked) return;
      if (picked.provider !== current) {
        const inspected = config.inspect('provider');
        await config.update('provider', picked.provider, inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
      }
      if (picked.provider !== 'ollama' && !(await deps.apiKeys.get(picked.provider))) await deps.apiKeys.prompt(picked.provider);
      await checkProvider();
    }),
    vscode.commands.registerCommand('prototyper.checkProvider', checkProvider),
    vscode.commands.registerCommand('prototyper.pullModel', () => deps.sendToChat({ kind: 'pullModel' })),
    vscode.commands.registerCommand('prototyper.showHistory', () => deps.sendToChat({ kind: 'showHistory' })),
    vscode.commands.registerCommand('prototyper.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', `${deps.extensionId}#${WALKTHROUGH_ID}`, false),
    ),
  ];
}
