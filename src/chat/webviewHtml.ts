// The chat webview's HTML: a strict CSP with a per-load nonce, resources only from dist/webview
// and media, and the surface's identity in `data-initial` on #root.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { WebviewInitialData } from '../protocol/webviewMessages';

/** Options for every chat webview: scripts on, and nothing readable outside our own files. */
export function chatWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function renderChatHtml(webview: vscode.Webview, extensionUri: vscode.Uri, initial: WebviewInitialData): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', file)).toString();
  const hasCss = existsSync(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'main.css').fsPath);
  // Styles: our stylesheets by source; inline <style> only with the nonce. Style attributes set
  // from script go through the CSSOM, which CSP allows, so 'unsafe-inline' is not needed.
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <!-- The toolkit (FAST) reads the nonce here for the one <style> element it creates itself. -->
  <meta property="csp-nonce" content="${nonce}">
  <link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet">
  ${hasCss ? `<link rel="stylesheet" href="${asset('main.css')}">` : ''}
  <title>Prototyper</title>
</head>
<body>
  <div id="root" data-initial="${escapeAttribute(JSON.stringify(initial))}"></div>
  <script nonce="${nonce}" src="${asset('main.js')}"></script>
</body>
</html>`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
