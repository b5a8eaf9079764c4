// Web search setup: "Prototyper: Test SearXNG Connection" (the configured `prototyper.searxng.url`)
// and "Prototyper: Set Up SearXNG Config" (writes a settings.yml with the JSON format enabled and
// opens it). The agent's `web_search` tool is offered only while the URL is set; the host passes
// it with every completion request (see `searxngUrl` in src/extension.ts).
import * as vscode from 'vscode';
import type { SidecarSupervisor } from '../sidecar/supervisor';

/** The configured SearXNG base URL, or '' when web search is off. */
export function searxngUrl(): string {
  return vscode.workspace.getConfiguration('prototyper').get<string>('searxng.url', '').trim();
}

export function registerSearch(sidecar: Pick<SidecarSupervisor, 'request'>): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('prototyper.testSearxng', async () => {
      const url = searxngUrl();
      if (!url) {
        const choice = await vscode.window.showWarningMessage('Prototyper: web search is off. Set prototyper.searxng.url to your SearXNG (e.g. http://localhost:8888).', 'Open Setting');
        if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'prototyper.searxng.url');
        return;
      }
      try {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Prototyper: asking ${url}…` }, () =>
          sidecar.request('test_searxng_connection', { url }),
        );
        void vscode.window.showInformationMessage(`Prototyper: SearXNG at ${url} answers; the agent can search the web.`);
      } catch (error) {
        void vscode.window.showErrorMessage(`Prototyper: ${(error as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('prototyper.setupSearxng', async () => {
      try {
        const file = await sidecar.request<string>('setup_searxng_config', {});
        await vscode.window.showTextDocument(vscode.Uri.file(file));
        void vscode.window.showInformationMessage('Prototyper: mount this folder into your SearXNG container as /etc/searxng, then set prototyper.searxng.url.');
      } catch (error) {
        void vscode.window.showErrorMessage(`Prototyper: ${(error as Error).message}`);
      }
    }),
  ];
}
