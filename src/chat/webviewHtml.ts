// The chat webview's HTML: a strict CSP with a per-load nonce, resources only from dist/webview
// and media, and the surface's identity in `data-initial` on #root. The bundle's script and
// stylesheets travel inside the HTML (nonced), so the view starts without fetching them.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as vscode from 'vscode';
import type { WebviewInitialData } from '../protocol/webviewMessages';
import { scriptForHtml, styleForHtml } from './inlineAssets';

/** Options for every chat webview: scripts on, and nothing readable outside our own files. */
export function chatWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function renderChatHtml(webview: vscode.Webview, extensionUri: vscode.Uri, initial: WebviewInitialData): string {
  const nonce = randomBytes(18).toString('base64');
  const file = (name: string) => vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name);
  const asset = (name: string) => webview.asWebviewUri(file(name)).toString();
  // Styles: our stylesheets inline with the nonce. Style attributes set from script go through
  // the CSSOM, which CSP allows, so 'unsafe-inline' is not needed.
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  // Inline, not linked: in a browser-hosted VS Code (code-server) every webview resource is a
  // round trip from the page's service worker through the workbench to the server, and the
  // script waits behind the stylesheets; inline, the composer is drawn as soon as the document
  // is written. The codicon font stays a file, fetched when the first icon is drawn.
  const codicons = bundleText(file('codicon.css').fsPath)?.replace(/url\((["']?)\.\/codicon\.ttf/g, `url($1${asset('codicon.ttf')}`);
  const styles = bundleText(file('main.css').fsPath);
  const script = bundleText(file('main.js').fsPath);
  const style = (css: string, id = '') => `<style nonce="${nonce}"${id ? ` id="${id}"` : ''}>${styleForHtml(css)}</style>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <!-- The toolkit (FAST) reads the nonce here for the one <style> element it creates itself. -->
  <meta property="csp-nonce" content="${nonce}">
  ${codicons !== undefined ? style(codicons, 'vscode-codicon-stylesheet') : `<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet">`}
  ${styles !== undefined ? style(styles) : `<link rel="stylesheet" href="${asset('main.css')}">`}
  <title>Prototyper</title>
</head>
<body>
  <div id="root" data-initial="${escapeAttribute(JSON.stringify(initial))}"></div>
  ${script !== undefined ? `<script nonce="${nonce}">${scriptForHtml(script)}</script>` : `<script nonce="${nonce}" src="${asset('main.js')}"></script>`}
</body>
</html>`;
}

/** The built files' text by path, read again only when a rebuild changed them. */
const bundleCache = new Map<string, { mtimeMs: number; text: string }>();

/** A file of the built webview, or undefined when it is not there (a build without it). */
function bundleText(path: string): string | undefined {
  try {
    const { mtimeMs } = statSync(path);
    const cached = bundleCache.get(path);
    if (cached?.mtimeMs === mtimeMs) return cached.text;
    const text = readFileSync(path, 'utf8');
    bundleCache.set(path, { mtimeMs, text });
    return text;
  } catch {
    return undefined;
  }
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
