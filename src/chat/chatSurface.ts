// Connects one chat webview (the sidebar view's or an editor panel's) to the relay under a session
// key: its HTML and options, its messages in, the relay's messages out.
import * as vscode from 'vscode';
import type { WebviewInitialData } from '../protocol/webviewMessages';
import type { ChannelRelay } from '../relay/channelRelay';
import type { WebviewBridge } from '../relay/webviewBridge';
import { chatWebviewOptions, renderChatHtml } from './webviewHtml';

export interface ChatHost {
  extensionUri: vscode.Uri;
  relay: ChannelRelay;
  bridge: WebviewBridge;
}

/** Returns the listeners to dispose with the webview. */
export function connectWebview(host: ChatHost, webview: vscode.Webview, sessionKey: string, initial: WebviewInitialData): vscode.Disposable {
  webview.options = chatWebviewOptions(host.extensionUri);
  // Attach before the HTML loads so the webview's `ready` finds its sink. A post to a webview
  // that is not live is lost; the relay's replay after the next `ready` covers it.
  host.relay.attach(sessionKey, (message) => void webview.postMessage(message));
  const subscription = webview.onDidReceiveMessage((message) => host.bridge.receive(sessionKey, message));
  webview.html = renderChatHtml(webview, host.extensionUri, initial);
  return subscription;
}
