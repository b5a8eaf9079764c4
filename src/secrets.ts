// API keys in VS Code SecretStorage (key `prototyper.apiKey.<provider>`): never in settings files,
// never in logs, never sent to the webview.
import * as vscode from 'vscode';
import type { Provider } from './protocol/webviewMessages';
import { PROVIDERS } from './settings';

const PROVIDER_LABELS: Record<Provider, string> = { ollama: 'Ollama (ollama.com cloud)', openai: 'OpenAI', anthropic: 'Anthropic' };

export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  static storageKey(provider: Provider): string {
    return `prototyper.apiKey.${provider}`;
  }

  /** Fires when any provider's key changes (also from another window). */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((event) => {
      if (event.key.startsWith('prototyper.apiKey.')) listener();
    });
  }

  async get(provider: Provider): Promise<string> {
    return (await this.secrets.get(ApiKeys.storageKey(provider))) ?? '';
  }

  async presence(): Promise<Record<Provider, boolean>> {
    const entries = await Promise.all(PROVIDERS.map(async (p) => [p, (await this.get(p)).length > 0] as const));
    return Object.fromEntries(entries) as Record<Provider, boolean>;
  }

  /** Asks for a key (masked); an empty answer removes it, Escape changes nothing. Returns whether it changed. */
  async prompt(provider?: Provider): Promise<boolean> {
    const chosen =
      provider ??
      (
        await vscode.window.showQuickPick(
          PROVIDERS.map((p) => ({ label: PROVIDER_LABELS[p], provider: p })),
          { title: 'Prototyper: Set API Key', placeHolder: 'Which provider?' },
        )
      )?.provider;
    if (!chosen) return false;
    const had = (await this.get(chosen)).length > 0;
    const value = await vscode.window.showInputBox({
      title: `Prototyper: ${PROVIDER_LABELS[chosen]} API key`,
      prompt: had ? 'A key is stored. Enter a new one, or leave empty and press Enter to remove it.' : 'Stored in VS Code Secret Storage; never written to settings.',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return false;
    const key = value.trim();
    if (key) {
      await this.secrets.store(ApiKeys.storageKey(chosen), key);
      void vscode.window.showInformationMessage(`Prototyper: ${PROVIDER_LABELS[chosen]} API key saved.`);
    } else if (had) {
      await this.secrets.delete(ApiKeys.storageKey(chosen));
      void vscode.window.showInformationMessage(`Prototyper: ${PROVIDER_LABELS[chosen]} API key removed.`);
    } else {
      return false;
    }
    return true;
  }
}
